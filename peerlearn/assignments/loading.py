"""The course and assignment a URL under ``/courses/<slug>/a/<assignment_slug>`` names, for
the views of every feature that hangs pages there (build logs, submissions, peer review,
calibration, gradebook).

Two doors with different answers on purpose. Readers get a 404 for anything they may not
see, removed assignments included, so a URL tells them nothing. Course staff get a 403 when
they do not run the course, and still find removed assignments: their build logs, reviews
and grades need looking after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user

from peerlearn import permissions
from peerlearn.assignments import buildlogs, submissions
from peerlearn.assignments.models import Assignment
from peerlearn.catalog.services import course_by_slug
from peerlearn.content.models import Course

#: A ``permissions.can_*`` check on a course, such as ``can_manage_reviews``.
CoursePermission = Callable[[Any, Course], bool]


def viewable_assignment(slug: str, assignment_slug: str) -> tuple[Course, Assignment]:
    """The course and its live assignment as the current user may read them, or 404
    (one query for both)."""
    assignment = buildlogs.assignment_in_course(slug, assignment_slug)
    if assignment is None:
        abort(404)
    course = assignment.course
    if not permissions.can_view_course(current_user, course):
        abort(404)
    if not permissions.can_view_assignment(current_user, assignment):
        abort(404)
    return course, assignment


def managed_assignment(
    slug: str, assignment_slug: str, allowed: CoursePermission
) -> tuple[Course, Assignment]:
    """The course and assignment for its staff: 404 for an unknown course, 403 unless
    ``allowed(current_user, course)``, then 404 for an unknown assignment.

    Removed assignments are found too (the live one first when a slug was reused).
    """
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    if not allowed(current_user, course):
        abort(403)
    assignment = submissions.assignment_by_slug(course, assignment_slug)
    if assignment is None:
        abort(404)
    return course, assignment
