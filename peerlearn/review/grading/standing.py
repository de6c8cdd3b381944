"""How well a reviewer's scores agree with the grades: pure, like ``grading``.

Agreement follows Moodle Workshop's "comparison with the best assessment": a reviewer is
compared with the consensus, not with a maintainer, because most submissions never get a
maintainer's look. For every score the reviewer gave, the distance to the submission's
grade on that criterion is taken as a share of the criterion's range (so a 5-point and a
100-point criterion count alike), averaged with the criteria's weights, and turned into
``1 - distance``: 1 is full agreement, 0 the opposite end of every scale.

A consensus includes the reviewer's own score, so agreement is generous where a submission
has few reviews; with ``must_be_reviewed`` of 3 or more that is a third at most. The
model's ``reliability`` is the better measure when the model was used: it first takes out
the reviewer's bias (a consistently generous reviewer is still informative) and looks at
how consistent they are across all their reviews and calibration examples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from peerlearn.review.grading.grading import (
    FIXED_CONTEXT,
    CriterionScale,
    GradeResult,
    Grading,
    Score,
    resolve_scales,
)

AGREEMENT_QUANTUM = Decimal("0.0001")

#: One review: (submission, reviewer) -> points chosen per criterion.
ReviewScores = Mapping[tuple[str, str], Mapping[str, Decimal]]


@dataclass(frozen=True)
class ReviewerStanding:
    """A reviewer's record on one assignment.

    ``reviews`` counts the submissions they scored; ``agreement`` is in [0, 1];
    ``reliability`` is the model's estimate (None unless the grades came from the model).
    """

    reviewer: str
    reviews: int
    agreement: Decimal
    reliability: Decimal | None


def review_agreement(
    scores: Iterable[Score] | ReviewScores,
    grades: Mapping[str, GradeResult] | Mapping[str, Mapping[str, Decimal]],
    criteria: Mapping[str, CriterionScale] | None = None,
) -> dict[str, Decimal]:
    """Each reviewer's agreement with the grades, in [0, 1], four decimals.

    ``scores`` are :class:`Score` objects or, as the gradebook keeps them, points per
    criterion keyed by (submission, reviewer). ``grades`` are grade results, or criterion
    grades, by submission. ``criteria`` gives ranges and weights; without it ranges come
    from the scores and every weight is 1. A reviewer none of whose scores has a grade to
    compare with is left out: there is nothing to say about them yet.
    """
    score_list = list(_as_scores(scores))
    scales = resolve_scales(score_list) if criteria is None else criteria
    distance: dict[str, list[Decimal]] = defaultdict(list)
    weight: dict[str, list[Decimal]] = defaultdict(list)
    agreement = {}
    # A fixed precision, whatever the caller's context: the same input, the same figure.
    # The gaps too: a third of a range in a caller's 1-digit context would be 0.3.
    with localcontext(FIXED_CONTEXT):
        for score in score_list:
            grade = _criterion_grades(grades.get(score.submission)).get(score.criterion)
            scale = scales.get(score.criterion)
            if grade is None or scale is None:
                continue
            gap = abs(score.points - grade) / scale.span if scale.span else Decimal(0)
            distance[score.reviewer].append(scale.weight * min(gap, Decimal(1)))
            weight[score.reviewer].append(scale.weight)
        for reviewer in sorted(distance):
            total_weight = sum(weight[reviewer], Decimal(0))
            if total_weight <= 0:
                continue
            value = 1 - sum(distance[reviewer], Decimal(0)) / total_weight
            value = min(max(value, Decimal(0)), Decimal(1))
            agreement[reviewer] = value.quantize(AGREEMENT_QUANTUM, rounding=ROUND_HALF_UP)
    return agreement


def reviewer_standings(
    scores: Iterable[Score] | ReviewScores,
    grading: Grading,
    criteria: Mapping[str, CriterionScale] | None = None,
) -> dict[str, ReviewerStanding]:
    """Every reviewer with a comparable score: reviews given, agreement, reliability.

    Pass the same ``scores`` and ``criteria`` the grading was computed from.
    """
    score_list = list(_as_scores(scores))
    agreement = review_agreement(score_list, grading.results, criteria)
    reviewed: dict[str, set[str]] = defaultdict(set)
    for score in score_list:
        reviewed[score.reviewer].add(score.submission)
    standings = {}
    for reviewer, value in agreement.items():
        estimate = grading.reviewers.get(reviewer)
        standings[reviewer] = ReviewerStanding(
            reviewer=reviewer,
            reviews=len(reviewed[reviewer]),
            agreement=value,
            reliability=estimate.reliability if estimate is not None else None,
        )
    return standings


def _as_scores(scores: Iterable[Score] | ReviewScores) -> Iterable[Score]:
    if isinstance(scores, Mapping):
        return [
            Score(submission, reviewer, criterion, points)
            for (submission, reviewer), chosen in scores.items()
            for criterion, points in chosen.items()
        ]
    return scores


def _criterion_grades(
    grade: GradeResult | Mapping[str, Decimal] | None,
) -> Mapping[str, Decimal]:
    if grade is None:
        return {}
    if isinstance(grade, GradeResult):
        return grade.by_criterion
    return grade
