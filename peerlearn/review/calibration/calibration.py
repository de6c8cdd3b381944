"""Calibration: example submissions a maintainer assessed, on which learners practise.

A maintainer picks a submitted build log as an example; that creates the
``CalibrationExample`` and the maintainer's ``reference`` review of the log's latest
submitted version. The example is *ready* (offered to learners) once that reference review
is submitted. A learner is offered up to ``spec.calibration_examples`` ready examples,
never their own log; their ``calibration`` review of one is compared with the reference,
criterion by criterion. Calibration and reference reviews never touch the review queue,
never count as peer reviews and never reach the example's author.

What a learner practised on stays theirs: an example removed after they finished it
still counts as done and its result can still be read; one they had only started is no
longer offered. Which examples a learner gets is stable: the ones they finished, then the
ones they started, then fresh ones, oldest example first.

The feature lives in four modules:

- this one: what both sides share (the refusal, and creating the reference or practice
  review of an example);
- :mod:`~peerlearn.review.calibration.calibration_examples`: maintainers choosing examples;
- :mod:`~peerlearn.review.calibration.calibration_practice`: learners practising, and their results;
- :mod:`~peerlearn.review.calibration.calibration_comparison`: the pure comparison of a practice
  review with the reference.

Services take the acting user, flush and never commit (house rule 1).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.extensions import db
from peerlearn.review.models import CalibrationExample, Review, ReviewKind, ReviewState

REFERENCE, CALIBRATION = ReviewKind.REFERENCE.value, ReviewKind.CALIBRATION.value
LEASED, SUBMITTED = ReviewState.LEASED.value, ReviewState.SUBMITTED.value


class CalibrationRefused(Exception):
    """``code`` (``staff.forms.REFUSALS``): no_submission, already_example (maintainers);
    unavailable, own_example, limit (learners)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def own_review(user: User, log_id: int, kind: str) -> Review | None:
    """The user's review of the log of this kind, if any (one per log, reviewer and kind)."""
    return db.session.scalar(
        select(Review).where(
            Review.log_id == log_id, Review.reviewer_id == user.id, Review.kind == kind
        )
    )


def create_review(
    user: User, assignment: Assignment, example: CalibrationExample, kind: str, now: datetime
) -> Review:
    """A reference or practice review of the example's version, leased without expiry
    (neither kind goes back to a pool); a double click gets the first request's row."""
    try:
        with db.session.begin_nested():
            review = Review(
                assignment_id=assignment.id,
                log_id=example.log_id,
                submission_id=example.submission_id,
                reviewer_id=user.id,
                kind=kind,
                state=LEASED,
                leased_at=now,
                lease_expires_at=None,
            )
            db.session.add(review)
            db.session.flush()
    except IntegrityError:
        found = own_review(user, example.log_id, kind)
        assert found is not None
        return found
    return review
