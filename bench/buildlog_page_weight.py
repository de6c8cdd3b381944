"""What a build-log page weighs on a slow phone connection.

In a temporary SQLite database: imports the tubular biogas digester course, adds an
assignment, and a learner's build log of 10 dated entries (~150 words of Markdown each, one
measurement repeated daily, 10 photos in all). The photos are photo-like 4032 x 3024 JPEGs
(12 MP, what a phone camera writes) made with Pillow and run through ``process_photo``, as
an upload is. The log is submitted once.

Then it renders, with the Flask test client, the maintainer's view of that submission and
the learner's own log page (if the learner side has registered one), and reports for each:
HTML bytes (raw and gzip), CSS bytes, the number of ``<img>`` and the bytes of the images
the page loads up front (the thumbnails), against the bytes of the display-size photos
that load only when a reader opens one.

Run: ``.venv/bin/python bench/buildlog_page_weight.py`` (about 45 seconds, mostly spent
making the photos).
"""

from __future__ import annotations

import gzip
import io
import random
import re
import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image, ImageFilter

from peerlearn import create_app
from peerlearn.accounts.services import register_user
from peerlearn.assignments.models import (
    Assignment,
    BuildLog,
    BuildLogEntry,
    EntryMeasurement,
    EntryPhoto,
    PhotoBlob,
    Submission,
)
from peerlearn.assignments.photos import process_photo
from peerlearn.assignments.snapshots import snapshot_json
from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.bundles.reader import read_bundle
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course, CourseMaintainer, Module
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the tests package, run as a script from anywhere
from tests.rubrics import BUILD_CRITERION_YAML  # noqa: E402

COURSE = ROOT / "courses" / "tubular-biogas-digester"
PASSWORD = "lentils-and-tortillas"
ENTRIES, PHOTOS, WORDS_PER_ENTRY = 10, 10, 150
PHOTO_SIZE = (4032, 3024)
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# fmt: off
WORDS = [
    "digester", "bag", "trench", "slurry", "manure", "gas", "valve", "pipe", "pressure",
    "water", "temperature", "daily", "feeding", "family", "stove", "kitchen", "plastic",
    "geomembrane", "shade", "roof", "seal", "leak", "test", "measure", "litres", "kilograms",
    "metres", "cow", "dung", "fertiliser", "safety", "flame", "inlet", "outlet", "hose",
]
# fmt: on
ASSIGNMENT_YAML = (
    """id: bench-gas-test
title: Gas production test
module: {module}
must_review: 4
must_be_reviewed: 3
self_assessment: false
calibration_examples: 0
anonymity: double-blind
submission_deadline: null
review_deadline: null
prompt: |
  Build the digester, measure its gas production daily and document it in your build log.
rubric:
"""
    + BUILD_CRITERION_YAML
)


def entry_text(rng: random.Random, day: int) -> str:
    """About 150 words of Markdown: two paragraphs, a short list, some emphasis."""
    words = [rng.choice(WORDS) for _ in range(WORDS_PER_ENTRY - 12)]
    half = len(words) // 2
    first = " ".join(words[:half]).capitalize() + "."
    second = " ".join(words[half:]).capitalize() + "."
    items = "\n".join(f"- **{rng.choice(WORDS)}** {rng.choice(WORDS)}" for _ in range(3))
    return f"Day {day}: {first}\n\n{items}\n\n{second}"


def phone_photo(seed: int) -> bytes:
    """A 12 MP photo-like JPEG (smooth scene plus sensor grain), ~3-5 MB like a phone's."""
    rng = random.Random(seed)
    small = (PHOTO_SIZE[0] // 80, PHOTO_SIZE[1] // 80)
    base = Image.effect_noise(small, 60 + rng.randint(0, 40))
    channels = [
        base.resize(PHOTO_SIZE, Image.Resampling.BICUBIC),
        Image.linear_gradient("L").rotate(rng.randint(0, 359)).resize(PHOTO_SIZE),
        Image.radial_gradient("L").resize(PHOTO_SIZE),
    ]
    scene = Image.merge("RGB", channels).filter(ImageFilter.GaussianBlur(3))
    grain = Image.merge("RGB", [Image.effect_noise(PHOTO_SIZE, 64) for _ in range(3)])
    buffer = io.BytesIO()
    Image.blend(scene, grain, 0.12).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def build(app: Flask) -> tuple[str, str, int, int]:
    """Course, assignment, log and one submission; returns slugs, submission id, upload bytes."""
    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        import_bundle(read_bundle(COURSE))
        course = db.session.scalars(db.select(Course)).one()
        maintainer = register_user("maya", "maya@example.org", PASSWORD, "en")
        learner = register_user("lucia", "lucia@example.org", PASSWORD, "en")
        db.session.add(CourseMaintainer(course_id=course.id, user_id=maintainer.id))
        db.session.add(Enrolment(course_id=course.id, user_id=learner.id))
        module = db.session.scalars(
            db.select(Module).where(Module.course_id == course.id).order_by(Module.position)
        ).first()
        assert module is not None
        assignment = Assignment(
            course_id=course.id, key="bench-gas-test", slug="gas-test", module_id=module.id
        )
        db.session.add(assignment)
        db.session.flush()
        add_revision(
            assignment, ASSIGNMENT_YAML.format(module=module.key), author=None, kind="import"
        )
        log = BuildLog(
            assignment_id=assignment.id,
            user_id=learner.id,
            title="Our 2 m³ tube digester",
            summary="Built with my family behind the kitchen, fed with cow dung daily.",
        )
        db.session.add(log)
        db.session.flush()
        uploaded = 0
        for day in range(ENTRIES):
            entry = BuildLogEntry(
                log_id=log.id,
                entry_date=date(2025, 3, 1) + timedelta(days=day),
                text=entry_text(rng, day + 1),
            )
            db.session.add(entry)
            db.session.flush()
            data = phone_photo(day)  # one photo per entry: 10 in all
            uploaded += len(data)
            processed = process_photo(data)
            blob = PhotoBlob(
                sha256=processed.sha256,
                content_type=processed.content_type,
                display=processed.display,
                display_width=processed.display_size[0],
                display_height=processed.display_size[1],
                thumbnail=processed.thumbnail,
                thumbnail_width=processed.thumbnail_size[0],
                thumbnail_height=processed.thumbnail_size[1],
            )
            db.session.add(blob)
            db.session.flush()
            db.session.add(EntryPhoto(entry_id=entry.id, blob_id=blob.id, caption=f"Day {day + 1}"))
            value = Decimal(str(round(0.2 + 0.08 * day + rng.uniform(-0.03, 0.03), 2)))
            db.session.add(
                EntryMeasurement(
                    entry_id=entry.id, name="Gas production", value=value, unit="m³/day"
                )
            )
        db.session.flush()
        db.session.expire_all()
        submission = Submission(log_id=log.id, version=1, snapshot=snapshot_json(log))
        db.session.add(submission)
        db.session.commit()
        return course.slug, assignment.slug, submission.id, uploaded


def login(client: Any, username: str) -> None:
    token = _CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    response = client.post(
        "/login", data={"csrf_token": token.group(1), "login": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code


def weigh(client: Any, path: str) -> dict[str, int]:
    """Bytes a browser fetches for ``path`` before anyone taps a photo, and after."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.get_data()
    text = html.decode()
    css = sum(
        len(client.get(href).get_data())
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    )
    img_srcs = re.findall(r'<img [^>]*src="([^"]+)"', text)
    thumbs = sum(len(client.get(src.replace("&amp;", "&")).get_data()) for src in img_srcs)
    opened = [
        href for href in re.findall(r'<a href="(/photos/[^"]+)"', text) if "-thumb." not in href
    ]
    display = sum(len(client.get(href).get_data()) for href in opened)
    return {
        "html": len(html),
        "html_gzip": len(gzip.compress(html, 6)),
        "css": css,
        "css_gzip": len(gzip.compress(client.get(css_href(text)).get_data(), 6)) if css else 0,
        "imgs": len(img_srcs),
        "img_bytes": thumbs,
        "display_photos": len(opened),
        "display_bytes": display,
    }


def css_href(text: str) -> str:
    found = re.search(r'<link rel="stylesheet" href="([^"]+)"', text)
    return found.group(1).replace("&amp;", "&") if found else ""


def report(label: str, path: str, w: dict[str, int]) -> None:
    print(f"{label} ({path})")
    print(f"  HTML        : {w['html']:,} bytes ({w['html_gzip']:,} gzip)")
    print(f"  CSS         : {w['css']:,} bytes ({w['css_gzip']:,} gzip)")
    print(f"  up front    : {w['imgs']} <img>, {w['img_bytes']:,} bytes of thumbnails")
    total = w["html_gzip"] + w["css_gzip"] + w["img_bytes"]
    print(f"  first view  : {total:,} bytes over the wire (gzip HTML + gzip CSS + thumbnails)")
    print(
        f"  on opening  : {w['display_photos']} display photos, {w['display_bytes']:,} bytes "
        "(only the ones a reader taps)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
        course, aslug, submission_id, uploaded = build(app)
        print(f"log: {ENTRIES} entries, ~{WORDS_PER_ENTRY} words each, {PHOTOS} photos")
        print(f"uploads: {PHOTOS} x {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]} JPEG, {uploaded:,} bytes")
        print()

        staff = app.test_client()
        login(staff, "maya")
        path = f"/courses/{course}/a/{aslug}/submissions/{submission_id}"
        report("Maintainer's submission page", path, weigh(staff, path))

        rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
        learner_rule = "/courses/<slug>/a/<assignment_slug>/log"
        if learner_rule in rules and "GET" in next(
            r.methods or set() for r in app.url_map.iter_rules() if r.rule == learner_rule
        ):
            learner = app.test_client()
            login(learner, "lucia")
            path = f"/courses/{course}/a/{aslug}/log"
            print()
            report("Learner's log page (editor)", path, weigh(learner, path))
        else:
            print("\n(no learner log page registered at", learner_rule, "- skipped)")


if __name__ == "__main__":
    main()
