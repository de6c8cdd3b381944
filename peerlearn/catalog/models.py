from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.authoring.models import CourseMedia, Module


class Course(CreatedAtMixin, Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The bundle's stable id (course.yml ``id``): survives renames, never reused.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(20), index=True)
    licence: Mapped[str] = mapped_column(String(40))
    #: Bundle ids of the course this one was forked from / translated from, if any.
    forked_from: Mapped[str | None] = mapped_column(String(64))
    translation_of: Mapped[str | None] = mapped_column(String(64))
    #: Title, summary and tags folded for accent- and case-insensitive search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    authors: Mapped[list[CourseAuthor]] = relationship(
        back_populates="course", order_by="CourseAuthor.position", cascade="all, delete-orphan"
    )
    tags: Mapped[list[CourseTag]] = relationship(
        back_populates="course", order_by="CourseTag.position", cascade="all, delete-orphan"
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="course",
        order_by="Module.position",
        primaryjoin="and_(Course.id == Module.course_id, Module.removed_at.is_(None))",
        viewonly=True,
    )
    media: Mapped[list[CourseMedia]] = relationship(
        back_populates="course", order_by="CourseMedia.path", cascade="all, delete-orphan"
    )

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    @property
    def author_names(self) -> list[str]:
        return [author.name for author in self.authors]


class CourseAuthor(Model):
    """A credited author as the bundle lists them, in order."""

    __tablename__ = "course_authors"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))

    course: Mapped[Course] = relationship(back_populates="authors")


class CourseTag(Model):
    __tablename__ = "course_tags"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40), index=True)

    course: Mapped[Course] = relationship(back_populates="tags")


class Enrolment(CreatedAtMixin, Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: Set by a maintainer when the course works in teams: teammates never review each
    #: other's build logs.
    team: Mapped[str | None] = mapped_column(String(60))

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class ModuleProgress(Model):
    """A module a learner marked as done. Kept when they leave, so rejoining restores it."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
