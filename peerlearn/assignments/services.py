"""Assignments as course content: copying them into forks and changing them in the browser.

Services take the acting user, flush and never commit, like ``authoring.editing``: the
view checks permission and commits once. Assignment text is only saved through
``content.revisions.add_revision`` after ``validate_text`` has accepted it, so every
stored revision is a file the bundle reader would import, and structural changes are
noted with ``record_event`` so the course history tells them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.bundles.format import ASSIGNMENT_SUFFIX, ASSIGNMENTS_DIR, BundleError
from peerlearn.content.documents import DocumentType, register
from peerlearn.content.models import Course, Module
from peerlearn.content.revisions import (
    add_revision,
    copy_current,
    record_event,
)
from peerlearn.db import utcnow
from peerlearn.extensions import db


class AssignmentError(ValueError):
    """An assignment change the data does not allow; ``field`` names the form field.

    ``code`` is one of: invalid (``problem`` holds the reader's error), unknown_module,
    id_changed, id_taken, slug_taken, unknown_base. ``text`` is the text the editor should
    see again when it differs from what they sent (a merged text that did not validate).
    """

    def __init__(
        self,
        field: str,
        code: str,
        *,
        problem: BundleError | None = None,
        text: str | None = None,
        value: str = "",
    ) -> None:
        super().__init__(code)
        self.field = field
        self.code = code
        self.problem = problem
        self.text = text
        self.value = value


# --- Reading -------------------------------------------------------------------------


def file_name(slug: str) -> str:
    """The path of the assignment in a bundle, as messages name it."""
    return f"{ASSIGNMENTS_DIR}/{slug}{ASSIGNMENT_SUFFIX}"


def course_assignments(course: Course) -> list[Assignment]:
    """The course's active assignments with their module and text, in one query each."""
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.course_id == course.id, Assignment.removed_at.is_(None))
            .options(selectinload(Assignment.module), selectinload(Assignment.current))
            .order_by(Assignment.slug)
        )
    )


def assignment_by_slug(course: Course, slug: str) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.course_id == course.id,
            Assignment.slug == slug,
            Assignment.removed_at.is_(None),
        )
    )


def active_modules(course: Course) -> list[Module]:
    return list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == course.id, Module.removed_at.is_(None))
            .options(selectinload(Module.current))
            .order_by(Module.position, Module.id)
        )
    )


def validate_text(course: Course, text: str, slug: str, key: str | None = None) -> AssignmentSpec:
    """The spec of ``text`` if it may be saved as assignment ``slug`` of ``course``.

    Beyond the reader's own rules, the assignment must belong to an active module of this
    course (as import demands of a bundle), and its ``id`` is its identity: an edit may
    not change it (``key``), and a new assignment may not take one the course has used.
    """
    try:
        spec = parse_assignment(text, file_name(slug), slug)
    except BundleError as error:
        raise AssignmentError("text", "invalid", problem=error) from None
    module = db.session.scalar(
        select(Module.id).where(
            Module.course_id == course.id, Module.key == spec.module, Module.removed_at.is_(None)
        )
    )
    if module is None:
        raise AssignmentError("text", "unknown_module", value=spec.module)
    if key is not None and spec.id != key:
        raise AssignmentError("text", "id_changed", value=key)
    if key is None:
        taken = db.session.scalar(
            select(Assignment.id).where(
                Assignment.course_id == course.id, Assignment.key == spec.id
            )
        )
        if taken is not None:
            raise AssignmentError("text", "id_taken", value=spec.id)
    return spec


def _module_id(course: Course, key: str) -> int | None:
    return db.session.scalar(
        select(Module.id).where(Module.course_id == course.id, Module.key == key)
    )


# --- Changing ------------------------------------------------------------------------


def create_assignment(user: User, course: Course, *, slug: str, text: str) -> Assignment:
    """Add an assignment written in the browser; its writer is credited as the author."""
    if assignment_by_slug(course, slug) is not None:
        raise AssignmentError("slug", "slug_taken", value=slug)
    spec = validate_text(course, text, slug)
    assignment = Assignment(
        course_id=course.id, key=spec.id, slug=slug, module_id=_module_id(course, spec.module)
    )
    db.session.add(assignment)
    db.session.flush()
    add_revision(assignment, text, author=user, kind="create")
    course.updated_at = utcnow()
    record_event(course, "assignment_added", user, assignment.module, title=spec.title, slug=slug)
    return assignment


def remove_assignment(user: User, course: Course, assignment: Assignment) -> None:
    """Take the assignment out of the course. The row, its revisions and build logs stay."""
    title = ASSIGNMENT.title(assignment)
    assignment.removed_at = utcnow()
    course.updated_at = utcnow()
    db.session.flush()
    record_event(
        course, "assignment_removed", user, assignment.module, title=title, slug=assignment.slug
    )


# --- Forks ---------------------------------------------------------------------------


def copy_assignments(
    parent: Course,
    fork: Course,
    user: User,
    *,
    ids: set[int] | None = None,
    kind: str = "fork",
    summary: str = "",
    slug_for: Callable[[str], str] = str,
) -> list[Assignment]:
    """Copy ``parent``'s active assignments (those in ``ids``, when given) into ``fork``,
    whose modules are already copied: when a course is forked, and when a sync takes the
    assignments upstream added.

    Each copy keeps the stable key (and the slug, or ``slug_for`` of it where the fork
    uses it already), points at the fork's module with the same key, shares the text
    (stored once), credits the text's author with ``user`` as the one who saved it, and
    remembers the upstream assignment and revision so a later sync has a base to merge
    from. An assignment whose module is not in the fork is not part of it, so it is not
    copied (its file would not import with the fork).
    """
    module_ids = dict(
        db.session.execute(
            select(Module.key, Module.id).where(
                Module.course_id == fork.id, Module.removed_at.is_(None)
            )
        ).all()
    )
    query = select(Assignment).where(
        Assignment.course_id == parent.id, Assignment.removed_at.is_(None)
    )
    if ids is not None:
        query = query.where(Assignment.id.in_(ids))
    sources = db.session.scalars(
        query.options(
            selectinload(Assignment.module),
            selectinload(Assignment.current).selectinload(AssignmentRevision.author),
        ).order_by(Assignment.id)
    )
    copies = []
    for source in sources:
        if source.module is None or source.module.key not in module_ids:
            continue
        copy = Assignment(
            course_id=fork.id,
            key=source.key,
            slug=slug_for(source.slug),
            module_id=module_ids[source.module.key],
            upstream_assignment_id=source.id,
            upstream_revision_id=source.current_revision_id,
        )
        db.session.add(copy)
        db.session.flush()
        copy_current(copy, source, saved_by=user, kind=kind, summary=summary)
        copies.append(copy)
    return copies


# --- The assignment document type ------------------------------------------------------


class AssignmentDocument(DocumentType[Assignment, AssignmentRevision]):
    """Assignments as versioned documents: YAML text that ``validate_text`` must accept,
    whose save moves the assignment to the module the text names."""

    name = "assignment"
    document_model = Assignment
    revision_model = AssignmentRevision
    history_endpoint = "assignment_authoring.assignment_history"
    diff_endpoint = "assignment_authoring.assignment_diff"
    revert_endpoint = "assignment_authoring.revert_assignment"
    upstream_column = "upstream_assignment_id"
    token_prefix = "a"
    errors = (AssignmentError,)
    #: A conflicted assignment left unresolved keeps the fork's YAML: a merge holding
    #: both sides' lines may not even parse.
    unresolved_keeps_ours = True

    def title(self, document: Assignment) -> str:
        try:
            return spec_of(document).title
        except BundleError:
            return document.slug

    def url_args(self, document: Assignment) -> dict[str, Any]:
        return {"slug": document.course.slug, "assignment_slug": document.slug}

    def check(self, document: Assignment, text: str, fields: dict[str, Any]) -> AssignmentSpec:
        return validate_text(document.course, text, document.slug, document.key)

    def check_merged(
        self, document: Assignment, text: str, fields: dict[str, Any]
    ) -> AssignmentSpec:
        try:
            return self.check(document, text, fields)
        except AssignmentError as error:
            error.text = text  # the editor is shown the merge that failed, to correct it
            raise

    def refusal(self, field: str, code: str) -> AssignmentError:
        return AssignmentError(field, code)

    def saved(
        self, user: User | None, document: Assignment, revision: AssignmentRevision, checked: Any
    ) -> None:
        document.module_id = _module_id(document.course, checked.module)
        document.course.updated_at = utcnow()
        db.session.flush()


ASSIGNMENT = AssignmentDocument()
register(ASSIGNMENT)
