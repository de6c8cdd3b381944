"""How close learners' practice reviews came to the references: per learner and per
example, for the course's maintainers (every learner) and a circle's facilitators (their
circle's learners, ``circle_scope.StaffScope``).

Practice reviews are of calibration examples, never of a classmate's graded work, so the
page names the learners who practised (their facilitator already sees how many they did),
but never an example's author nor who wrote its reference: examples are "Example 1, 2, 3",
numbered in the order they were chosen. Three queries however many learners: the examples with their
references' scores, then the practice reviews in scope with their scores and reviewers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.extensions import db
from peerlearn.review.calibration.calibration import CALIBRATION, SUBMITTED
from peerlearn.review.calibration.calibration_comparison import compare
from peerlearn.review.models import CalibrationExample, Review


@dataclass(frozen=True)
class LearnerCalibration:
    username: str
    #: Submitted practice reviews with a reference to compare with.
    practised: int
    #: Mean closeness to the references, in [0, 1]; None when nothing could be compared.
    closeness: Decimal | None


@dataclass(frozen=True)
class ExampleCalibration:
    #: 1, 2, 3 in the order the examples were chosen.
    number: int
    practised: int
    closeness: Decimal | None
    removed: bool


@dataclass(frozen=True)
class CalibrationResults:
    learners: list[LearnerCalibration]
    examples: list[ExampleCalibration]


def _mean(values: Iterable[Decimal]) -> Decimal | None:
    found = list(values)
    if not found:
        return None
    return (sum(found, Decimal(0)) / len(found)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _scores(review: Review) -> dict[str, tuple[int | None, str]]:
    return {score.criterion: (score.points, score.comment) for score in review.scores}


def results(assignment: Assignment, learners: frozenset[int] | None) -> CalibrationResults:
    """Practice results of ``learners`` (None: everyone), learners by username."""
    spec = spec_of(assignment)
    examples = list(
        db.session.scalars(
            select(CalibrationExample)
            .where(CalibrationExample.assignment_id == assignment.id)
            .options(selectinload(CalibrationExample.reference_review).selectinload(Review.scores))
            .order_by(CalibrationExample.id)
        )
    )
    references = {
        example.log_id: _scores(example.reference_review)
        for example in examples
        if example.reference_review is not None and example.reference_review.state == SUBMITTED
    }
    query = (
        select(Review, User.username)
        .join(User, User.id == Review.reviewer_id)
        .where(
            Review.assignment_id == assignment.id,
            Review.kind == CALIBRATION,
            Review.state == SUBMITTED,
        )
        .options(selectinload(Review.scores))
    )
    if learners is not None:
        query = query.where(Review.reviewer_id.in_(sorted(learners)))
    by_learner: dict[str, list[Decimal | None]] = defaultdict(list)
    by_log: dict[int, list[Decimal | None]] = defaultdict(list)
    for review, username in db.session.execute(query):
        reference = references.get(review.log_id)
        if reference is None:
            continue
        closeness = compare(spec, _scores(review), reference).closeness
        by_learner[username].append(closeness)
        by_log[review.log_id].append(closeness)
    return CalibrationResults(
        learners=[
            LearnerCalibration(name, len(found), _mean(c for c in found if c is not None))
            for name, found in sorted(by_learner.items())
        ],
        examples=[
            ExampleCalibration(
                number,
                len(by_log[example.log_id]),
                _mean(c for c in by_log[example.log_id] if c is not None),
                example.removed_at is not None,
            )
            for number, example in enumerate(examples, start=1)
        ],
    )
