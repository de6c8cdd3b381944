"""Build logs made directly from the models, as the learner side would leave them."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from PIL import Image, ImageDraw

from peerlearn.accounts.models import User
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
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course
from peerlearn.extensions import db

START = date(2025, 3, 1)


def photo_blob(seed: int, size: tuple[int, int] = (640, 480)) -> PhotoBlob:
    """A stored photo that differs for each ``seed`` (stored once per content, like uploads)."""
    image = Image.new("RGB", size, ((seed * 53) % 256, (seed * 97) % 256, (seed * 31) % 256))
    ImageDraw.Draw(image).ellipse((seed % 50, 20, size[0] // 2, size[1] // 2), fill=(250, 240, 10))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    processed = process_photo(buffer.getvalue())
    blob = db.session.scalar(db.select(PhotoBlob).where(PhotoBlob.sha256 == processed.sha256))
    if blob is None:
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
    return blob


def add_entry(
    log: BuildLog,
    day: int,
    text: str,
    photos: Sequence[tuple[int, str]] = (),
    measurements: Sequence[tuple[str, str, str]] = (),
) -> BuildLogEntry:
    entry = BuildLogEntry(log_id=log.id, entry_date=START + timedelta(days=day), text=text)
    db.session.add(entry)
    db.session.flush()
    for position, (seed, caption) in enumerate(photos):
        blob = photo_blob(seed)
        db.session.add(
            EntryPhoto(entry_id=entry.id, position=position, blob_id=blob.id, caption=caption)
        )
    for position, (name, value, unit) in enumerate(measurements):
        db.session.add(
            EntryMeasurement(
                entry_id=entry.id, position=position, name=name, value=Decimal(value), unit=unit
            )
        )
    db.session.flush()
    db.session.expire(entry)
    db.session.expire(log, ["entries"])
    return entry


def submit(log: BuildLog) -> Submission:
    """A new version holding the draft as it is now."""
    db.session.refresh(log)
    version = len(log.submissions) + 1
    submission = Submission(log_id=log.id, version=version, snapshot=snapshot_json(log))
    db.session.add(submission)
    db.session.commit()
    return submission


@pytest.fixture
def make_log(app: Flask) -> Callable[..., BuildLog]:
    """``make_log(user, assignment, entries=2, photos=1, submit=0)``: a log whose entries
    each have ``photos`` photos and a "Gas production" measurement; submitted ``submit``
    times."""
    seeds = iter(range(1, 100_000))

    def make(
        user: User,
        assignment: Assignment,
        entries: int = 2,
        photos: int = 1,
        submissions: int = 0,
        title: str = "",
    ) -> BuildLog:
        log = BuildLog(
            assignment_id=assignment.id,
            user_id=user.id,
            title=title or f"{user.username}'s digester",
            summary="A 2 m³ tube digester.",
        )
        db.session.add(log)
        db.session.flush()
        for day in range(entries):
            add_entry(
                log,
                day,
                f"Day {day + 1}: **dug** the trench.",
                photos=[(next(seeds), f"Trench {day + 1}.{n}") for n in range(photos)],
                measurements=[("Gas production", f"0.{day + 1}", "m³/day")],
            )
        db.session.commit()
        for _ in range(submissions):
            submit(log)
        return log

    return make


@pytest.fixture
def enrol(app: Flask) -> Callable[[User, Course], None]:
    def do(user: User, course: Course) -> None:
        db.session.add(Enrolment(user_id=user.id, course_id=course.id))
        db.session.commit()

    return do


@pytest.fixture
def setting(
    create_user: Callable[..., User],
    create_course: Callable[..., Course],
    create_assignment: Callable[..., Any],
) -> dict[str, Any]:
    """A maintainer, their course and an assignment; paths of the three routes."""
    maintainer = create_user("maya")
    course = create_course("digesters", maintainer=maintainer)
    assignment = create_assignment(course, slug="gas-test", title="Gas production test")
    base = f"/courses/{course.slug}/a/{assignment.slug}/submissions"
    return {
        "maintainer": maintainer,
        "course": course,
        "assignment": assignment,
        "list": base,
        "zip": f"{base}.zip",
    }
