"""Submissions stuck waiting for reviews, and what a maintainer can do about them.

A build log waits while its completed reviews are fewer than it needs (the flexible rule
applied, see ``queue``). A maintainer can review it themselves (a staff review, which
counts like a peer's) or lower what this one log needs. Lowering is recorded as a
``RequirementChange`` row before the queue's number changes, so who decided what, and
why, is never lost; no review is touched by it.

Services take the acting maintainer, flush and never commit (house rule 1). The waiting
list is read in a fixed number of queries, whatever the number of rows (house rule 4).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.allocation import queue, queue_counts
from peerlearn.review.allocation.allocation import flexible_minimum
from peerlearn.review.models import RequirementChange, Review, ReviewKind, ReviewQueue, ReviewState

#: Rows per page of the waiting list: the oldest first, so page 1 is what matters most.
PER_PAGE = 25


class StuckRefused(Exception):
    """A maintainer action the rules do not allow; ``code`` picks the sentence
    (``staff.forms.REFUSALS``): not_waiting, own_log, out_of_range, same_requirement."""

    def __init__(self, code: str, **values: int) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class FlexibleRule:
    """After ``after_days`` waiting, a log needs only ``minimum`` reviews."""

    after_days: int
    minimum: int


@dataclass(frozen=True)
class WaitingRow:
    """One build log still waiting for reviews."""

    log_id: int
    username: str
    first_submitted_at: datetime
    days: int
    completed: int
    leased: int
    #: What the log needs now, flexible rule applied.
    required: int
    #: What a maintainer set for this log (or the assignment's must_be_reviewed).
    stored_required: int
    #: The latest submitted version, to read it in the submissions view.
    submission_id: int | None
    version: int | None
    #: The latest RequirementChange of this log, if a maintainer changed it.
    change: RequirementChange | None
    #: The acting maintainer's own unfinished staff review of this log, if any.
    own_review_id: int | None

    @property
    def flexible(self) -> bool:
        """Whether the flexible rule is what lowered the requirement right now."""
        return self.required < self.stored_required


@dataclass(frozen=True)
class WaitingPage:
    rows: list[WaitingRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def flexible_rule(spec: AssignmentSpec) -> FlexibleRule | None:
    """The assignment's flexible rule in numbers, or None when it has none."""
    if spec.flexible_after_days is None:
        return None
    return FlexibleRule(spec.flexible_after_days, flexible_minimum(spec.must_be_reviewed))


def _required_expr(spec: AssignmentSpec, now: datetime) -> ColumnElement[int]:
    # The queue owns the flexible rule; its SQL form is reused so both always agree.
    return queue_counts.effective_required_sql(spec, now)


def waiting_page(
    assignment: Assignment,
    maintainer: User,
    page: int = 1,
    per_page: int = PER_PAGE,
    *,
    now: datetime | None = None,
    learners: frozenset[int] | None = None,
) -> WaitingPage:
    """The logs still short of reviews, the longest waiting first (five queries); only
    those of ``learners`` (user ids; a circle's) when given."""
    now = now or utcnow()
    required = _required_expr(spec_of(assignment), now)
    waiting = (ReviewQueue.assignment_id == assignment.id) & (ReviewQueue.completed < required)
    if learners is not None:
        waiting = waiting & ReviewQueue.author_id.in_(learners)
    total = db.session.scalar(select(func.count()).select_from(ReviewQueue).where(waiting)) or 0
    found = db.session.execute(
        select(
            ReviewQueue.log_id,
            User.username,
            ReviewQueue.first_submitted_at,
            ReviewQueue.completed,
            ReviewQueue.leased,
            required.label("required"),
            ReviewQueue.required.label("stored"),
        )
        .join(User, User.id == ReviewQueue.author_id)
        .where(waiting)
        .order_by(ReviewQueue.first_submitted_at, ReviewQueue.log_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    log_ids = [row.log_id for row in found]
    latest = _latest_versions(log_ids)
    changes = _latest_changes(log_ids)
    own = _own_staff_reviews(maintainer, log_ids)
    rows = [
        WaitingRow(
            log_id=row.log_id,
            username=row.username,
            first_submitted_at=row.first_submitted_at,
            days=max(0, (now - row.first_submitted_at).days),
            completed=row.completed,
            leased=row.leased,
            required=row.required,
            stored_required=row.stored,
            submission_id=latest.get(row.log_id, (None, None))[0],
            version=latest.get(row.log_id, (None, None))[1],
            change=changes.get(row.log_id),
            own_review_id=own.get(row.log_id),
        )
        for row in found
    ]
    return WaitingPage(rows=rows, total=total, page=page, per_page=per_page)


def _latest_versions(log_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(submission id, version) of each log's latest submission, in one query."""
    if not log_ids:
        return {}
    rows = db.session.execute(
        select(Submission.log_id, Submission.id, Submission.version)
        .where(Submission.log_id.in_(log_ids))
        .order_by(Submission.log_id, Submission.version)
    )
    return {log_id: (sid, version) for log_id, sid, version in rows}


def _latest_changes(log_ids: list[int]) -> dict[int, RequirementChange]:
    if not log_ids:
        return {}
    changes: dict[int, RequirementChange] = {}
    for change in db.session.scalars(
        select(RequirementChange)
        .where(RequirementChange.log_id.in_(log_ids))
        .order_by(RequirementChange.created_at, RequirementChange.id)
    ):
        changes[change.log_id] = change
    return changes


def _own_staff_reviews(maintainer: User, log_ids: Iterable[int]) -> dict[int, int]:
    ids = list(log_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Review.log_id, Review.id).where(
            Review.log_id.in_(ids),
            Review.reviewer_id == maintainer.id,
            Review.kind == ReviewKind.STAFF.value,
            Review.state == ReviewState.LEASED.value,
        )
    )
    return {log_id: review_id for log_id, review_id in rows}


def queued_log(assignment: Assignment, log_id: int) -> BuildLog | None:
    """The assignment's build log ``log_id`` if it is in the review queue (else None)."""
    return db.session.scalar(
        select(BuildLog)
        .join(ReviewQueue, ReviewQueue.log_id == BuildLog.id)
        .where(BuildLog.id == log_id, BuildLog.assignment_id == assignment.id)
    )


def review_myself(maintainer: User, log: BuildLog, *, now: datetime | None = None) -> Review:
    """The maintainer's staff review of ``log`` (created, or the one they already have).

    Refused (StuckRefused) for the maintainer's own log and for a log never submitted.
    """
    if log.user_id == maintainer.id:
        raise StuckRefused("own_log")
    try:
        return queue.assign_staff_review(maintainer, log, now=now)
    except queue.ReviewRefused as refused:
        raise StuckRefused("not_waiting") from refused


def lower_requirement(
    maintainer: User, log: BuildLog, required: int, reason: str
) -> RequirementChange:
    """Set how many reviews ``log`` needs, from 1 to the assignment's must_be_reviewed.

    The change is recorded (who, how many, why) and then applied to the queue. Reviews
    already written or leased are kept; a lease on a log that no longer needs it still
    counts for its reviewer. Raises StuckRefused: ``not_waiting`` for a log never
    submitted, ``out_of_range`` (with ``max``), ``same_requirement``.
    """
    row = db.session.get(ReviewQueue, log.id)
    if row is None:
        raise StuckRefused("not_waiting")
    ceiling = spec_of(log.assignment).must_be_reviewed
    if not 1 <= required <= max(1, ceiling):
        raise StuckRefused("out_of_range", max=max(1, ceiling))
    if required == row.required:
        raise StuckRefused("same_requirement")
    change = RequirementChange(
        log_id=log.id, required=required, reason=reason, created_by_id=maintainer.id
    )
    db.session.add(change)
    db.session.flush()
    queue.set_required(log, required)
    db.session.flush()
    return change
