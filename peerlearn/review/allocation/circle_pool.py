"""Whose logs a reviewer draws from first: their learning circle's, when they are in one.

Kept apart from the queue so that the queue only sees an ``allocation.Pool`` (author ids
and whether to go outside them), and tests can hand it any pool. The circle's facilitator
settings decide it (``Circle.review_min_pool``, ``Circle.review_fallback``; see
``allocation.circle_pool``). A circle has at most a few dozen members, so the pool is a
short ``IN`` list and never grows with the course.
"""

from __future__ import annotations

from sqlalchemy import select

from peerlearn.assignments.models import Assignment
from peerlearn.circles.membership import current_circle, member_ids
from peerlearn.extensions import db
from peerlearn.review.allocation.allocation import WHOLE_COURSE, Pool, circle_pool
from peerlearn.review.models import ReviewQueue


def pool_of(reviewer_id: int, assignment: Assignment) -> Pool:
    """The reviewer's pool for this assignment: the whole course outside a circle (one
    query), else their circle's by its settings (three)."""
    circle = current_circle(reviewer_id, assignment.course_id)
    if circle is None:
        return WHOLE_COURSE
    members = member_ids(circle)
    submitted = db.session.scalars(
        select(ReviewQueue.author_id).where(
            ReviewQueue.assignment_id == assignment.id, ReviewQueue.author_id.in_(members)
        )
    ).all()
    return circle_pool(
        members, submitted, min_pool=circle.review_min_pool, fallback=circle.review_fallback
    )
