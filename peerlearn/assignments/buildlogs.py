"""Services for learners' build logs: start, edit, photos, measurements, submit.

Each function takes the acting user, checks the domain rules that a form cannot (six photos
per entry, a submission needs a title and entries, the deadline), changes the session and
flushes. Views check permissions before calling and commit once after, so a refused change
leaves nothing half-written behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.deadlines import deadlines_of
from peerlearn.assignments.measurements import Measurement
from peerlearn.assignments.models import (
    Assignment,
    BuildLog,
    BuildLogEntry,
    EntryMeasurement,
    EntryPhoto,
    PhotoBlob,
    Submission,
)
from peerlearn.assignments.photos import ProcessedPhoto, process_photo
from peerlearn.assignments.signals import log_submitted
from peerlearn.assignments.snapshots import snapshot_json
from peerlearn.content.models import Course, Module
from peerlearn.db import utcnow
from peerlearn.extensions import db

#: A build-log entry is a day's work; more photos than this is a gallery, not a log.
MAX_PHOTOS_PER_ENTRY = 6

RefusalCode = Literal["no_title", "no_entries", "closed", "too_many_photos", "already_started"]


class BuildLogRefused(Exception):
    """A change the domain does not allow right now; ``code`` picks the message to show."""

    def __init__(self, code: RefusalCode) -> None:
        super().__init__(code)
        self.code: RefusalCode = code


class Phase(StrEnum):
    """Where a learner stands with an assignment, which decides the next step offered."""

    ANONYMOUS = "anonymous"  #: not signed in: log in first
    NOT_ENROLLED = "not_enrolled"  #: signed in, not enrolled: enrol first
    NO_LOG = "no_log"  #: enrolled, no build log yet: start one
    DRAFT = "draft"  #: a log that was never submitted: continue, then submit
    SUBMITTED = "submitted"  #: submitted at least once: waiting for reviews, may resubmit
    CLOSED = "closed"  #: the submission deadline has passed


@dataclass(frozen=True)
class SubmissionInfo:
    """A submitted version without its snapshot text, for lists and the status line."""

    id: int
    version: int
    created_at: datetime


# --- Reading -----------------------------------------------------------------------------


def _live_assignments() -> Select[Any]:
    return (
        select(Assignment)
        .where(Assignment.removed_at.is_(None), Assignment.current_revision_id.is_not(None))
        .options(joinedload(Assignment.current))
        .order_by(Assignment.id)
    )


def course_assignments(course: Course) -> list[Assignment]:
    """The course's live assignments, revisions loaded (one query whatever their number)."""
    return list(db.session.scalars(_live_assignments().where(Assignment.course_id == course.id)))


def module_assignments(module: Module) -> list[Assignment]:
    return list(db.session.scalars(_live_assignments().where(Assignment.module_id == module.id)))


def assignment_in_course(course_slug: str, slug: str) -> Assignment | None:
    """A live assignment named by its course's slug and its own, with the course (its
    authors and tags), its revision and its module joined: one query for what
    ``course_by_slug`` and :func:`assignment_by_slug` load in two."""
    course = joinedload(Assignment.course)
    return (
        db.session.scalars(
            _live_assignments()
            .join(Course, Course.id == Assignment.course_id)
            .where(Course.slug == course_slug, Assignment.slug == slug)
            .options(
                course.joinedload(Course.authors),
                course.joinedload(Course.tags),
                joinedload(Assignment.module).joinedload(Module.current),
            )
        )
        .unique()
        .first()
    )


def assignment_by_slug(course: Course, slug: str) -> Assignment | None:
    """A live assignment with its module (and the module's title), which its pages name."""
    return db.session.scalar(
        _live_assignments()
        .where(Assignment.course_id == course.id, Assignment.slug == slug)
        .options(joinedload(Assignment.module).joinedload(Module.current))
    )


def log_of(user: User, assignment: Assignment) -> BuildLog | None:
    """The user's build log for ``assignment`` with everything a page shows, in one go.

    The log comes with its entries (joined), then their photos with blobs (joined) and
    their measurements in one selectinload each: three queries however long the log is.
    """
    if not user.is_authenticated:
        return None
    return (
        db.session.scalars(
            select(BuildLog)
            .where(BuildLog.assignment_id == assignment.id, BuildLog.user_id == user.id)
            .options(
                joinedload(BuildLog.entries).options(
                    selectinload(BuildLogEntry.photos).joinedload(EntryPhoto.blob),
                    selectinload(BuildLogEntry.measurements),
                )
            )
        )
        .unique()
        .first()
    )


def submissions_of(log: BuildLog) -> list[SubmissionInfo]:
    """Every submitted version, oldest first, without loading the snapshots."""
    rows = db.session.execute(
        select(Submission.id, Submission.version, Submission.created_at)
        .where(Submission.log_id == log.id)
        .order_by(Submission.version)
    )
    return [SubmissionInfo(row.id, row.version, row.created_at) for row in rows]


def submissions_and_latest(log: BuildLog) -> tuple[list[SubmissionInfo], str | None]:
    """:func:`submissions_of` and :func:`latest_snapshot` together, in one query: only
    the latest version's snapshot text comes back (the others' is NULL in the rows)."""
    newest = (
        select(func.max(Submission.version)).where(Submission.log_id == log.id).scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Submission.id,
            Submission.version,
            Submission.created_at,
            case((Submission.version == newest, Submission.snapshot), else_=None),
        )
        .where(Submission.log_id == log.id)
        .order_by(Submission.version)
    ).all()
    versions = [SubmissionInfo(row[0], row[1], row[2]) for row in rows]
    return versions, (rows[-1][3] if rows else None)


def latest_snapshot(log: BuildLog) -> str | None:
    return db.session.scalar(
        select(Submission.snapshot)
        .where(Submission.log_id == log.id)
        .order_by(Submission.version.desc())
        .limit(1)
    )


def submission_version(log: BuildLog, version: int) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(Submission.log_id == log.id, Submission.version == version)
    )


def photo_types(shas: set[str]) -> dict[str, str]:
    """Content type by SHA-256, so photo URLs get the right extension (one query)."""
    if not shas:
        return {}
    rows = db.session.execute(
        select(PhotoBlob.sha256, PhotoBlob.content_type).where(PhotoBlob.sha256.in_(shas))
    )
    return {row.sha256: row.content_type for row in rows}


def deadline_passed(
    assignment: Assignment, now: datetime | None = None, user_id: int | None = None
) -> bool:
    """Whether submitting is closed for ``user_id`` (their own dates, see ``deadlines``),
    or by the course's dates when no learner is named."""
    deadline = deadlines_of(user_id, assignment).submit_by
    return deadline is not None and (now or utcnow()) >= deadline


def phase_of(
    user: User, assignment: Assignment, enrolled: bool, log: BuildLog | None, submitted: bool
) -> Phase:
    """The learner's phase; a passed deadline closes the assignment whatever came before."""
    if not user.is_authenticated:
        return Phase.ANONYMOUS
    if not enrolled:
        return Phase.NOT_ENROLLED
    if deadline_passed(assignment, user_id=user.id):
        return Phase.CLOSED
    if log is None:
        return Phase.NO_LOG
    return Phase.SUBMITTED if submitted else Phase.DRAFT


# --- Changing ----------------------------------------------------------------------------


def _touch(log: BuildLog) -> None:
    log.updated_at = utcnow()


def start_log(user: User, assignment: Assignment) -> BuildLog:
    """Create the user's empty build log; one per learner and assignment."""
    if deadline_passed(assignment, user_id=user.id):
        raise BuildLogRefused("closed")
    if log_of(user, assignment) is not None:
        raise BuildLogRefused("already_started")
    log = BuildLog(assignment_id=assignment.id, user_id=user.id, title="", summary="")
    db.session.add(log)
    db.session.flush()
    return log


def save_log(user: User, log: BuildLog, title: str, summary: str) -> None:
    log.title = title
    log.summary = summary
    _touch(log)
    db.session.flush()


def add_entry(
    user: User,
    log: BuildLog,
    entry_date: date,
    text: str,
    photo: tuple[bytes, str] | None = None,
) -> BuildLogEntry:
    """Add a dated entry, optionally with its first photo (bytes, caption).

    The photo is processed first, so a refused photo (PhotoError) adds no entry either.
    """
    processed = process_photo(photo[0]) if photo is not None else None
    entry = BuildLogEntry(log=log, entry_date=entry_date, text=text, position=len(log.entries))
    db.session.add(entry)
    db.session.flush()
    if photo is not None and processed is not None:
        _attach(entry, _blob_for(processed), photo[1])
    _touch(log)
    db.session.flush()
    return entry


def update_entry(user: User, entry: BuildLogEntry, entry_date: date, text: str) -> None:
    entry.entry_date = entry_date
    entry.text = text
    _touch(entry.log)
    db.session.flush()


def delete_entry(user: User, entry: BuildLogEntry) -> None:
    """Delete a draft entry. Submitted versions keep their own copy, so nothing is lost."""
    log = entry.log
    log.entries.remove(entry)
    _touch(log)
    db.session.flush()


def _blob_for(processed: ProcessedPhoto) -> PhotoBlob:
    """The stored photo with these bytes, created once even if two uploads race."""
    blob = db.session.scalar(select(PhotoBlob).where(PhotoBlob.sha256 == processed.sha256))
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
        try:
            with db.session.begin_nested():
                db.session.add(blob)
        except IntegrityError:  # the same photo was stored by a concurrent upload
            blob = db.session.scalar(select(PhotoBlob).where(PhotoBlob.sha256 == processed.sha256))
            assert blob is not None
    return blob


def _attach(entry: BuildLogEntry, blob: PhotoBlob, caption: str) -> EntryPhoto:
    position = max((photo.position for photo in entry.photos), default=-1) + 1
    photo = EntryPhoto(blob=blob, caption=caption, position=position)
    entry.photos.append(photo)
    return photo


def add_photo(user: User, entry: BuildLogEntry, data: bytes, caption: str) -> EntryPhoto:
    """Check, re-encode and attach a photo; the same picture is stored once (by SHA-256).

    Raises BuildLogRefused("too_many_photos") before decoding anything, and PhotoError for
    a file that is not an acceptable photo.
    """
    if len(entry.photos) >= MAX_PHOTOS_PER_ENTRY:
        raise BuildLogRefused("too_many_photos")
    photo = _attach(entry, _blob_for(process_photo(data)), caption)
    _touch(entry.log)
    db.session.flush()
    return photo


def remove_photo(user: User, photo: EntryPhoto, entry: BuildLogEntry) -> None:
    """Detach the photo from the draft; its blob stays, as submissions may refer to it."""
    entry.photos.remove(photo)
    _touch(entry.log)
    db.session.flush()


def add_measurement(user: User, entry: BuildLogEntry, measurement: Measurement) -> None:
    position = max((m.position for m in entry.measurements), default=-1) + 1
    entry.measurements.append(
        EntryMeasurement(
            name=measurement.name,
            value=measurement.value,
            unit=measurement.unit,
            position=position,
        )
    )
    _touch(entry.log)
    db.session.flush()


def remove_measurement(user: User, measurement: EntryMeasurement, entry: BuildLogEntry) -> None:
    entry.measurements.remove(measurement)
    _touch(entry.log)
    db.session.flush()


def submit(user: User, log: BuildLog) -> Submission | None:
    """Submit the draft as a new immutable version (n + 1).

    Refused after the deadline, without a title or without entries. Returns None when the
    draft is exactly the latest submitted version (a double click, or nothing changed), so
    versions only ever record real changes. A new version is announced as ``log_submitted``
    (peer review queues the log), inside this call and so in the caller's transaction.
    """
    if deadline_passed(log.assignment, user_id=log.user_id):
        raise BuildLogRefused("closed")
    if not log.title.strip():
        raise BuildLogRefused("no_title")
    if not log.entries:
        raise BuildLogRefused("no_entries")
    snapshot = snapshot_json(log)
    if snapshot == latest_snapshot(log):
        return None
    last = db.session.scalar(
        select(Submission.version)
        .where(Submission.log_id == log.id)
        .order_by(Submission.version.desc())
        .limit(1)
    )
    submission = Submission(log_id=log.id, version=(last or 0) + 1, snapshot=snapshot)
    db.session.add(submission)
    db.session.flush()
    log_submitted.send(log, submission=submission)
    return submission
