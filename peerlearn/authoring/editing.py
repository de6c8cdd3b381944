"""Changing courses and modules: create, settings, maintainers, module text and order.

Services take the acting user, flush and never commit: the view checks permission first
and commits once. Module text is only ever saved through ``content.revisions`` (the
one save path of every document type, ``module_document.MODULE``) and
structural changes are noted with ``revisions.record_event``, so history stays complete.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from typing import Any

from sqlalchemy import func, select

from peerlearn.accounts.models import User
from peerlearn.authoring import notices
from peerlearn.catalog.search import searchable_text
from peerlearn.catalog.services import course_by_key
from peerlearn.content.models import (
    Course,
    CourseAuthor,
    CourseMaintainer,
    CourseTag,
    Module,
)
from peerlearn.content.revisions import add_revision, record_event
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.licences import LICENCES, fork_licences


class EditingError(ValueError):
    """A request the data does not allow; ``field`` names the form field at fault.

    ``code`` is one of: slug_taken, licence_not_allowed, unknown_user, already_maintainer,
    unknown_base.
    """

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


# --- Courses -------------------------------------------------------------------------


def allowed_licences(course: Course | None) -> tuple[str, ...]:
    """Licences the course may carry: any for an original, a compatible one for a fork."""
    parent_key = (course.forked_from or course.translation_of) if course is not None else None
    parent = course_by_key(parent_key)
    if parent is None:
        return tuple(LICENCES)
    return fork_licences(parent.licence)


def slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None


def _set_tags(course: Course, names: list[str]) -> None:
    """Replace the course's tags, reusing rows for kept names so the (course, name)
    unique constraint never sees a delete and an insert of the same name in one flush."""
    existing = {tag.name: tag for tag in course.tags}
    for name, tag in existing.items():
        if name not in names:
            course.tags.remove(tag)
    db.session.flush()
    kept = []
    for position, name in enumerate(names):
        tag = existing.get(name) or CourseTag(name=name)
        tag.position = position
        kept.append(tag)
    course.tags = kept


def create_course(
    user: User,
    *,
    title: str,
    slug: str,
    summary: str,
    language: str,
    tags: list[str],
    licence: str,
) -> Course:
    """A new, empty course; its creator maintains it and is credited as its author."""
    if slug_taken(slug):
        raise EditingError("slug", "slug_taken")
    if licence not in LICENCES:
        raise EditingError("licence", "licence_not_allowed")
    course = Course(
        key=str(uuid.uuid4()),
        slug=slug,
        title=title,
        summary=summary,
        language=language,
        licence=licence,
        search_text=searchable_text(title, summary, tags),
        authors=[CourseAuthor(position=0, name=user.username)],
        tags=[CourseTag(position=i, name=name) for i, name in enumerate(tags)],
    )
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseMaintainer(course_id=course.id, user_id=user.id, added_by_id=user.id))
    record_event(course, "created", user, title=title)
    return course


#: The course settings form's fields, in its order.
SETTINGS_FIELDS = ("title", "summary", "language", "tags", "licence")


def current_settings(course: Course) -> dict[str, Any]:
    """The course's settings as the settings form edits them (tags as a list)."""
    return {
        "title": course.title,
        "summary": course.summary,
        "language": course.language,
        "tags": course.tag_names,
        "licence": course.licence,
    }


def settings_version(course: Course) -> str:
    """A token of the settings as they are now: the settings form's base version.

    A hash of the values rather than ``updated_at``, which module and assignment edits
    also move: those would make every open settings form look stale. The hash changes only
    when a setting does, and needs no column.
    """
    values = json.dumps([current_settings(course)[name] for name in SETTINGS_FIELDS])
    return hashlib.sha256(values.encode()).hexdigest()[:32]


class SettingsConflict(Exception):
    """The settings changed after the form was loaded from ``base_version``.

    ``current`` holds the settings as saved now (``current_settings``), ``version`` their
    token for the form, so that saving again knowingly replaces them.
    """

    def __init__(self, current: dict[str, Any], version: str) -> None:
        super().__init__("stale settings form")
        self.current = current
        self.version = version


def update_settings(
    user: User,
    course: Course,
    *,
    base_version: str | None,
    title: str,
    summary: str,
    language: str,
    tags: list[str],
    licence: str,
) -> dict[str, dict[str, Any]]:
    """Change the course's metadata; returns the changed fields as {field: {old, new}}.

    ``base_version`` is the ``settings_version`` the form was loaded with. If someone has
    changed the settings since (or the form has no version), :class:`SettingsConflict` is
    raised and nothing is changed, unless the form holds exactly the settings as they are
    now: two maintainers making one change do not conflict. Nothing is recorded when
    nothing changed. The licence is checked here too, so a hand-made request cannot give a
    fork a licence its parent does not allow.
    """
    # Lock the row and read it again (on PostgreSQL), so two saves from one version cannot
    # both pass the check; the tags are read again too. A plain SELECT ... FOR UPDATE, not
    # ``refresh``: that would repeat the page's joined loads of authors and tags, and
    # PostgreSQL locks no nullable side of an outer join.
    db.session.execute(
        select(Course)
        .where(Course.id == course.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.expire(course, ["tags"])
    wanted: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "language": language,
        "tags": tags,
        "licence": licence,
    }
    current = current_settings(course)
    changes = {
        name: {"old": current[name], "new": value}
        for name, value in wanted.items()
        if value != current[name]
    }
    if not changes:
        return changes
    version = settings_version(course)
    if base_version != version:
        raise SettingsConflict(current, version)
    if licence != course.licence and licence not in allowed_licences(course):
        raise EditingError("licence", "licence_not_allowed")
    course.title, course.summary = title, summary
    course.language, course.licence = language, licence
    if "tags" in changes:
        _set_tags(course, tags)
    course.search_text = searchable_text(title, summary, tags)
    course.updated_at = utcnow()
    db.session.flush()
    record_event(course, "metadata", user, fields=changes)
    return changes


def maintainers(course: Course) -> list[CourseMaintainer]:
    return list(
        db.session.scalars(
            select(CourseMaintainer)
            .where(CourseMaintainer.course_id == course.id)
            .join(User, User.id == CourseMaintainer.user_id)
            .order_by(User.username)
        )
    )


def add_maintainer(user: User, course: Course, username: str) -> CourseMaintainer:
    """Let ``username`` maintain the course too."""
    other = db.session.scalar(select(User).where(User.username == username.lower()))
    if other is None or other.deleted_at is not None:  # a deleted account is no one
        raise EditingError("username", "unknown_user")
    already = db.session.scalar(
        select(CourseMaintainer.id).where(
            CourseMaintainer.course_id == course.id, CourseMaintainer.user_id == other.id
        )
    )
    if already is not None:
        raise EditingError("username", "already_maintainer")
    maintainer = CourseMaintainer(course_id=course.id, user_id=other.id, added_by_id=user.id)
    db.session.add(maintainer)
    db.session.flush()
    record_event(course, "maintainer_added", user, username=other.username)
    return maintainer


# --- Modules: structure --------------------------------------------------------------


def slugify(text: str) -> str:
    """An ASCII web address from a title ("Señal y ruido" -> "senal-y-ruido")."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:70].strip("-")
    return slug or "module"


def active_modules(course: Course) -> list[Module]:
    return list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == course.id, Module.removed_at.is_(None))
            .order_by(Module.position, Module.id)
        )
    )


def module_slug_taken(course: Course, slug: str) -> bool:
    return (
        db.session.scalar(
            select(Module.id).where(
                Module.course_id == course.id, Module.slug == slug, Module.removed_at.is_(None)
            )
        )
        is not None
    )


def _free_module_slug(course: Course, base: str) -> str:
    slug, n = base, 1
    while module_slug_taken(course, slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def add_module(user: User, course: Course, *, title: str, slug: str | None, body: str) -> Module:
    """Append a module to the course. An empty ``slug`` is made from the title (and made
    unique); a chosen slug that is taken is an error the author should see."""
    if slug:
        if module_slug_taken(course, slug):
            raise EditingError("slug", "slug_taken")
    else:
        slug = _free_module_slug(course, slugify(title))
    last = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
    module = Module(course_id=course.id, key=str(uuid.uuid4()), slug=slug, position=(last or 0) + 1)
    db.session.add(module)
    db.session.flush()
    add_revision(module, body, author=user, kind="create", title=title)
    course.updated_at = utcnow()
    record_event(course, "module_added", user, module, title=title, slug=slug)
    notices.upstream_changed(course, user)
    return module


def move_module(user: User, course: Course, module: Module, direction: str) -> bool:
    """Swap the module with its neighbour above or below; False when it is already at
    that end of the course."""
    modules = active_modules(course)
    index = next(i for i, m in enumerate(modules) if m.id == module.id)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(modules):
        return False
    # Renumber all active modules so that gaps or ties left by imports cannot confuse
    # the order; positions are only ever compared, never shown.
    modules[index], modules[target] = modules[target], modules[index]
    for position, each in enumerate(modules, start=1):
        each.position = position
    course.updated_at = utcnow()
    db.session.flush()
    record_event(
        course, "module_moved", user, module, title=module.title, old=index + 1, new=target + 1
    )
    return True


def remove_module(user: User, course: Course, module: Module) -> None:
    """Take the module out of the course. The row and all its revisions stay."""
    module.removed_at = utcnow()
    course.updated_at = utcnow()
    db.session.flush()
    record_event(course, "module_removed", user, module, title=module.title, slug=module.slug)
    # Its assignments go with it: an assignment must belong to a module of the course.
    from peerlearn.assignments.models import Assignment
    from peerlearn.assignments.services import remove_assignment

    for assignment in db.session.scalars(
        select(Assignment).where(Assignment.module_id == module.id, Assignment.removed_at.is_(None))
    ):
        remove_assignment(user, course, assignment)
