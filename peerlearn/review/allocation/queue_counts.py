"""Reading the peer-review queue: how many reviews a log has, holds and needs.

The counts in ``review_queue`` are written only by :mod:`peerlearn.review.allocation.queue`, in the
transaction that changes the Review rows they count; this module only reads them, so pages,
mails and the gradebook can ask "how far along is this log?" without importing the
allocation machinery. It imports nothing from ``queue`` (``queue`` re-exports these
functions and builds its allocation query from :func:`flexible_required_sql`).

The flexible rule is applied in SQL at read time (:func:`effective_required_sql`): nothing
is rewritten as time passes, so there is no background job and no stale stored
requirement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.allocation.allocation import flexible_cutoff, flexible_minimum
from peerlearn.review.models import Review, ReviewKind, ReviewQueue, ReviewState

PEER = ReviewKind.PEER.value
LEASED, SUBMITTED = ReviewState.LEASED.value, ReviewState.SUBMITTED.value


def required_of(log: BuildLog, *, now: datetime | None = None) -> int:
    """The reviews the log needs in total, flexible rule applied."""
    return counts_of(log, now=now)[2]


def counts_of(log: BuildLog, *, now: datetime | None = None) -> tuple[int, int, int]:
    """(completed, leased, required) of one log; (0, 0, must_be_reviewed) if unsubmitted."""
    spec = spec_of(log.assignment)
    row = db.session.execute(
        select(
            ReviewQueue.completed,
            ReviewQueue.leased,
            effective_required_sql(spec, now or utcnow()),
        ).where(ReviewQueue.log_id == log.id)
    ).first()
    if row is None:
        return (0, 0, spec.must_be_reviewed)
    return (row[0], row[1], row[2])


def counts_for(
    assignment: Assignment, *, now: datetime | None = None
) -> dict[int, tuple[int, int, int]]:
    """(completed, leased, required) of every submitted log of the assignment, by log id,
    in one query."""
    rows = db.session.execute(
        select(
            ReviewQueue.log_id,
            ReviewQueue.completed,
            ReviewQueue.leased,
            effective_required_sql(spec_of(assignment), now or utcnow()),
        ).where(ReviewQueue.assignment_id == assignment.id)
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def completed_by(reviewer: User, assignment: Assignment) -> int:
    """Submitted peer reviews the reviewer gave in the assignment, extra ones included
    (discarded ones not): what give-to-get compares with ``must_review``."""
    query = select(func.count(Review.id)).where(
        Review.assignment_id == assignment.id,
        Review.reviewer_id == reviewer.id,
        Review.kind == PEER,
        Review.state == SUBMITTED,
    )
    return db.session.scalar(query) or 0


def leases_expiring(before: datetime, *, now: datetime | None = None) -> list[Review]:
    """Live peer leases that run out after ``now`` and by ``before`` (for the reminder),
    soonest first, with reviewer and assignment loaded."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Review)
            .where(
                Review.kind == PEER,
                Review.state == LEASED,
                Review.lease_expires_at > now,
                Review.lease_expires_at <= before,
            )
            .order_by(Review.lease_expires_at, Review.id)
            .options(selectinload(Review.reviewer), selectinload(Review.assignment))
        )
    )


# --- The effective requirement in SQL ----------------------------------------------------


def effective_required_sql(spec: AssignmentSpec, now: datetime) -> ColumnElement[int]:
    """The effective requirement as SQL (``allocation.effective_required``), for a query
    over ``review_queue``. Public so that every reader (the counts here, the waiting list
    in ``stuck``) applies the flexible rule exactly as allocation does."""
    cutoff = flexible_cutoff(now, spec.flexible_after_days)
    if cutoff is None:
        # The column itself (the attribute's SQL expression), the same SQL as the attribute.
        return ReviewQueue.required.expression
    return flexible_required_sql(cutoff, flexible_minimum(spec.must_be_reviewed))


def flexible_required_sql(cutoff: Any, floor: Any) -> ColumnElement[int]:
    """A queue row's requirement lowered to ``floor`` once it was first submitted at or
    before ``cutoff``. Values or bind parameters: ``queue`` builds its cached allocation
    statement with bind parameters, so both share one definition of the rule."""
    return case(
        (and_(ReviewQueue.first_submitted_at <= cutoff, ReviewQueue.required > floor), floor),
        else_=ReviewQueue.required,
    )
