"""Bundles in and out of the database. It writes courses, modules, media and assignments,
so it lives in authoring (above assignments and catalog), while the pure bundle format
stays below every feature in :mod:`peerlearn.bundles`.

Import matches courses and modules by their stable ids, so importing the same bundle
again updates the course instead of duplicating it. A changed module gets a new revision;
its old text stays in history. The caller commits once for the whole batch, so a failure
leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.format import (
    COURSE_FILE,
    AssignmentFile,
    BundleError,
    CourseBundle,
    MediaFile,
    ModuleDoc,
)
from peerlearn.bundles.svg import SvgRefused, clean_svg
from peerlearn.catalog.search import searchable_text
from peerlearn.content.models import Course, CourseAuthor, CourseMedia, CourseTag, Module
from peerlearn.content.revisions import add_revision
from peerlearn.db import utcnow
from peerlearn.extensions import db


class ImportOutcome(Enum):
    CREATED = "created"  #: a course new to this site
    UPDATED = "updated"  #: an existing course whose content changed
    UNCHANGED = "unchanged"  #: imported again with nothing new


@dataclass(frozen=True)
class ImportResult:
    slug: str
    outcome: ImportOutcome
    modules_changed: int
    #: Assignments added, changed, renamed, moved to another module or removed.
    assignments_changed: int = 0


def import_bundle(bundle: CourseBundle, source: str = "") -> ImportResult:
    """Create or update the course described by ``bundle``; flush, do not commit."""
    course = db.session.scalar(
        select(Course)
        .where(Course.key == bundle.id)
        .options(
            selectinload(Course.authors), selectinload(Course.tags), selectinload(Course.media)
        )
    )
    clash = db.session.scalar(
        select(Course).where(Course.slug == bundle.slug, Course.key != bundle.id)
    )
    if clash is not None:
        raise BundleError(
            f"{source}/{COURSE_FILE}" if source else COURSE_FILE,
            f"slug '{bundle.slug}' is already used by another course (id {clash.key})",
            "slug",
        )
    created = course is None
    if course is None:
        course = Course(key=bundle.id)
        db.session.add(course)
    metadata_changed = _apply_metadata(course, bundle)
    db.session.flush()
    media_changed = _apply_media(course, bundle.media)
    modules_changed = _apply_modules(course, bundle.modules)
    assignments_changed = _apply_assignments(course, bundle.assignments)
    if created:
        outcome = ImportOutcome.CREATED
    elif metadata_changed or media_changed or modules_changed or assignments_changed:
        outcome = ImportOutcome.UPDATED
        course.updated_at = utcnow()
    else:
        outcome = ImportOutcome.UNCHANGED
    db.session.flush()
    return ImportResult(bundle.slug, outcome, modules_changed, assignments_changed)


def _apply_metadata(course: Course, bundle: CourseBundle) -> bool:
    before = _metadata_of(course) if course.id else None
    course.slug = bundle.slug
    course.title = bundle.title
    course.summary = bundle.summary
    course.language = bundle.language
    course.licence = bundle.licence
    course.forked_from = bundle.forked_from
    course.translation_of = bundle.translation_of
    if list(bundle.authors) != course.author_names:
        course.authors = []
        db.session.flush()  # old authors go before new ones reuse their (course, position) pairs
        course.authors = [CourseAuthor(position=i, name=n) for i, n in enumerate(bundle.authors)]
    if list(bundle.tags) != course.tag_names:
        course.tags = []
        db.session.flush()  # old tags go before new ones reuse their (course, name) pairs
        course.tags = [CourseTag(position=i, name=n) for i, n in enumerate(bundle.tags)]
    course.search_text = searchable_text(bundle.title, bundle.summary, bundle.tags)
    return before != _metadata_of(course)


def _metadata_of(course: Course) -> tuple[object, ...]:
    return (
        course.slug, course.title, course.summary, course.language, course.licence,
        course.forked_from, course.translation_of, tuple(course.author_names),
        tuple(course.tag_names),
    )  # fmt: skip


def _apply_media(course: Course, files: tuple[MediaFile, ...]) -> bool:
    existing = {item.path: item for item in course.media}
    wanted = {item.path: item for item in files}
    changed = False
    for path, item in existing.items():
        if path not in wanted:
            course.media.remove(item)
            changed = True
    for path, file in wanted.items():
        if file.content_type == "image/svg+xml":
            # The reader already cleaned it; a bundle built in code is held to it too.
            file = MediaFile(file.path, _clean_svg(file))
        digest = hashlib.sha256(file.content).hexdigest()
        current = existing.get(path)
        if current is not None and current.sha256 == digest:
            continue
        if current is not None:
            course.media.remove(current)
            db.session.flush()
        course.media.append(
            CourseMedia(
                path=path, content_type=file.content_type, sha256=digest, content=file.content
            )
        )
        changed = True
    return changed


def _clean_svg(file: MediaFile) -> bytes:
    try:
        return clean_svg(file.content)
    except SvgRefused as refused:
        raise BundleError(file.path, refused.reason) from None


def _apply_modules(course: Course, docs: tuple[ModuleDoc, ...]) -> int:
    """Sync modules; return how many were added, changed, moved or removed."""
    existing = {
        module.key: module
        for module in db.session.scalars(
            select(Module)
            .where(Module.course_id == course.id)
            .options(selectinload(Module.current))
        )
    }
    wanted = {doc.id for doc in docs}
    changed = 0
    now = utcnow()
    for key, gone in existing.items():
        if key not in wanted and gone.removed_at is None:
            gone.removed_at = now
            changed += 1
    for doc in docs:
        module = existing.get(doc.id)
        if module is None:
            module = Module(course_id=course.id, key=doc.id, slug=doc.slug, position=doc.position)
            db.session.add(module)
            db.session.flush()
        elif (module.slug, module.position, module.removed_at) != (doc.slug, doc.position, None):
            module.slug, module.position, module.removed_at = doc.slug, doc.position, None
            changed += 1
        current = module.current if module.current_revision_id else None
        if current is None or (current.title, current.body) != (doc.title, doc.body):
            add_revision(
                module, doc.body, author=None, kind="import", parent=current, title=doc.title
            )
            changed += 1
    db.session.flush()
    return changed


def _apply_assignments(course: Course, files: tuple[AssignmentFile, ...]) -> int:
    """Sync assignments by their stable id, like modules; return how many changed.

    The reader has checked that every assignment's module is in the bundle, so after
    ``_apply_modules`` each one resolves to an active module of this course. A changed
    text becomes a new revision; a missing file marks the assignment removed (its rows and
    history stay, and it comes back if the file does).
    """
    existing = {
        assignment.key: assignment
        for assignment in db.session.scalars(
            select(Assignment)
            .where(Assignment.course_id == course.id)
            .options(selectinload(Assignment.current))
        )
    }
    module_ids = dict(
        db.session.execute(select(Module.key, Module.id).where(Module.course_id == course.id)).all()
    )
    wanted = {file.spec.id for file in files}
    changed = 0
    now = utcnow()
    for key, gone in existing.items():
        if key not in wanted and gone.removed_at is None:
            gone.removed_at = now
            changed += 1
    for file in files:
        module_id = module_ids[file.spec.module]
        assignment = existing.get(file.spec.id)
        if assignment is None:
            assignment = Assignment(
                course_id=course.id, key=file.spec.id, slug=file.slug, module_id=module_id
            )
            db.session.add(assignment)
            db.session.flush()
        elif (assignment.slug, assignment.module_id, assignment.removed_at) != (
            file.slug,
            module_id,
            None,
        ):
            assignment.slug, assignment.module_id, assignment.removed_at = (
                file.slug,
                module_id,
                None,
            )
            changed += 1
        current = assignment.current if assignment.current_revision_id else None
        if current is None or current.text != file.text:
            add_revision(assignment, file.text, author=None, kind="import", parent=current)
            changed += 1
    db.session.flush()
    return changed


def _export_assignments(course: Course) -> tuple[AssignmentFile, ...]:
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.course_id == course.id, Assignment.removed_at.is_(None))
        .options(selectinload(Assignment.current))
        .order_by(Assignment.slug)
    )
    return tuple(AssignmentFile(a.slug, a.current.text, spec_of(a)) for a in assignments)


def export_bundle(course: Course) -> CourseBundle:
    """The bundle for ``course`` as it is now (current revisions, active modules)."""
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id == course.id, Module.removed_at.is_(None))
        .options(selectinload(Module.current))
        .order_by(Module.position)
    )
    return CourseBundle(
        id=course.key,
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        language=course.language,
        licence=course.licence,
        authors=tuple(course.author_names),
        tags=tuple(course.tag_names),
        forked_from=course.forked_from,
        translation_of=course.translation_of,
        modules=tuple(
            ModuleDoc(m.key, m.position, m.slug, m.current.title, m.current.body) for m in modules
        ),
        media=tuple(MediaFile(item.path, item.content) for item in course.media),
        assignments=_export_assignments(course),
    )
