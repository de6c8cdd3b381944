"""A practice review next to the reference, criterion by criterion: pure and typed.

Kept apart from the database so that what "close to the reference" means can be tested,
and changed, on plain values. :func:`peerlearn.review.calibration.calibration_practice.result_of`
feeds it a learner's practice review and the example's reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peerlearn.bundles.assignment_spec import (
    AssignmentSpec,
    Criterion,
    Level,
    ScoreError,
    weighted_total,
)


@dataclass(frozen=True)
class CriterionComparison:
    """One rubric criterion: the learner's level next to the reference's."""

    criterion: Criterion
    points: int | None
    reference_points: int | None
    comment: str
    reference_comment: str

    def _level(self, points: int | None) -> Level | None:
        return next((lv for lv in self.criterion.levels if lv.points == points), None)

    @property
    def level(self) -> Level | None:
        return self._level(self.points)

    @property
    def reference_level(self) -> Level | None:
        return self._level(self.reference_points)

    @property
    def difference(self) -> int | None:
        """Learner minus reference: positive is more generous, negative stricter."""
        if self.points is None or self.reference_points is None:
            return None
        return self.points - self.reference_points

    @property
    def same(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class Comparison:
    rows: tuple[CriterionComparison, ...]
    #: Criteria where both chose a level, and those where the levels were the same.
    compared: int
    matched: int
    #: 1 minus the weighted distance over the weighted range, in [0, 1]; None if nothing
    #: could be compared. 1 is the reference exactly.
    closeness: Decimal | None
    total: Decimal | None
    reference_total: Decimal | None


def compare(
    spec: AssignmentSpec,
    mine: Mapping[str, tuple[int | None, str]],
    reference: Mapping[str, tuple[int | None, str]],
) -> Comparison:
    """Compare a practice review with the reference, per criterion of the current rubric.

    Scores map criterion id to (points, comment). A criterion either side left open is
    shown but not compared; a criterion whose levels all have the same points cannot
    differ and weighs nothing in ``closeness``.
    """
    rows = []
    distance = span = Decimal(0)
    compared = matched = 0
    for criterion in spec.rubric:
        points, comment = mine.get(criterion.id, (None, ""))
        reference_points, reference_comment = reference.get(criterion.id, (None, ""))
        row = CriterionComparison(criterion, points, reference_points, comment, reference_comment)
        rows.append(row)
        if row.difference is None:
            continue
        compared += 1
        matched += row.same
        weight = Decimal(criterion.weight)
        distance += abs(row.difference) * weight
        span += (criterion.max_points - min(lv.points for lv in criterion.levels)) * weight
    closeness = None
    if compared:
        share = Decimal(1) - distance / span if span else Decimal(1)
        closeness = max(Decimal(0), share).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Comparison(
        rows=tuple(rows),
        compared=compared,
        matched=matched,
        closeness=closeness,
        total=_total(spec, mine),
        reference_total=_total(spec, reference),
    )


def _total(spec: AssignmentSpec, scores: Mapping[str, tuple[int | None, str]]) -> Decimal | None:
    chosen = {key: points for key, (points, _comment) in scores.items() if points is not None}
    try:
        return weighted_total(spec, chosen)
    except ScoreError:
        return None
