"""The course and assignment a URL under ``/courses/<slug>/a/<assignment_slug>`` names, for
the views of every feature that hangs pages there (build logs, submissions, peer review,
calibration, gradebook).

Both are loaded before the view, in one query, by the shared course loader
(``peerlearn.web.load_course``, with :func:`course_with_assignment`); an unknown course
is a 404 there. Then two doors with different answers on purpose. Readers get a 404 for
anything they may not see, removed assignments included, so a URL tells them nothing.
Course staff get a 403 when they do not run the course, and still find removed
assignments: their build logs, reviews and grades need looking after.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from peerlearn import permissions
from peerlearn.assignments.models import Assignment
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.web import course_part, current_actor, current_course

#: A ``permissions.can_*`` check on a course, such as ``can_manage_reviews``.
CoursePermission = Callable[[permissions.Actor, Course], bool]


def course_with_assignment(
    slug: str, assignment_slug: str
) -> tuple[Course | None, Assignment | None]:
    """The course (its authors and tags) and its assignment named ``assignment_slug``
    (with its revision and its module), in one query. The live assignment comes first
    when a slug was reused; a removed one is found too, for the course's staff."""
    row = (
        db.session.execute(
            select(Course, Assignment)
            .outerjoin(
                Assignment,
                and_(Assignment.course_id == Course.id, Assignment.slug == assignment_slug),
            )
            .where(Course.slug == slug)
            .order_by(Assignment.removed_at.is_not(None), Assignment.id)
            .options(
                joinedload(Course.authors),
                joinedload(Course.tags),
                joinedload(Assignment.current),
                joinedload(Assignment.module).joinedload(Module.current),
            )
        )
        .unique()
        .first()
    )
    return (None, None) if row is None else (row[0], row[1])


def viewable_assignment(slug: str, assignment_slug: str) -> tuple[Course, Assignment]:
    """The course and its live assignment as the current user may read them, or 404."""
    course = current_course()
    assignment: Assignment | None = course_part()
    if assignment is None or assignment.removed_at is not None:
        abort(404)
    if assignment.current_revision_id is None:
        abort(404)
    if not permissions.can_view_assignment(current_actor(), assignment):
        abort(404)
    return course, assignment


def managed_assignment(
    slug: str, assignment_slug: str, allowed: CoursePermission
) -> tuple[Course, Assignment]:
    """The course and assignment for its staff: 403 unless ``allowed(actor, course)``,
    then 404 for an unknown assignment.

    Removed assignments are found too (the live one first when a slug was reused).
    """
    course = current_course()
    if not allowed(current_actor(), course):
        abort(403)
    assignment: Assignment | None = course_part()
    if assignment is None:
        abort(404)
    return course, assignment
