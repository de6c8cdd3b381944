"""Revise and resubmit (``resubmission: true`` in the assignment file).

Without the setting a build log has one grade, made of every review of any of its
versions, and a new version only changes what later reviewers see (as before). With it,
each version is its own thing to grade:

* A version submitted *after feedback* (the log's current round has at least one
  submitted review) starts a new round: ``review_queue.completed`` goes back to 0, so the
  new version needs its reviews again. A version submitted before any feedback continues
  the round. Either way, reviews still in progress (leases, live or expired) move to the
  newest version, so ``completed`` always counts the submitted reviews of the latest
  version and a reviewer never finishes a review of a version that is already replaced.
* Reviewers of an earlier version may review the new one (one review per version,
  reviewer and kind), and the queue hands it to them first
  (:func:`earlier_reviewer_logs`): they know what the feedback asked for. When a new
  round starts they are told (:func:`notify_earlier_reviewers`), and for
  ``RESUBMISSION_HOLD_HOURS`` the round's last needed review is kept for one of them
  (:func:`held_for_earlier_sql`), so "re-reviewed by an earlier reviewer when available"
  is more than a preference that only works if they happen to ask.
* Every version keeps its reviews, and its own grade; the log's grade is that of the
  latest version that has one (``grades``).

The queue calls these functions inside its own transaction; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import ColumnElement, and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import aliased

from peerlearn.accounts.models import User
from peerlearn.assignments.deadlines import deadlines_of
from peerlearn.assignments.models import BuildLog, Submission
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import rowcount, utcnow
from peerlearn.extensions import db
from peerlearn.notifications import Notification, notify_many
from peerlearn.review.models import Review, ReviewKind, ReviewQueue, ReviewState
from peerlearn.review.notifications import NoticeKind

#: Reviews that fill a round (the queue's ``completed``): a classmate's or a maintainer's.
_COUNTED = (ReviewKind.PEER.value, ReviewKind.STAFF.value)
_OPEN = (ReviewState.LEASED.value, ReviewState.EXPIRED.value)


def start_round(row: ReviewQueue, submission: Submission) -> bool:
    """Bring the log's queue row and open reviews to the new version ``submission``.

    Returns True when a new round started (the previous version had feedback). The
    reviews in progress keep their drafts; the leased count stays what it was, since the
    same leases are still held.
    """
    db.session.execute(
        update(Review)
        .where(
            Review.log_id == row.log_id,
            Review.kind.in_(_COUNTED),
            Review.state.in_(_OPEN),
            Review.submission_id != submission.id,
        )
        .values(submission_id=submission.id)
        .execution_options(synchronize_session="fetch")
    )
    # In SQL, like every change of the counts (``queue._bump``): never from values read.
    result = db.session.execute(
        update(ReviewQueue)
        .where(ReviewQueue.log_id == row.log_id, ReviewQueue.completed > 0)
        .values(completed=0, load=ReviewQueue.leased)
        .execution_options(synchronize_session="fetch")
    )
    return bool(rowcount(result))


def latest_submission_id(log_id: int) -> int | None:
    return db.session.scalar(
        select(Submission.id)
        .where(Submission.log_id == log_id)
        .order_by(Submission.version.desc())
        .limit(1)
    )


def counts_in_round(review: Review) -> bool:
    """Whether ``review`` is one of the queue's completed reviews: a review of an
    earlier version (an earlier round) no longer is, so discarding it later must not
    lower the new round's count."""
    return review.submission_id == latest_submission_id(review.log_id)


def earlier_reviewer_logs(reviewer_id: int, assignment_id: int) -> list[int]:
    """Queued logs of the assignment whose earlier version ``reviewer_id`` reviewed and
    whose latest version they have not (one query). Allocation offers these first."""
    latest = (
        select(Submission.id)
        .where(Submission.log_id == ReviewQueue.log_id)
        .order_by(Submission.version.desc())
        .limit(1)
        .correlate(ReviewQueue)  # inside the EXISTS below too, two levels down
        .scalar_subquery()
    )
    mine = aliased(Review)
    of_latest = exists().where(
        mine.log_id == ReviewQueue.log_id,
        mine.reviewer_id == reviewer_id,
        mine.submission_id == latest,
        mine.kind.in_(_COUNTED),
    )
    rows = db.session.scalars(
        select(ReviewQueue.log_id)
        .join(
            Review,
            and_(
                Review.log_id == ReviewQueue.log_id,
                Review.reviewer_id == reviewer_id,
                Review.kind == ReviewKind.PEER.value,
                Review.state == ReviewState.SUBMITTED.value,
            ),
        )
        .where(ReviewQueue.assignment_id == assignment_id, ~of_latest)
        .distinct()
        .order_by(ReviewQueue.log_id)
    )
    return list(rows)


def earlier_reviewers(log: BuildLog, submission_id: int) -> list[int]:
    """Who gave a submitted peer review of an earlier version of ``log`` and can still
    review: not the author, not a locked or deleted account (one query)."""
    rows = db.session.scalars(
        select(Review.reviewer_id)
        .join(User, User.id == Review.reviewer_id)
        .where(
            Review.log_id == log.id,
            Review.submission_id != submission_id,
            Review.kind == ReviewKind.PEER.value,
            Review.state == ReviewState.SUBMITTED.value,
            Review.reviewer_id != log.user_id,
            User.locked_at.is_(None),
            User.deleted_at.is_(None),
        )
        .distinct()
        .order_by(Review.reviewer_id)
    )
    return [user_id for user_id in rows if user_id is not None]


def notify_earlier_reviewers(
    log: BuildLog, submission: Submission, *, now: datetime | None = None
) -> list[Notification]:
    """Tell the earlier reviewers of ``log`` that its new version (a new round) waits for
    them, those whose own review deadline has not passed. The notice names the assignment
    only (the author stays unknown) and links to its page, where asking for a review
    hands them this log first. ``notify_many`` skips whoever turned the kind off and
    sends the emails through the job queue, never inside the request."""
    now = now or utcnow()
    assignment = log.assignment
    reviewers = []
    for user_id in earlier_reviewers(log, submission.id):
        review_by = deadlines_of(user_id, assignment).review_by
        if review_by is None or now < review_by:
            reviewers.append(user_id)
    if not reviewers:
        return []
    url = url_for(
        "review.reviewing.assignment", slug=assignment.course.slug, assignment_slug=assignment.slug
    )
    made = notify_many(
        reviewers, NoticeKind.RESUBMISSION_WAITING, url, assignment=spec_of(assignment).title
    )
    return list(made.values())


def held_for_earlier_sql(latest: ColumnElement[int]) -> ColumnElement[bool]:
    """A WHERE term for the queue's pick (``queue._pick_statement``): false for the row of
    a log whose last needed review is held for an earlier reviewer, when the asker
    (``:reviewer_id``) is not one of them.

    Held: the log's latest version (``latest``, the pick's subquery) came after
    ``:hold_since`` (the window), the asker never gave a submitted peer review of the log,
    an earlier reviewer who can still review exists (an account neither locked nor
    deleted), none of them has a live lease or review of the latest version yet, and the
    review asked for would be the round's last needed one. Extra reviews (load already at
    the requirement) are never held. Evaluated on the row the pick locks, in the same
    statement, so it is as race-free as the pick itself: a lease taken meanwhile changes
    ``load``, which the lock makes the pick re-read.
    """
    earlier = aliased(Review)
    earlier_ids = (
        select(earlier.reviewer_id)
        .where(
            earlier.log_id == ReviewQueue.log_id,
            earlier.kind == ReviewKind.PEER.value,
            earlier.state == ReviewState.SUBMITTED.value,
            earlier.submission_id != latest,
        )
        .correlate(ReviewQueue)
    )
    active = aliased(User)
    someone_active = exists().where(
        active.id.in_(earlier_ids), active.locked_at.is_(None), active.deleted_at.is_(None)
    )
    on_it = aliased(Review)
    already_on_it = exists().where(
        on_it.log_id == ReviewQueue.log_id,
        on_it.submission_id == latest,
        on_it.kind == ReviewKind.PEER.value,
        on_it.state.in_((ReviewState.LEASED.value, ReviewState.SUBMITTED.value)),
        on_it.reviewer_id.in_(earlier_ids),
    )
    asker = aliased(Review)
    asker_reviewed = exists().where(
        asker.log_id == ReviewQueue.log_id,
        asker.reviewer_id == bindparam("reviewer_id"),
        asker.kind == ReviewKind.PEER.value,
        asker.state == ReviewState.SUBMITTED.value,
    )
    since = (  # when the latest version came
        select(Submission.created_at)
        .where(Submission.log_id == ReviewQueue.log_id)
        .order_by(Submission.version.desc())
        .limit(1)
        .correlate(ReviewQueue)
        .scalar_subquery()
    )
    return or_(
        ReviewQueue.load + 1 < ReviewQueue.required,  # not the last needed review
        ReviewQueue.load >= ReviewQueue.required,  # an extra one
        since <= bindparam("hold_since"),  # the window is over
        asker_reviewed,
        ~someone_active,
        already_on_it,
    )


def version_numbers(log: BuildLog) -> dict[int, int]:
    """Version number by submission id of the log (one query)."""
    rows = db.session.execute(
        select(Submission.id, Submission.version).where(Submission.log_id == log.id)
    )
    return {sid: version for sid, version in rows}
