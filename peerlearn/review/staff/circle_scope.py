"""Whose work a peer-review staff page shows: the whole course to its maintainers, one
circle's learners to that circle's facilitators.

The gradebook and the waiting list are the same pages for both; a facilitator who does
not maintain the course sees them filtered to the current learners of their own circle
in the course, and never learns who reviewed whom (``names_reviewers`` is False):
reviewers may come from anywhere in the course, and review stays double-blind.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from peerlearn import permissions
from peerlearn.assignments.models import Assignment
from peerlearn.circles.membership import current_circle, is_facilitator
from peerlearn.circles.models import LEARNER, Circle, CircleMember
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.web import course_part, current_actor, current_course


@dataclass(frozen=True)
class StaffScope:
    #: The facilitator's circle; None for a maintainer, who sees the whole course.
    circle: Circle | None = None
    #: The circle's current learners' user ids; None: everyone.
    learners: frozenset[int] | None = None

    def covers(self, user_id: int) -> bool:
        return self.learners is None or user_id in self.learners

    @property
    def names_reviewers(self) -> bool:
        """Only the course's maintainers see reviewers' names."""
        return self.circle is None


def circle_learners(circle: Circle) -> frozenset[int]:
    """The circle's current learners (facilitators excluded: their own logs are not theirs
    to grade). One query."""
    return frozenset(
        db.session.scalars(
            select(CircleMember.user_id).where(
                CircleMember.circle_id == circle.id,
                CircleMember.left_at.is_(None),
                CircleMember.role == LEARNER,
            )
        )
    )


def staff_assignment(slug: str, assignment_slug: str) -> tuple[Course, Assignment, StaffScope]:
    """Like ``assignments.loading.managed_assignment`` with ``can_manage_reviews``, and a
    door for facilitators: 404 for an unknown course, 403 for anyone who neither maintains
    it nor facilitates a circle of it, then 404 for an unknown assignment."""
    course = current_course()
    scope = StaffScope()
    if not permissions.can_manage_reviews(current_actor(), course):
        circle = current_circle(current_user.id, course.id)
        facilitator = circle is not None and is_facilitator(current_user.id, circle)
        if circle is None or not permissions.can_run_circle_reviews(current_actor(), facilitator):
            abort(403)
        scope = StaffScope(circle, circle_learners(circle))
    assignment: Assignment | None = course_part()
    if assignment is None:
        abort(404)
    return course, assignment, scope
