"""Discussions: threads of posts about a course, a module, a build log or a circle.

A thread names what it is about as a pair (``target_kind``, ``target_id``) rather than one
foreign key per kind, so that a new kind of place to talk (circles) plugs in without a
migration of this table; ``course_id`` is kept beside it because every target belongs to a
course, and moderation (who may hide, where a report goes) is decided per course.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User

#: The longest thread title.
TITLE_MAX = 200
#: The longest post and report reason, in characters: a long answer fits, a pasted book not.
BODY_MAX = 20_000
REASON_MAX = 1_000


class TargetKind(StrEnum):
    #: A course as a whole (target_id: courses.id).
    COURSE = "course"
    #: One module (target_id: modules.id).
    MODULE = "module"
    #: A learner's build log (target_id: build_logs.id); seen by few, shown blind.
    LOG = "log"
    #: A facilitated circle (target_id: circles.id).
    CIRCLE = "circle"


class ReportKind(StrEnum):
    #: A post (target_id: discussion_posts.id).
    POST = "post"
    #: A course (target_id: courses.id).
    COURSE = "course"
    #: A module (target_id: modules.id).
    MODULE = "module"


class Thread(CreatedAtMixin, Model):
    __tablename__ = "discussion_threads"
    __table_args__ = (
        Index("ix_discussion_threads_target", "target_kind", "target_id", "last_post_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    #: When the last visible post was written: threads are listed by it, pinned first.
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A locked thread takes no more replies (its moderators may still write).
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A hidden thread is seen by its moderators only.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The change proposal that fixes what was reported here (a module's maintainer links it).
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_proposals.id", ondelete="SET NULL")
    )

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class Post(CreatedAtMixin, Model):
    """One message. Deleting keeps the row as a stub ("deleted") so that the replies
    around it keep their context; hiding (by a moderator) keeps the text for moderators."""

    __tablename__ = "discussion_posts"
    __table_args__ = (Index("ix_discussion_posts_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Markdown, rendered only through peerlearn.markdown.
    body: Mapped[str] = mapped_column(Text)
    #: How many links the body holds (new accounts' links are limited).
    links: Mapped[int] = mapped_column(Integer, default=0)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    thread: Mapped[Thread] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class PostEdit(CreatedAtMixin, Model):
    """The text a post had before an edit: what someone wrote is kept, not overwritten
    (rule 3 of DESIGN.md); deleting the post removes its history with its text."""

    __tablename__ = "discussion_post_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_posts.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)


class Follower(CreatedAtMixin, Model):
    """Who hears of new replies: the thread's author, everyone who replied or was
    mentioned."""

    __tablename__ = "discussion_followers"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_threads.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Report(CreatedAtMixin, Model):
    """Someone asks the maintainers and site admins to look at a post, a course or a module.
    It stays open until one of them hides what was reported or dismisses the report."""

    __tablename__ = "discussion_reports"
    __table_args__ = (
        UniqueConstraint("target_kind", "target_id", "reporter_id"),
        Index("ix_discussion_reports_open", "course_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: "hidden" or "dismissed".
    resolution: Mapped[str] = mapped_column(String(16), default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
