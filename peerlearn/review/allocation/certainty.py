"""How sure each queued log's grade is, stored for allocation to order by.

Allocation prefers, among logs with equally few reviews, the one whose grade is least
certain (``allocation.uncertainty``). It must pick in one indexed statement, so the
number is stored in ``review_queue.certainty`` and rewritten here, in the transaction
that submits or discards a review of the log, after ``queue`` bumped its counts: on
PostgreSQL that bump locks the queue row, so two reviews of one log submitted at once
refresh one after the other, the second seeing the first (READ COMMITTED gives each
statement a fresh snapshot); SQLite serializes writers anyway.

:func:`grade_uncertainty` is the one place that decides the number. Today it is the spread
of the reviewers' totals; once the grading model stores each grade's interval, it can
read that width instead, and nothing else changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select, update

from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import AssignmentSpec, max_points
from peerlearn.extensions import db
from peerlearn.review.allocation.allocation import UNKNOWN, uncertainty
from peerlearn.review.models import Review, ReviewKind, ReviewQueue, ReviewScore, ReviewState

COUNTED = (ReviewKind.PEER.value, ReviewKind.STAFF.value)


def grade_uncertainty(spec: AssignmentSpec, reviews: Iterable[dict[str, int | None]]) -> int:
    """The uncertainty (thousandths of the highest total) of a grade from these reviews'
    points by criterion; criteria no longer in the rubric are left out."""
    weights = {criterion.id: criterion.weight for criterion in spec.rubric}
    totals = [
        sum(float(points) * float(weights[c]) for c, points in chosen.items()
            if c in weights and points is not None)
        for chosen in reviews
    ]  # fmt: skip
    return uncertainty(totals, float(max_points(spec)))


def refresh(assignment: Assignment, log_id: int) -> int:
    """Recompute and store the certainty of one log's grade (two statements); returns
    the uncertainty."""
    rows = db.session.execute(
        select(Review.id, ReviewScore.criterion, ReviewScore.points)
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .where(
            Review.log_id == log_id,
            Review.kind.in_(COUNTED),
            Review.state == ReviewState.SUBMITTED.value,
        )
    ).all()
    by_review: dict[int, dict[str, int | None]] = defaultdict(dict)
    for review_id, criterion, points in rows:
        by_review[review_id][criterion] = points
    value = grade_uncertainty(spec_of(assignment), by_review.values())
    db.session.execute(
        update(ReviewQueue)
        .where(ReviewQueue.log_id == log_id)
        .values(certainty=UNKNOWN - value)
        .execution_options(synchronize_session=False)
    )
    cached = db.session.identity_map.get(db.session.identity_key(ReviewQueue, (log_id,)))
    if cached is not None:
        db.session.expire(cached, ["certainty"])
    return value
