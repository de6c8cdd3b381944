"""Forking a course: a copy its new maintainer owns, that remembers where every module
(and assignment) came from, so that upstream changes can be merged in and changes offered back.

Copies share their text with the original (module text is stored once), so a fork costs
a few rows per module, not a copy of its history.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.services import copy_assignments
from peerlearn.catalog.search import searchable_text
from peerlearn.content.models import (
    Course,
    CourseAuthor,
    CourseMaintainer,
    CourseMedia,
    CourseTag,
    Module,
    ModuleRevision,
)
from peerlearn.content.revisions import copy_current, record_event
from peerlearn.extensions import db
from peerlearn.licences import fork_licences


class ForkError(ValueError):
    """A fork request that cannot be honoured; ``field`` names the form field at fault."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code  #: slug_taken, licence_incompatible, same_language


def fork_course(
    user: User,
    parent: Course,
    *,
    slug: str,
    title: str,
    licence: str,
    language: str | None = None,
    as_translation: bool = False,
) -> Course:
    """Copy ``parent`` into a new course maintained by ``user``; flush, do not commit."""
    if db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise ForkError("slug", "slug_taken")
    if licence not in fork_licences(parent.licence):
        raise ForkError("licence", "licence_incompatible")
    language = language or parent.language
    if as_translation and language == parent.language:
        raise ForkError("language", "same_language")
    tags = [tag.name for tag in parent.tags]
    fork = Course(
        key=str(uuid.uuid4()),
        slug=slug,
        title=title,
        summary=parent.summary,
        language=language,
        licence=licence,
        forked_from=None if as_translation else parent.key,
        translation_of=parent.key if as_translation else None,
        search_text=searchable_text(title, parent.summary, tags),
        authors=[CourseAuthor(position=a.position, name=a.name) for a in parent.authors],
        tags=[CourseTag(position=t.position, name=t.name) for t in parent.tags],
        media=[
            CourseMedia(
                path=m.path, content_type=m.content_type, sha256=m.sha256, content=m.content
            )
            for m in parent.media
        ],
    )
    db.session.add(fork)
    db.session.flush()
    db.session.add(CourseMaintainer(course_id=fork.id, user_id=user.id, added_by_id=user.id))
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id == parent.id, Module.removed_at.is_(None))
        # The copy credits each module's author, so load them with the modules, not one
        # query per module.
        .options(selectinload(Module.current).selectinload(ModuleRevision.author))
        .order_by(Module.position)
    )
    for source in modules:
        copy_module(
            source, fork, slug=source.slug, position=source.position, user=user, kind="fork"
        )
    # After the modules, so each assignment can point at its module's copy.
    copy_assignments(parent, fork, user)
    record_event(
        fork, "forked", user, parent=parent.slug, parent_title=parent.title,
        translation=as_translation, language=language,
    )  # fmt: skip
    return fork


def copy_module(
    source: Module,
    course: Course,
    *,
    slug: str,
    position: int,
    user: User,
    kind: str,
    summary: str = "",
) -> Module:
    """Copy ``source`` (its current text) into ``course``, remembering where it came from.

    The copy keeps the stable key and credits the text to its author; ``user`` is recorded
    as the one who saved it. Used by forks and by modules taken from upstream in a sync.
    """
    copy = Module(
        course_id=course.id,
        key=source.key,
        slug=slug,
        position=position,
        upstream_module_id=source.id,
        upstream_revision_id=source.current_revision_id,
    )
    db.session.add(copy)
    db.session.flush()
    copy_current(copy, source, saved_by=user, kind=kind, summary=summary)
    return copy


def unique_slug(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``-3``... if a module of the course already uses it.

    The chosen slug is added to ``taken`` so a caller adding several modules stays unique.
    """
    slug, n = wanted, 2
    while slug in taken:
        slug = f"{wanted[:70]}-{n}"
        n += 1
    taken.add(slug)
    return slug
