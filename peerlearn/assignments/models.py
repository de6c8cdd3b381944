"""Assignments (with their revisions, like modules) and learners' build logs.

An assignment's content is its canonical YAML (``assignment_writer``), stored once in
``module_contents`` and versioned like module text, so history, forks and bundles treat
it exactly as they treat modules. A build log is the learner's own working draft; every
submission is an immutable snapshot, so reviewers always see what was submitted.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.content.models import RevisionMixin
from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.content.models import Course, Module


class Assignment(CreatedAtMixin, Model):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: The stable assignment id (the YAML ``id``); a fork's copy keeps it.
    key: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(80))
    #: The module the assignment belongs to (the YAML ``module`` key, resolved).
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL"), index=True
    )
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment_revisions.id", use_alter=True)
    )
    upstream_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL")
    )
    upstream_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment_revisions.id", use_alter=True, ondelete="SET NULL")
    )

    course: Mapped[Course] = relationship()
    module: Mapped[Module | None] = relationship()
    current: Mapped[AssignmentRevision] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )


class AssignmentRevision(RevisionMixin, Model):
    """One saved version of an assignment's YAML (columns shared with module revisions)."""

    __tablename__ = "assignment_revisions"
    document_column = "assignment_id"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )


class PhotoBlob(CreatedAtMixin, Model):
    """A verified, re-encoded photo, stored once by the SHA-256 of its display bytes.

    In the database so that every app instance behind a load balancer serves it. The
    image bytes are deferred: a page that shows a log's photos needs their ids and sizes
    for its ``<img>`` tags, not ~120 KB of JPEG each (loaded with every log page, they
    grew each worker by the photos it had shown); the photo route selects the bytes.
    """

    __tablename__ = "photo_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    display: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    display_width: Mapped[int] = mapped_column(Integer)
    display_height: Mapped[int] = mapped_column(Integer)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumbnail_width: Mapped[int] = mapped_column(Integer)
    thumbnail_height: Mapped[int] = mapped_column(Integer)


class BuildLog(CreatedAtMixin, Model):
    """A learner's build log for one assignment: their working draft."""

    __tablename__ = "build_logs"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignment: Mapped[Assignment] = relationship()
    user: Mapped[User] = relationship()
    entries: Mapped[list[BuildLogEntry]] = relationship(
        back_populates="log",
        order_by="(BuildLogEntry.entry_date, BuildLogEntry.position, BuildLogEntry.id)",
        cascade="all, delete-orphan",
    )
    submissions: Mapped[list[Submission]] = relationship(
        back_populates="log", order_by="Submission.version"
    )


class BuildLogEntry(CreatedAtMixin, Model):
    """A dated entry: what was done, photos and measurements."""

    __tablename__ = "build_log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    entry_date: Mapped[date] = mapped_column(Date)
    #: Markdown, rendered only through peerlearn.markdown.
    text: Mapped[str] = mapped_column(Text, default="")

    log: Mapped[BuildLog] = relationship(back_populates="entries")
    photos: Mapped[list[EntryPhoto]] = relationship(
        order_by="EntryPhoto.position", cascade="all, delete-orphan"
    )
    measurements: Mapped[list[EntryMeasurement]] = relationship(
        order_by="EntryMeasurement.position", cascade="all, delete-orphan"
    )


class EntryPhoto(Model):
    __tablename__ = "entry_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("build_log_entries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    blob_id: Mapped[int] = mapped_column(ForeignKey("photo_blobs.id"), index=True)
    #: Shown under the photo and used as its alt text.
    caption: Mapped[str] = mapped_column(String(300), default="")

    blob: Mapped[PhotoBlob] = relationship()


class EntryMeasurement(Model):
    __tablename__ = "entry_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("build_log_entries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[Decimal] = mapped_column(Numeric(24, 6, asdecimal=True))
    unit: Mapped[str] = mapped_column(String(20), default="")


class Submission(CreatedAtMixin, Model):
    """A submitted version of a build log: an immutable JSON snapshot of the whole log.

    Photos in a snapshot refer to photo blobs by SHA-256; :class:`SubmissionPhoto` lists
    them, so a photo stays served for as long as a submitted version shows it.
    """

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("log_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[str] = mapped_column(Text)

    log: Mapped[BuildLog] = relationship(back_populates="submissions")


class SubmissionPhoto(Model):
    """A photo that a submitted version shows (the snapshot's photos, as rows).

    The photo route serves a photo only while a draft entry or a submitted version uses
    it, and asking the snapshots' JSON would read every submission. Rows are written when
    the submission is inserted (:func:`_record_submission_photos`) and go with it.
    """

    __tablename__ = "submission_photos"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    blob_id: Mapped[int] = mapped_column(
        ForeignKey("photo_blobs.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def snapshot_photo_hashes(snapshot: str) -> set[str]:
    """The SHA-256 keys of the photos in a submission's JSON snapshot."""
    data = json.loads(snapshot)
    return {photo["sha256"] for entry in data["entries"] for photo in entry["photos"]}


@event.listens_for(Submission, "after_insert")
def _record_submission_photos(_mapper: Any, connection: Connection, submission: Submission) -> None:
    """List the new submission's photos, whichever code created it.

    A listener rather than a line in ``buildlogs.submit``: a submission is immutable and
    its snapshot is the truth, so deriving the rows at the one moment a snapshot is born
    means no other way of creating one (a fixture, a future import) can leave a submitted
    photo unserved.
    """
    hashes = snapshot_photo_hashes(submission.snapshot)
    if hashes:
        connection.execute(
            insert(SubmissionPhoto).from_select(
                ["submission_id", "blob_id"],
                select(literal(submission.id, Integer), PhotoBlob.id).where(
                    PhotoBlob.sha256.in_(hashes)
                ),
            )
        )
