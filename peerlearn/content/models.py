"""Courses and their content: the course with its authors and tags, modules, revisions,
deduplicated text, media, maintainers and the course's structural history. Every feature
reads these, so they sit low, above only the user model.

History is append-only: a revision is never updated; a module points at its current one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User


class Course(CreatedAtMixin, Model):
    __tablename__ = "courses"
    #: The catalog's unfiltered pages read courses in title order, ten at a time.
    __table_args__ = (Index("ix_courses_title_id", "title", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The bundle's stable id (course.yml ``id``): survives renames, never reused.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(20), index=True)
    licence: Mapped[str] = mapped_column(String(40))
    #: Bundle ids of the course this one was forked from / translated from, if any.
    #: Indexed: the fork network walks down them, the course page finds its translations.
    forked_from: Mapped[str | None] = mapped_column(String(64), index=True)
    translation_of: Mapped[str | None] = mapped_column(String(64), index=True)
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


class Module(CreatedAtMixin, Model):
    """A module's identity and place in its course; its content lives in revisions."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: The stable module id (bundle front matter ``id``); a fork's copy keeps it.
    key: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    #: Set when the module leaves the course; the row and its history stay.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_revisions.id", use_alter=True)
    )
    #: For a fork or translation: the module it came from, and the upstream revision last
    #: taken (the base of the next three-way merge from upstream).
    upstream_module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL"), index=True
    )
    upstream_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_revisions.id", use_alter=True, ondelete="SET NULL")
    )

    course: Mapped[Course] = relationship(back_populates="modules", foreign_keys=[course_id])
    current: Mapped[ModuleRevision] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    upstream_module: Mapped[Module | None] = relationship(
        remote_side=[id], foreign_keys=[upstream_module_id]
    )
    upstream_revision: Mapped[ModuleRevision | None] = relationship(
        foreign_keys=[upstream_revision_id], post_update=True
    )

    @property
    def title(self) -> str:
        return self.current.title


class ModuleContent(Model):
    """A module body, stored once however many revisions, forks and reverts share it."""

    __tablename__ = "module_contents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)


def _table_of(cls: object) -> str:
    # A declared_attr receives the mapped class, which mypy sees as an instance.
    return str(vars(cls)["__tablename__"])


def _name_of(cls: object) -> str:
    return cls.__name__ if isinstance(cls, type) else type(cls).__name__


class RevisionMixin(CreatedAtMixin):
    """The shape every versioned document's revision shares: its text (deduplicated in
    ``module_contents``), who wrote and who saved it, what it was edited from and how it
    came about. Never updated: a change is a new row.

    Each document type keeps its own table (``module_revisions``, ``assignment_revisions``):
    both already hold these columns, so sharing them through this mixin gives one
    implementation of history, diff, sync and proposals with no migration of data; the
    mixin keeps the two shapes identical from now on. A concrete class adds the column
    naming its document and says which one it is in ``document_column``.
    """

    #: The name of the column that points at the revision's document.
    document_column: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True)
    #: How it came about: import, create, edit, merge, revert, fork, sync, proposal.
    kind: Mapped[str] = mapped_column(String(16), default="edit")
    summary: Mapped[str] = mapped_column(String(200), default="")

    @declared_attr
    def content_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("module_contents.id"), index=True)

    @declared_attr
    def author_id(cls) -> Mapped[int | None]:
        """Whose words these are: the editor, or the upstream author for a sync or an
        accepted proposal. Empty for text that arrived in a bundle (credited by the
        course's authors)."""
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def saved_by_id(cls) -> Mapped[int | None]:
        """Who saved it, when that differs from the author (a maintainer merging upstream)."""
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def parent_id(cls) -> Mapped[int | None]:
        """The revision this one was edited from (None for a document's first revision)."""
        return mapped_column(ForeignKey(f"{_table_of(cls)}.id", ondelete="SET NULL"))

    @declared_attr
    def content(cls) -> Mapped[ModuleContent]:
        return relationship(ModuleContent, lazy="joined")

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship("User", foreign_keys=f"{_name_of(cls)}.author_id")

    @declared_attr
    def saved_by(cls) -> Mapped[User | None]:
        return relationship("User", foreign_keys=f"{_name_of(cls)}.saved_by_id")

    @property
    def text(self) -> str:
        return self.content.body

    @property
    def body(self) -> str:
        return self.content.body

    @property
    def document_id(self) -> int:
        """The id of the module, assignment, … this is a revision of."""
        value: int = getattr(self, self.document_column)
        return value


class ModuleRevision(RevisionMixin, Model):
    """One saved version of a module: its title and Markdown body."""

    __tablename__ = "module_revisions"
    document_column = "module_id"

    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))


class CourseMedia(CreatedAtMixin, Model):
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


class CourseMaintainer(CreatedAtMixin, Model):
    """A user who may edit the course, add maintainers and decide on proposals."""

    __tablename__ = "course_maintainers"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CourseEvent(CreatedAtMixin, Model):
    """One change to a course's structure or metadata, for the course history page.

    ``kind`` is one of: created, forked, module_added, module_removed, module_moved,
    metadata, maintainer_added, synced, proposal_accepted. ``detail`` is a short JSON
    object (field names and old/new values) that the history page turns into a sentence.
    """

    __tablename__ = "course_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(Text, default="{}")

    actor: Mapped[User | None] = relationship()
    module: Mapped[Module | None] = relationship()
