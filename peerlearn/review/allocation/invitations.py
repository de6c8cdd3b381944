""" "One more review helps a classmate": inviting learners who met their quota to review a
log that still waits after its author gave all their own reviews.

When a class submits one after another, the last to submit does their reviews and then
finds nobody left to review theirs: everyone else already gave their quota. Allocation
itself cannot fix that (nobody is asking), so the moment such an author's own quota is
met while their log still needs reviews, a few learners who are done are notified; the
assignment page of anyone done shows the invitation as long as such a log waits for them.
The review they then take is handed out by the ordinary queue (a needed log comes before
any extra), and marked ``invited`` there, so a grade for reviewing can credit it.

Notices carry no name and no log: the invitee asks the queue, which stays double-blind.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.catalog.models import Enrolment
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.notifications import Notification, notify_many
from peerlearn.review.allocation.circle_pool import pool_of
from peerlearn.review.allocation.queue_counts import completed_by, effective_required_sql
from peerlearn.review.models import Review, ReviewKind, ReviewQueue, ReviewState
from peerlearn.review.notifications import NoticeKind

PEER, SUBMITTED, EXPIRED = (
    ReviewKind.PEER.value,
    ReviewState.SUBMITTED.value,
    ReviewState.EXPIRED.value,
)
#: Learners notified per review the waiting log still misses: some will not come.
INVITES_PER_MISSING = 2


def _given(reviewer: ColumnElement[int], assignment: Assignment) -> ColumnElement[int]:
    """Submitted peer reviews ``reviewer`` gave in the assignment, as a scalar subquery."""
    return (
        select(func.count(Review.id))
        .where(
            Review.assignment_id == assignment.id,
            Review.reviewer_id == reviewer,
            Review.kind == PEER,
            Review.state == SUBMITTED,
        )
        .scalar_subquery()
    )


def waiting_for(user: User, assignment: Assignment, *, now: datetime | None = None) -> bool:
    """Whether some log ``user`` may review still needs reviews although its author gave
    all theirs (one query; the caller checks that ``user`` met their own quota)."""
    spec = spec_of(assignment)
    team = db.session.scalar(
        select(Enrolment.team).where(
            Enrolment.user_id == user.id, Enrolment.course_id == assignment.course_id
        )
    )
    reviewed = select(Review.id).where(
        Review.log_id == ReviewQueue.log_id,
        Review.reviewer_id == user.id,
        Review.kind != ReviewKind.CALIBRATION.value,
        or_(Review.kind != PEER, Review.state != EXPIRED),
    )
    query = select(ReviewQueue.log_id).where(
        ReviewQueue.assignment_id == assignment.id,
        ReviewQueue.author_id != user.id,
        ReviewQueue.load < effective_required_sql(spec, now or utcnow()),
        _given(ReviewQueue.author_id.expression, assignment) >= spec.must_review,
        ~reviewed.exists(),
    )
    if team is not None:
        query = query.where(or_(ReviewQueue.team.is_(None), ReviewQueue.team != team))
    pool = pool_of(user.id, assignment)
    if pool.preferred is not None and not pool.outside:
        query = query.where(ReviewQueue.author_id.in_(sorted(pool.preferred)))
    return db.session.scalar(query.limit(1)) is not None


def invite_after(review: Review, *, now: datetime | None = None) -> list[Notification]:
    """After ``review`` was submitted: if it met its reviewer's quota while the reviewer's
    own log still needs reviews, notify up to ``INVITES_PER_MISSING`` per missing review
    of the learners who are done (the author's circle first, fewest reviews given first)
    and who may review that log. A fixed number of queries."""
    if review.kind != PEER or review.reviewer_id is None:
        return []
    assignment = review.assignment
    spec = spec_of(assignment)
    author = db.session.get(User, review.reviewer_id)
    if author is None or completed_by(author, assignment) != spec.must_review:
        return []  # not the review that met the quota (an earlier or an extra one)
    row = db.session.execute(
        select(
            ReviewQueue.log_id,
            ReviewQueue.team,
            ReviewQueue.load,
            effective_required_sql(spec, now or utcnow()),
        ).where(ReviewQueue.assignment_id == assignment.id, ReviewQueue.author_id == author.id)
    ).first()
    if row is None or row.load >= row[3]:
        return []
    return _notify_helpers(assignment, spec, author.id, row.log_id, row.team, row[3] - row.load)


def _notify_helpers(
    assignment: Assignment,
    spec: AssignmentSpec,
    author_id: int,
    log_id: int,
    team: str | None,
    missing: int,
) -> list[Notification]:
    counted = func.count(Review.id)
    # Whoever already has a review of the log (an expired lease of theirs would be handed
    # back to them, so it does not count as having one).
    its_reviewers = select(Review.reviewer_id).where(
        Review.log_id == log_id,
        Review.reviewer_id.is_not(None),
        Review.kind != ReviewKind.CALIBRATION.value,
        or_(Review.kind != PEER, Review.state != EXPIRED),
    )
    query = (
        select(Review.reviewer_id)
        .join(
            Enrolment,
            and_(
                Enrolment.user_id == Review.reviewer_id,
                Enrolment.course_id == assignment.course_id,
            ),
        )
        .where(
            Review.assignment_id == assignment.id,
            Review.kind == PEER,
            Review.state == SUBMITTED,
            Review.reviewer_id != author_id,
            Review.reviewer_id.not_in(its_reviewers),
        )
        .group_by(Review.reviewer_id, Enrolment.team)
        .having(counted >= max(spec.must_review, 1))
    )
    if team is not None:
        query = query.where(or_(Enrolment.team.is_(None), Enrolment.team != team))
    pool = pool_of(author_id, assignment)
    order: list[ColumnElement[object]] = []
    if pool.preferred is not None:
        inside = Review.reviewer_id.in_(sorted(pool.preferred))
        if not pool.outside:
            query = query.where(inside)
        order.append(case((inside, 0), else_=1))
    query = query.order_by(*order, counted, Review.reviewer_id).limit(missing * INVITES_PER_MISSING)
    url = url_for(
        "review.reviewing.assignment", slug=assignment.course.slug, assignment_slug=assignment.slug
    )
    helpers = [user_id for user_id in db.session.scalars(query) if user_id is not None]
    # Someone who turned these invitations off gets none (``notify_many`` skips them).
    made = notify_many(helpers, NoticeKind.REVIEW_INVITED, url, assignment=spec.title)
    return list(made.values())
