from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime
from peerlearn.extensions import db

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.catalog.models import Course


class Module(CreatedAtMixin, db.Model):  # type: ignore[name-defined,misc]
    """A module's identity and place in its course; its content lives in revisions."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: The bundle's stable module id (front matter ``id``).
    key: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    #: Set when the module leaves the course; the row and its history stay.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_revisions.id", use_alter=True)
    )

    course: Mapped[Course] = relationship(back_populates="modules", foreign_keys=[course_id])
    current: Mapped[ModuleRevision] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )

    @property
    def title(self) -> str:
        return self.current.title


class ModuleRevision(CreatedAtMixin, db.Model):  # type: ignore[name-defined,misc]
    """One saved version of a module. Never updated: a change is a new row."""

    __tablename__ = "module_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: Empty for content that arrived in a bundle import rather than from a user.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(String(200), default="")

    author: Mapped[User | None] = relationship()


class CourseMedia(CreatedAtMixin, db.Model):  # type: ignore[name-defined,misc]
    """An image shipped in a course bundle, kept byte for byte so export gives it back.

    Stored in the database so that every app instance behind a load balancer serves it.
    """

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    course: Mapped[Course] = relationship(back_populates="media")
