"""How each reviewer did on an assignment, as the standings page and a reviewer see it.

Built from the same inputs as the grades (:mod:`peerlearn.review.grading.grade_inputs`): the
reviews given, their agreement with the resulting grades (the pure
:mod:`peerlearn.review.grading.standing`), the model's reliability estimate when the assignment is
graded with the model, and the authors' helpfulness ratings of the reviews.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.extensions import db
from peerlearn.review.grading import grade_inputs, standing
from peerlearn.review.grading.grade_inputs import GRADED_KINDS
from peerlearn.review.models import Review, ReviewFeedback, ReviewState


@dataclass(frozen=True)
class Helpfulness:
    """One author's rating (1 to 5) of one review, and what they wrote."""

    review_id: int
    log_id: int
    rating: int
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class ReviewerStanding:
    """How one reviewer did on one assignment.

    ``agreement`` is in [0, 1] (see :func:`peerlearn.review.grading.standing.review_agreement`),
    None when none of their reviews could be compared; ``reliability`` is the model's
    estimate, None unless the assignment is graded with the model.
    """

    reviewer_id: int
    username: str
    reviews_given: int
    agreement: Decimal | None
    reliability: Decimal | None
    helpfulness: Decimal | None
    ratings: int
    feedback: tuple[Helpfulness, ...] = ()


def reviewer_standings(
    assignment: Assignment, reviewer_id: int | None = None
) -> list[ReviewerStanding]:
    """Every reviewer of the assignment (or just ``reviewer_id``), by username.

    Reviews given are the submitted, not discarded, peer and staff reviews. A fixed number
    of queries whatever the number of reviewers: the grading inputs, then helpfulness
    ratings and usernames.
    """
    inputs = grade_inputs.load(assignment)
    result = grade_inputs.grade(inputs)
    given: dict[int, int] = defaultdict(int)
    for _log_id, reviewer in inputs.scores:
        given[reviewer] += 1
    agreement = standing.review_agreement(
        {
            (str(log_id), str(reviewer)): chosen
            for (log_id, reviewer), chosen in inputs.scores.items()
        },
        {log_id: res.by_criterion for log_id, res in result.results.items()},
        inputs.scales,
    )
    feedback = _helpfulness(assignment, reviewer_id)
    # Reviews whose reviewer deleted their account count for grades, but nobody stands.
    ids = sorted(i for i in set(given) | set(feedback) if i is not None and i > 0)
    if reviewer_id is not None:
        ids = [reviewer_id]
    names = (
        dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    rows = []
    for rid in ids:
        ratings = feedback.get(rid, ())
        estimate = result.reviewers.get(str(rid))
        rows.append(
            ReviewerStanding(
                reviewer_id=rid,
                username=names.get(rid, ""),
                reviews_given=given.get(rid, 0),
                agreement=agreement.get(str(rid)),
                reliability=estimate.reliability if estimate is not None else None,
                helpfulness=_average([one.rating for one in ratings]),
                ratings=len(ratings),
                feedback=tuple(ratings),
            )
        )
    rows.sort(key=lambda row: (row.username, row.reviewer_id))
    return rows


def _helpfulness(
    assignment: Assignment, reviewer_id: int | None
) -> dict[int, tuple[Helpfulness, ...]]:
    """Authors' ratings of the reviews that count, by reviewer (one query)."""
    stmt = (
        select(Review.reviewer_id, ReviewFeedback, Review.log_id)
        .join(ReviewFeedback, ReviewFeedback.review_id == Review.id)
        .where(
            Review.assignment_id == assignment.id,
            Review.kind.in_(GRADED_KINDS),
            Review.state == ReviewState.SUBMITTED.value,
        )
        .order_by(ReviewFeedback.created_at, ReviewFeedback.id)
    )
    if reviewer_id is not None:
        stmt = stmt.where(Review.reviewer_id == reviewer_id)
    found: dict[int, list[Helpfulness]] = defaultdict(list)
    for rid, rating, log_id in db.session.execute(stmt):
        if rid is None:  # the reviewer deleted their account: nobody stands for it
            continue
        found[rid].append(
            Helpfulness(rating.review_id, log_id, rating.rating, rating.comment, rating.created_at)
        )
    return {rid: tuple(ratings) for rid, ratings in found.items()}


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"))
