"""What course maintainers see of learners' build logs: the submissions list, one submitted
version, and the data the zip export is built from.

Queries only; nothing here changes a row. Every list is loaded in a fixed number of
queries (house rule 4), whatever the number of learners on the page. Whether a draft has
changed since its last submission is decided by comparing the draft's snapshot with the
submitted one, not by timestamps, so a submit that touches ``updated_at`` a millisecond
after the snapshot's ``created_at`` is never reported as a change.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from peerlearn.accounts.models import User
from peerlearn.assignments.models import (
    Assignment,
    BuildLog,
    BuildLogEntry,
    EntryPhoto,
    PhotoBlob,
    Submission,
)
from peerlearn.assignments.snapshots import LogView, snapshot_json, view_of_snapshot
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course
from peerlearn.extensions import db

#: Learners shown per page of the submissions list.
PER_PAGE = 25
#: How many learners' photos the export loads at once: bounds memory and query count.
EXPORT_BATCH = 20


class LogState(enum.Enum):
    DRAFT = "draft"  #: never submitted
    SUBMITTED = "submitted"  #: the draft is what was last submitted
    CHANGED = "changed"  #: submitted, and the draft has changed since


class SortOrder(enum.Enum):
    RECENT = "recent"  #: latest activity first: what a maintainer checks day to day
    NAME = "name"  #: by username: finding one learner


@dataclass(frozen=True)
class VersionRef:
    id: int
    version: int
    submitted_at: datetime


@dataclass(frozen=True)
class LogRow:
    """One learner's line in the submissions list."""

    log_id: int
    username: str
    state: LogState
    entries: int
    photos: int
    versions: tuple[VersionRef, ...]
    last_activity: datetime

    @property
    def latest(self) -> VersionRef | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class Summary:
    enrolled: int
    logs: int
    submitted: int

    @property
    def drafts(self) -> int:
        return self.logs - self.submitted


@dataclass(frozen=True)
class SubmissionPage:
    rows: list[LogRow]
    summary: Summary
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.summary.logs / self.per_page))


@dataclass(frozen=True)
class ExportItem:
    """A learner's latest submitted version, as the zip export needs it."""

    username: str
    version: int
    submitted_at: datetime
    view: LogView


def assignment_by_slug(course: Course, slug: str) -> Assignment | None:
    """The course's assignment with ``slug``; removed assignments keep their submissions."""
    return db.session.scalar(
        select(Assignment)
        .where(Assignment.course_id == course.id, Assignment.slug == slug)
        .order_by(Assignment.removed_at.is_not(None), Assignment.id)
        .limit(1)
    )


def submission_of(assignment: Assignment, submission_id: int) -> Submission | None:
    """The submission, only if it belongs to a build log of ``assignment`` (else None)."""
    return db.session.scalar(
        select(Submission)
        .join(BuildLog, BuildLog.id == Submission.log_id)
        .where(Submission.id == submission_id, BuildLog.assignment_id == assignment.id)
        .options(selectinload(Submission.log).selectinload(BuildLog.user))
    )


def versions_of(log_id: int) -> list[VersionRef]:
    """Every submitted version of a log, oldest first, without loading the snapshots."""
    rows = db.session.execute(
        select(Submission.id, Submission.version, Submission.created_at)
        .where(Submission.log_id == log_id)
        .order_by(Submission.version)
    )
    return [VersionRef(id, version, created) for id, version, created in rows]


def summary_of(assignment: Assignment) -> Summary:
    """Enrolled learners, build logs, and logs with at least one submission (two queries)."""
    enrolled = db.session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.course_id == assignment.course_id)
    )
    submitted = select(Submission.log_id).distinct().scalar_subquery()
    logs, with_submission = db.session.execute(
        select(
            func.count(BuildLog.id),
            func.count(case((BuildLog.id.in_(submitted), BuildLog.id))),
        ).where(BuildLog.assignment_id == assignment.id)
    ).one()
    return Summary(enrolled=enrolled or 0, logs=logs or 0, submitted=with_submission or 0)


def _photo_blob_metadata() -> LoaderOption:
    """Load a photo's blob without its bytes: the list only needs sizes and the key."""
    return (
        selectinload(BuildLog.entries)
        .selectinload(BuildLogEntry.photos)
        .selectinload(EntryPhoto.blob)
        .load_only(
            PhotoBlob.sha256,
            PhotoBlob.content_type,
            PhotoBlob.display_width,
            PhotoBlob.display_height,
            PhotoBlob.thumbnail_width,
            PhotoBlob.thumbnail_height,
        )
    )


def _page_query(assignment: Assignment, order: SortOrder) -> Select[BuildLog, datetime]:
    last_submitted = (
        select(Submission.log_id, func.max(Submission.created_at).label("at"))
        .group_by(Submission.log_id)
        .subquery()
    )
    # Latest of draft edit and submission; CASE because SQLite has no GREATEST.
    activity = case(
        (last_submitted.c.at > BuildLog.updated_at, last_submitted.c.at),
        else_=BuildLog.updated_at,
    ).label("activity")
    stmt = (
        select(BuildLog, activity)
        .join(User, User.id == BuildLog.user_id)
        .outerjoin(last_submitted, last_submitted.c.log_id == BuildLog.id)
        .where(BuildLog.assignment_id == assignment.id)
        .options(
            selectinload(BuildLog.user).load_only(User.username),
            _photo_blob_metadata(),
            selectinload(BuildLog.entries).selectinload(BuildLogEntry.measurements),
        )
    )
    if order is SortOrder.NAME:
        return stmt.order_by(User.username, BuildLog.id)
    return stmt.order_by(activity.desc(), User.username, BuildLog.id)


def submission_page(
    assignment: Assignment, page: int, order: SortOrder = SortOrder.RECENT, per_page: int = PER_PAGE
) -> SubmissionPage:
    """One page of the list in a fixed number of queries (summary 2, logs 1, their entries,
    photos, blobs and measurements 4, versions 1, latest snapshots 1)."""
    summary = summary_of(assignment)
    stmt = _page_query(assignment, order).limit(per_page).offset((page - 1) * per_page)
    results = db.session.execute(stmt).all()
    log_ids = [log.id for log, _ in results]
    versions: dict[int, list[VersionRef]] = {log_id: [] for log_id in log_ids}
    latest_ids: dict[int, int] = {}
    if log_ids:
        for sid, log_id, version, created in db.session.execute(
            select(Submission.id, Submission.log_id, Submission.version, Submission.created_at)
            .where(Submission.log_id.in_(log_ids))
            .order_by(Submission.log_id, Submission.version)
        ):
            versions[log_id].append(VersionRef(sid, version, created))
            latest_ids[log_id] = sid
    snapshots: dict[int, str] = {}
    if latest_ids:
        found = db.session.execute(
            select(Submission.log_id, Submission.snapshot).where(
                Submission.id.in_(latest_ids.values())
            )
        )
        snapshots = {log_id: snapshot for log_id, snapshot in found}
    rows = [
        _row(log, activity, versions[log.id], snapshots.get(log.id)) for log, activity in results
    ]
    return SubmissionPage(rows=rows, summary=summary, page=page, per_page=per_page)


def _row(
    log: BuildLog, activity: datetime, versions: list[VersionRef], latest: str | None
) -> LogRow:
    if latest is None:
        state = LogState.DRAFT
    elif snapshot_json(log) == latest:
        state = LogState.SUBMITTED
    else:
        state = LogState.CHANGED
    return LogRow(
        log_id=log.id,
        username=log.user.username,
        state=state,
        entries=len(log.entries),
        photos=sum(len(entry.photos) for entry in log.entries),
        versions=tuple(versions),
        last_activity=activity,
    )


def latest_submissions(assignment: Assignment) -> Iterator[ExportItem]:
    """Each learner's latest submitted version, by username (one query for all of them)."""
    latest = (
        select(Submission.log_id, func.max(Submission.version).label("version"))
        .group_by(Submission.log_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User.username, Submission.version, Submission.created_at, Submission.snapshot)
        .join(BuildLog, BuildLog.id == Submission.log_id)
        .join(User, User.id == BuildLog.user_id)
        .join(
            latest,
            (latest.c.log_id == Submission.log_id) & (latest.c.version == Submission.version),
        )
        .where(BuildLog.assignment_id == assignment.id)
        .order_by(User.username)
    )
    for username, version, created, snapshot in rows:
        yield ExportItem(username, version, created, view_of_snapshot(snapshot))


def photo_bytes(shas: Sequence[str]) -> dict[str, tuple[bytes, str]]:
    """Display bytes and content type of photos by SHA-256, in one query."""
    if not shas:
        return {}
    rows = db.session.execute(
        select(PhotoBlob.sha256, PhotoBlob.display, PhotoBlob.content_type).where(
            PhotoBlob.sha256.in_(set(shas))
        )
    )
    return {sha: (data, content_type) for sha, data, content_type in rows}
