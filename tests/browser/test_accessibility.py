"""axe-core finds no moderate, serious or critical accessibility problem on the key pages, in
each of the six interface languages, and a photo in a build log asks for its description.

axe-core comes from the npm registry, pinned in ``tests/browser/axe/package.json`` and
``package-lock.json``; ``make install-test`` installs it into ``tests/browser/axe/
node_modules`` (ignored by git), and so does the first test that needs it when npm is on
the machine. The pages have no JavaScript of their own: axe runs in a separate browser
profile with JavaScript turned on only so that it can be injected.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from peerlearn.assignments import buildlogs
from peerlearn.assignments.measurements import parse_measurement
from peerlearn.catalog.models import Enrolment
from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.content.models import Course, CourseMaintainer, Module
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.facilitation.messages import post_message
from peerlearn.notifications import notify
from peerlearn.review.allocation import queue
from peerlearn.review.notifications import NoticeKind
from peerlearn.review.reviewing import reviewing
from peerlearn.review.reviewing.reviewing import ScoreInput
from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_AXE = "npm ci --prefix tests/browser/axe --no-audit --no-fund"
#: The impacts that fail a page; "minor" findings (best practices) are not failed.
FAILING = ("moderate", "serious", "critical")
LOCALES = ("en", "es", "fr", "sw", "rw", "qu")
ASSIGNMENT = "gas-test"
#: The course each language's pages are checked on: one in the language of the interface.
#: Interface languages without a sample course of their own read the English one, as their
#: learners would before a translation exists.
COURSE_OF = {"en": "tubular-biogas-digester", "es": "cocinas-mejoradas"}
#: A module of that course with a figure (an image with its alt text from the Markdown).
FIGURE_MODULE_OF = {"en": "materials-site-and-trench", "es": "como-arde-bien-la-lena"}
BROWSER_LOCALE = {
    "en": "en-GB", "es": "es-BO", "fr": "fr-FR", "sw": "sw-KE", "rw": "rw-RW", "qu": "qu-PE"
}  # fmt: skip


def _pinned_axe_version() -> str:
    lock = json.loads((AXE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/axe-core"]["version"])


def _installed_axe_version() -> str | None:
    manifest = AXE_JS.parent / "package.json"
    if not (AXE_JS.exists() and manifest.exists()):
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))


@pytest.fixture(scope="session")
def axe_js(chromium: Any) -> Path:
    """The path of axe.min.js, installed with npm from the lock file if it is missing.

    Depends on ``chromium`` so that a machine without the browser skips (or, in CI, fails)
    for that reason first, like every other browser test.
    """
    if _installed_axe_version() == _pinned_axe_version():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(
            "axe-core is not installed and npm is not on the PATH. Install Node.js and npm "
            f"(apt-get install -y npm), then run `{INSTALL_AXE}` from the project root "
            "(`make install-test` does it)."
        )
    done = subprocess.run(
        [npm, "ci", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 or _installed_axe_version() != _pinned_axe_version():
        pytest.fail(
            f"Installing axe-core failed; run `{INSTALL_AXE}` from the project root to see "
            f"why.\n{done.stdout}\n{done.stderr}"
        )
    return AXE_JS


@dataclass
class Pages:
    """What the test built: who sees which page (name -> path)."""

    anonymous: dict[str, str]
    learner: dict[str, str]
    maintainer: dict[str, str]
    #: Forms sent back with errors: who -> (name, path, the button that sends it empty).
    with_errors: dict[str | None, list[tuple[str, str, str]]]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "sienna").save(buffer, "JPEG")
    return buffer.getvalue()


def _submitted_log(user: Any, assignment: Any, locale: str) -> Any:
    log = buildlogs.start_log(user, assignment)
    buildlogs.save_log(user, log, "Our digester", "Built behind the kitchen with my family.")
    for day, text, value in ((1, "Dug the trench.", "0,2"), (8, "First gas!", "0,8")):
        entry = buildlogs.add_entry(
            user,
            log,
            date(2026, 5, day),
            f"{text}\n\n- **trench** 1 m deep\n- tube laid flat",
            (_photo(), "The trench, 1 m deep, with the tube laid in it") if day == 1 else None,
        )
        buildlogs.add_measurement(
            user, entry, parse_measurement("Gas production", value, "m³/day", "es")
        )
    buildlogs.submit(user, log)
    return log


def build_pages(
    locale: str, sample_courses: list[Course], create_user: Any, create_assignment: Any
) -> Pages:
    """A course with an assignment; two learners who submitted build logs, one review
    received and one being written; a maintainer. Every user reads the interface in
    ``locale``."""
    course = next(c for c in sample_courses if c.slug == COURSE_OF.get(locale, COURSE_OF["en"]))
    assignment = create_assignment(
        course, slug=ASSIGNMENT, must_review=1, must_be_reviewed=1, grading="median"
    )
    maintainer = create_user("maya", locale=locale)
    amaru, wanjiru = create_user("amaru", locale=locale), create_user("wanjiru", locale=locale)
    db.session.add(CourseMaintainer(course_id=course.id, user_id=maintainer.id))
    for learner in (amaru, wanjiru):
        db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
    db.session.flush()
    for learner in (amaru, wanjiru):
        _submitted_log(learner, assignment, locale)
    # wanjiru reviews amaru's log; amaru is given wanjiru's and has not finished it yet.
    given = queue.request_review(wanjiru, assignment)
    reviewing.submit_review(
        wanjiru,
        given,
        {"build": ScoreInput(points=2, comment="Sound trench and tube.")},
        "The trench is well documented; add a photo of the tube.",
    )
    lease = queue.request_review(amaru, assignment)
    notify(amaru.id, NoticeKind.REVIEW_ASSIGNED, f"/reviews/{lease.id}", assignment="Gas test")
    # amaru facilitates a learning circle of the course that wanjiru joined.
    circle = start_circle(
        amaru, course,
        CircleDetails(
            name="Sorata", language=locale, starts_on=utcnow().date(), meeting_place="Sala",
            meeting_weekday=1, meeting_time=time(18, 0), timezone="America/La_Paz",
        ),
    )  # fmt: skip
    join_circle(wanjiru, circle)
    post_message(amaru, circle, "We meet on **Tuesday**.")
    db.session.commit()

    module = db.session.scalar(
        db.select(Module).where(Module.course_id == course.id).order_by(Module.position)
    )
    assert module is not None
    c = f"/courses/{course.slug}"
    a = f"{c}/a/{ASSIGNMENT}"
    return Pages(
        anonymous={
            "home": "/",
            "catalog": "/?q=" + ("cocina" if locale == "es" else "biogas"),
            "course": c,
            "module": f"{c}/m/{module.slug}",
            "module with a figure": f"{c}/m/{FIGURE_MODULE_OF.get(locale, FIGURE_MODULE_OF['en'])}",
            "assignment": a,
            "login": "/login",
            "register": "/register",
            "contributions": f"/users/{amaru.username}/contributions",
            "learning circle": f"/circles/{circle.id}",
            "circle invitation link": f"/circles/join/{circle.invite_code}",
        },
        learner={
            "dashboard": "/dashboard",
            "assignment (submitted)": a,
            "build log editor": f"{a}/log",
            "submitted version": f"{a}/log/versions/1",
            "review form": f"/reviews/{lease.id}",
            "reviews received": f"{a}/feedback",
            "notifications": "/notifications",
            "notification settings": "/settings/notifications",
            "settings": "/settings",
            "learning circle (facilitator)": f"/circles/{circle.id}",
            "circle invitation (printable)": f"/circles/{circle.id}/invite",
            "circle dates": f"/circles/{circle.id}/schedule",
            "circle details": f"/circles/{circle.id}/edit",
            "before the meeting": f"/circles/{circle.id}/facilitate",
            "circle messages": f"/circles/{circle.id}/messages",
        },
        maintainer={
            "submissions": f"{a}/submissions",
            "gradebook": f"{a}/gradebook",
            "module editor": f"{c}/m/{module.slug}/edit",
            "assignment editor": f"{c}/assignments/{ASSIGNMENT}/edit",
        },
        with_errors={
            None: [("register, sent empty", "/register", "main form button")],
            "amaru": [
                ("review form, no level chosen", f"/reviews/{lease.id}", "button[value=submit]"),
                ("build log editor, empty entry", f"{a}/log", "#new-entry button"),
                ("start a circle, sent empty", f"{c}/circles/new", "main form button"),
            ],
        },
    )


@pytest.fixture
def axe_context(chromium: Any) -> Iterator[Any]:
    """Opens browser profiles with JavaScript on (for axe only), closed after the test."""
    contexts: list[Any] = []

    def open_context(locale: str) -> Any:
        context = chromium.new_context(
            locale=BROWSER_LOCALE[locale], java_script_enabled=True, bypass_csp=True
        )
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def log_in(page: Any, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button").last.click()
    assert "/login" not in page.url, f"{username} could not log in"


def axe_violations(page: Any, axe_js: Path) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def describe(page_name: str, path: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{page_name} ({path}):"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    - {' '.join(map(str, node['target']))}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("locale", LOCALES)
def test_key_pages_have_no_moderate_serious_or_critical_axe_violations(
    locale, server, axe_js, axe_context, sample_courses, create_user, create_assignment
):
    pages = build_pages(locale, sample_courses, create_user, create_assignment)
    failures: list[str] = []
    checked = 0
    for who, named in (
        (None, pages.anonymous),
        ("amaru", pages.learner),
        ("maya", pages.maintainer),
    ):
        page = axe_context(locale).new_page()
        page.set_default_timeout(15_000)
        if who:
            log_in(page, server, who)
        for name, path in named.items():
            response = page.goto(server + path)
            assert response is not None and response.status == 200, (name, path, response)
            assert page.locator("html").get_attribute("lang") == locale, (name, path)
            found = [v for v in axe_violations(page, axe_js) if v["impact"] in FAILING]
            if found:
                failures.append(describe(name, path, found))
            checked += 1
        for name, path, button in pages.with_errors.get(who, []):
            page.goto(server + path)
            page.locator(button).last.click()
            assert page.locator("[aria-invalid=true], .error").count() > 0, (name, path)
            found = [v for v in axe_violations(page, axe_js) if v["impact"] in FAILING]
            if found:
                failures.append(describe(name, path, found))
            checked += 1
    pages_in_all = (pages.anonymous, pages.learner, pages.maintainer, *pages.with_errors.values())
    assert checked == sum(map(len, pages_in_all))
    assert not failures, "axe-core found accessibility problems:\n" + "\n".join(failures)


def _start_log(
    page: Any, server: str, create_course: Any, create_assignment: Any, create_user: Any
) -> None:
    course = create_course("biogas", title="Tube biogas digester")
    create_assignment(course, slug=ASSIGNMENT)
    learner = create_user("wanjiru")
    db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
    db.session.commit()
    log_in(page, server, "wanjiru")
    page.goto(f"{server}/courses/biogas/a/{ASSIGNMENT}")
    page.get_by_role("button", name="Start your build log").click()
    page.get_by_label("Title").fill("Our digester")
    page.get_by_role("button", name="Save title and summary").click()


def _hint_of(page: Any, field: Any) -> str:
    """The text a screen reader reads as the field's description (aria-describedby)."""
    ids = (field.get_attribute("aria-describedby") or "").split()
    return " ".join(page.locator(f"[id='{one}']").inner_text() for one in ids)


def test_photo_upload_asks_for_a_description_for_people_who_cannot_see_it(
    server, page_without_js, create_course, create_assignment, create_user, tmp_path
):
    """The caption is the photo's alt text: the form says so where it is typed, a further
    photo cannot be added without one, and the log shows the caption as the photo's alt."""
    photo = tmp_path / "trench.jpg"
    photo.write_bytes(_photo())
    page = page_without_js
    _start_log(page, server, create_course, create_assignment, create_user)

    new_entry = page.locator("#new-entry")
    assert "read to people who cannot see it" in _hint_of(page, new_entry.get_by_label("Caption"))
    new_entry.get_by_label("What you did").fill("Dug the trench.")
    new_entry.get_by_label("Photo (optional)").set_input_files(str(photo))
    new_entry.get_by_label("Caption").fill("The trench, 1 m deep")
    new_entry.get_by_role("button", name="Add entry").click()
    assert "Entry added." in page.content()
    assert page.locator(".preview img[alt='The trench, 1 m deep']").count() == 1

    # A further photo of the entry: its caption is a required field, described the same way.
    editor = page.locator("section.entry-editor", has=page.get_by_role("button", name="Add photo"))
    caption = editor.get_by_label("Caption")
    assert caption.get_attribute("required") is not None
    assert "read to people who cannot see it" in _hint_of(page, caption)
    editor.get_by_label("Photo", exact=True).set_input_files(str(photo))
    editor.get_by_role("button", name="Add photo").click()
    caption = page.locator(
        "section.entry-editor", has=page.get_by_role("button", name="Add photo")
    ).get_by_label("Caption")
    assert caption.get_attribute("aria-invalid") == "true"
    assert "read to people who cannot see it" in _hint_of(page, caption)
    assert page.locator(".preview img").count() == 1


def test_a_new_entry_with_a_photo_but_no_description_is_refused_with_the_reason(
    server, page_without_js, create_course, create_assignment, create_user, tmp_path
):
    photo = tmp_path / "trench.jpg"
    photo.write_bytes(_photo())
    page = page_without_js
    _start_log(page, server, create_course, create_assignment, create_user)
    new_entry = page.locator("#new-entry")
    new_entry.get_by_label("What you did").fill("Dug the trench.")
    new_entry.get_by_label("Photo (optional)").set_input_files(str(photo))
    new_entry.get_by_role("button", name="Add entry").click()
    caption = page.locator("#new-entry").get_by_label("Caption")
    assert caption.get_attribute("aria-invalid") == "true"
    assert "read to people who cannot see it" in _hint_of(page, caption)
    assert "What you did" in page.content() and "Entry added." not in page.content()
