"""Writing a review: drafts, the checks a submitted review must pass, and what a submit
sets in motion (queue counts, notices to the author).

Services take the acting user, flush and never commit (house rule 1). Scores arrive as
plain data, already parsed by the form, so the rules here are the only place that decides
what a complete review is; the form only turns their codes into sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.deadlines import deadlines_of
from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.notifications import notify
from peerlearn.review import signals
from peerlearn.review.allocation import invitations, queue, queue_counts
from peerlearn.review.models import Review, ReviewFeedback, ReviewKind, ReviewScore, ReviewState
from peerlearn.review.notifications import NoticeKind

#: Reviews need words as well as levels: an overall comment shorter than this says nothing.
MIN_OVERALL_COMMENT = 10
MAX_COMMENT = 5000
#: Kinds whose submission reaches the author of the build log.
KINDS_FOR_AUTHOR = (ReviewKind.PEER.value, ReviewKind.STAFF.value)


@dataclass(frozen=True)
class ScoreInput:
    """One criterion as the reviewer left it: a level's points (None: not chosen yet)."""

    points: int | None
    comment: str


class ReviewProblem(ValueError):
    """A review that cannot be submitted as it is; ``field`` names the form field.

    ``code`` is one of: level_missing, level_unknown, overall_short, too_long.
    """

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class ReviewRefused(Exception):
    """A review that may no longer be changed (``code``: submitted, discarded, closed)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- Reading -----------------------------------------------------------------------------


def load_review(review_id: int) -> Review | None:
    """The review with its scores, log, assignment and course, for the review page."""
    return db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(
            selectinload(Review.scores),
            selectinload(Review.log)
            .selectinload(BuildLog.assignment)
            .selectinload(Assignment.course),
            selectinload(Review.submission),
        )
    )


def scores_of(review: Review) -> dict[str, ReviewScore]:
    return {score.criterion: score for score in review.scores}


def received_reviews(log: BuildLog) -> list[Review]:
    """Submitted peer and staff reviews of the log, in the order they arrived, with their
    scores and helpfulness ratings (three queries). Discarded ones stay in the list, marked,
    so the author who reported one sees what became of it; they no longer count."""
    return list(
        db.session.scalars(
            select(Review)
            .where(
                Review.log_id == log.id,
                Review.kind.in_(KINDS_FOR_AUTHOR),
                Review.state.in_((ReviewState.SUBMITTED.value, ReviewState.DISCARDED.value)),
                Review.submitted_at.is_not(None),
            )
            .options(selectinload(Review.scores), selectinload(Review.feedback))
            .order_by(Review.submitted_at, Review.id)
        )
    )


def own_review(user: User, log: BuildLog, kind: ReviewKind) -> Review | None:
    return db.session.scalar(
        select(Review).where(
            Review.log_id == log.id, Review.reviewer_id == user.id, Review.kind == kind.value
        )
    )


def live_lease(user: User, assignment: Assignment, now: datetime | None = None) -> Review | None:
    """The peer review the user holds and has not submitted, if its lease still runs."""
    review = db.session.scalar(
        select(Review).where(
            Review.assignment_id == assignment.id,
            Review.reviewer_id == user.id,
            Review.kind == ReviewKind.PEER.value,
            Review.state == ReviewState.LEASED.value,
        )
    )
    if review is None or review.lease_expires_at is None:
        return review
    return review if review.lease_expires_at > (now or utcnow()) else None


# --- Writing -----------------------------------------------------------------------------


def _check_open(review: Review, spec: AssignmentSpec, now: datetime) -> None:
    if review.state == ReviewState.SUBMITTED.value:
        raise ReviewRefused("submitted")
    if review.state == ReviewState.DISCARDED.value:
        raise ReviewRefused("discarded")
    if review.kind not in (ReviewKind.PEER.value, ReviewKind.SELF.value):
        return
    # The reviewer's own review deadline: their circle's, or the course's.
    review_by = deadlines_of(review.reviewer_id, review.log.assignment).review_by
    if review_by is not None and now >= review_by:
        raise ReviewRefused("closed")


def _store(review: Review, spec: AssignmentSpec, scores: Mapping[str, ScoreInput]) -> None:
    existing = scores_of(review)
    for criterion in spec.rubric:
        given = scores.get(criterion.id, ScoreInput(None, ""))
        row = existing.get(criterion.id)
        if row is None:
            row = ReviewScore(review=review, criterion=criterion.id)
            db.session.add(row)
        row.points = given.points
        row.comment = given.comment


def _validate(spec: AssignmentSpec, scores: Mapping[str, ScoreInput], overall: str) -> None:
    for criterion in spec.rubric:
        given = scores.get(criterion.id)
        if given is None or given.points is None:
            raise ReviewProblem(f"level-{criterion.id}", "level_missing")
        if given.points not in {level.points for level in criterion.levels}:
            raise ReviewProblem(f"level-{criterion.id}", "level_unknown")
        if len(given.comment) > MAX_COMMENT:
            raise ReviewProblem(f"comment-{criterion.id}", "too_long")
    if len(overall.strip()) < MIN_OVERALL_COMMENT:
        raise ReviewProblem("overall", "overall_short")
    if len(overall) > MAX_COMMENT:
        raise ReviewProblem("overall", "too_long")


def save_draft(
    reviewer: User,
    review: Review,
    scores: Mapping[str, ScoreInput],
    overall: str,
    *,
    now: datetime | None = None,
) -> None:
    """Keep what the reviewer wrote so far; nothing is checked but that it may change."""
    spec = spec_of(review.log.assignment)
    _check_open(review, spec, now or utcnow())
    _store(review, spec, scores)
    review.overall_comment = overall[:MAX_COMMENT]
    db.session.flush()


def submit_review(
    reviewer: User,
    review: Review,
    scores: Mapping[str, ScoreInput],
    overall: str,
    *,
    now: datetime | None = None,
) -> bool:
    """Submit the review. Returns False when it was already submitted (a double click or a
    reload): it is stored once and the second request changes nothing.

    What was typed is stored as a draft before the checks run, so a refused submit loses
    nothing; ``ReviewProblem`` then names the first field to fix.
    """
    now = now or utcnow()
    if review.state == ReviewState.SUBMITTED.value:
        return False
    spec = spec_of(review.log.assignment)
    _check_open(review, spec, now)
    _store(review, spec, scores)
    review.overall_comment = overall[:MAX_COMMENT]
    db.session.flush()
    _validate(spec, scores, overall)
    queue.complete(review, now=now)
    db.session.flush()
    if review.kind in KINDS_FOR_AUTHOR:
        _tell_author(review, spec)
        invitations.invite_after(review, now=now)
    signals.review_submitted.send(review)
    return True


def _tell_author(review: Review, spec: AssignmentSpec) -> None:
    log = review.log
    course = log.assignment.course
    url = url_for(
        "review.reviewing.received", slug=course.slug, assignment_slug=log.assignment.slug
    )
    notify(log.user_id, NoticeKind.REVIEW_RECEIVED, url, assignment=spec.title)
    completed, _leased, required = queue_counts.counts_of(log)
    if completed == required:
        notify(log.user_id, NoticeKind.GRADE_READY, url, assignment=spec.title)


def start_self_assessment(user: User, log: BuildLog, *, now: datetime | None = None) -> Review:
    """The author's own review of their latest submitted version (one per log)."""
    existing = own_review(user, log, ReviewKind.SELF)
    if existing is not None:
        return existing
    latest = db.session.scalar(
        select(Submission).where(Submission.log_id == log.id).order_by(Submission.version.desc())
    )
    if latest is None:
        raise ReviewRefused("not_submitted")
    review = Review(
        assignment_id=log.assignment_id,
        log_id=log.id,
        submission_id=latest.id,
        reviewer_id=user.id,
        kind=ReviewKind.SELF.value,
        state=ReviewState.LEASED.value,
        leased_at=now or utcnow(),
    )
    db.session.add(review)
    db.session.flush()
    return review


def rate_helpfulness(author: User, review: Review, rating: int, comment: str) -> bool:
    """The author rates a review they received, once. Returns False if already rated."""
    if review.feedback is not None or db.session.scalar(
        select(func.count(ReviewFeedback.id)).where(ReviewFeedback.review_id == review.id)
    ):
        return False
    db.session.add(
        ReviewFeedback(
            review_id=review.id, author_id=author.id, rating=rating, comment=comment[:MAX_COMMENT]
        )
    )
    db.session.flush()
    signals.review_rated.send(review)
    return True
