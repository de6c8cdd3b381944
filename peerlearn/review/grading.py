"""Peer grades from reviewers' scores: pure, typed and deterministic.

A learner's grade is computed from the points their reviewers chose per rubric criterion.
Three methods are offered, by name, through :data:`METHODS`:

- ``median``: Open edX ORA2's rule, kept exactly so that a course moved from ORA2 keeps
  its grades: per criterion the median; with an even number of reviews the mean of the two
  middle scores rounded *up* to an integer (ORA2's example: Ideas 10/7/8 -> 8, Content
  7/9/8 -> 8, Grammar 4/4/5 -> 4, total 20).
- ``mean``: per criterion the mean; transparent, but one careless reviewer moves it.
- ``model``: reviewer bias and reliability estimated from the whole course (Piech et al.
  2013, see :mod:`peerlearn.review.grading_model`); a generous reviewer's 10 counts less
  than a strict reviewer's 10, and a careless reviewer counts less than a careful one.

Whatever the method, a grade never leaves the rubric's range, the same input always gives
the same grade, and neither the order of the scores nor the reviewers' ids change it.
Weights only multiply criterion grades into the total; they never change how a criterion
is graded. A submission nobody has scored gets no result: the caller says "not graded yet"
rather than showing a zero the learner did not earn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from types import MappingProxyType

from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.review import grading_model

#: Totals are shown with two decimals (criterion grades of the model keep six, enough that
#: rounding the total is the only rounding a learner could notice).
TOTAL_QUANTUM = Decimal("0.01")
#: Decimal arithmetic of grading always runs in this context (28 digits, Python's default).
FIXED_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999)
ESTIMATE_QUANTUM = Decimal("0.0001")


class GradingError(ValueError):
    """Scores that cannot be graded as given (the message says which and why)."""


@dataclass(frozen=True)
class Score:
    """The points one reviewer chose for one criterion of one submission."""

    submission: str
    reviewer: str
    criterion: str
    points: Decimal

    def __post_init__(self) -> None:
        _as_decimal(self, "points")


@dataclass(frozen=True)
class CriterionScale:
    """The range of a criterion's points and its weight in the total."""

    min_points: Decimal
    max_points: Decimal
    weight: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        for name in ("min_points", "max_points", "weight"):
            _as_decimal(self, name)

    @property
    def span(self) -> Decimal:
        return self.max_points - self.min_points


@dataclass(frozen=True)
class CalibrationResult:
    """A reviewer's practice score next to the maintainer's reference score.

    Both are on the same example, so the difference is pure reviewer error: the model
    uses it as evidence of the reviewer's bias and precision with the truth known.
    """

    reviewer: str
    criterion: str
    points: Decimal
    reference_points: Decimal

    def __post_init__(self) -> None:
        _as_decimal(self, "points")
        _as_decimal(self, "reference_points")


@dataclass(frozen=True)
class GradeResult:
    """The grade of one submission: weighted total (2 decimals) and per-criterion grades."""

    submission: str
    total: Decimal
    by_criterion: Mapping[str, Decimal]
    #: How many distinct reviewers scored the submission.
    reviews: int


@dataclass(frozen=True)
class ReviewerEstimate:
    """What the model learned about a reviewer.

    ``bias`` is a share of each criterion's range (+0.1: one tenth of the range too
    generous); ``reliability`` is in [0, 1], the share of the variance of the reviewer's
    scores that is signal rather than noise (see ``grading_model.ModelFit``).
    """

    reviewer: str
    bias: Decimal
    reliability: Decimal


@dataclass(frozen=True)
class Grading:
    """All grades of one assignment, keyed and ordered by submission id.

    ``reviewers`` holds the model's estimates; it is empty for methods that do not
    estimate anything about reviewers.
    """

    method: str
    results: Mapping[str, GradeResult]
    reviewers: Mapping[str, ReviewerEstimate] = field(default_factory=dict)


#: Criterion grades keyed by (submission, criterion), plus reviewer estimates if any.
Estimate = tuple[dict[tuple[str, str], Decimal], dict[str, ReviewerEstimate]]


@dataclass(frozen=True)
class GradingMethod:
    """A named way of turning scores into criterion grades."""

    name: str
    #: One line of plain English, listed by ``flask peerlearn grade --help``.
    description: str
    estimate: Callable[
        [Sequence[Score], Mapping[str, CriterionScale], Sequence[CalibrationResult]], Estimate
    ]


# --- public entry points -----------------------------------------------------------------


def grade(
    scores: Iterable[Score],
    method: str | None = None,
    criteria: Mapping[str, CriterionScale] | None = None,
    calibration: Iterable[CalibrationResult] = (),
) -> Grading:
    """Grade every submission that has at least one score.

    ``criteria`` gives each criterion's range and weight; without it every weight is 1 and
    a criterion's range is the lowest to the highest points seen for it. Raises
    :class:`GradingError` for an unknown method, two scores by one reviewer for the same
    criterion of the same submission, a non-finite score, or (with ``criteria``) a score
    for an unknown criterion or outside its range.
    """
    name = method or DEFAULT_METHOD
    if name not in METHODS:
        raise GradingError(f"unknown grading method '{name}'; choose one of {', '.join(METHODS)}")
    # One fixed decimal context, whatever the caller's: the same scores, the same grades.
    with localcontext(FIXED_CONTEXT):
        return _grade(name, list(scores), criteria, list(calibration))


def _grade(
    name: str,
    score_list: list[Score],
    criteria: Mapping[str, CriterionScale] | None,
    calibration_list: list[CalibrationResult],
) -> Grading:
    scales = resolve_scales(score_list, criteria, calibration_list)
    reviewers_of: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str, str]] = set()
    for score in score_list:
        key = (score.submission, score.reviewer, score.criterion)
        if key in seen:
            raise GradingError(
                f"reviewer '{score.reviewer}' scored criterion '{score.criterion}' of "
                f"submission '{score.submission}' twice"
            )
        seen.add(key)
        reviewers_of[score.submission].add(score.reviewer)
    criterion_grades, reviewers = METHODS[name].estimate(score_list, scales, calibration_list)
    by_submission: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (submission, criterion), value in criterion_grades.items():
        by_submission[submission][criterion] = _clamp(value, scales[criterion])
    results = {}
    for submission in sorted(by_submission):
        by_criterion = dict(sorted(by_submission[submission].items()))
        results[submission] = GradeResult(
            submission=submission,
            total=weighted_total(by_criterion, scales),
            by_criterion=MappingProxyType(by_criterion),
            reviews=len(reviewers_of[submission]),
        )
    return Grading(
        method=name,
        results=MappingProxyType(results),
        reviewers=MappingProxyType(dict(sorted(reviewers.items()))),
    )


def weighted_total(
    by_criterion: Mapping[str, Decimal], scales: Mapping[str, CriterionScale]
) -> Decimal:
    """Sum of weight times criterion grade, rounded half up to two decimals only here."""
    with localcontext(FIXED_CONTEXT):  # the caller's context must not change a grade
        total = sum((scales[c].weight * value for c, value in by_criterion.items()), Decimal(0))
        return total.quantize(TOTAL_QUANTUM, rounding=ROUND_HALF_UP)


def resolve_scales(
    scores: Sequence[Score],
    criteria: Mapping[str, CriterionScale] | None = None,
    calibration: Sequence[CalibrationResult] = (),
) -> dict[str, CriterionScale]:
    """Each criterion's scale: as given, or (weight 1) from the lowest and highest points.

    With ``criteria`` given, every score must fit it: a score outside the rubric means the
    rubric changed under the reviews, and grading would hide that.
    """
    # Sets: a rubric has a handful of levels, so this stays small for 100,000 scores.
    points: dict[str, set[Decimal]] = defaultdict(set)
    for score in scores:
        points[score.criterion].add(score.points)
    for result in calibration:
        points[result.criterion].update((result.points, result.reference_points))
    for criterion, values in points.items():
        for value in values:
            if not value.is_finite():
                raise GradingError(
                    f"criterion '{criterion}': {value} is not a finite number of points"
                )
    if criteria is None:
        return {
            c: CriterionScale(Decimal(min(values)), Decimal(max(values)))
            for c, values in points.items()
        }
    for criterion, values in points.items():
        scale = criteria.get(criterion)
        if scale is None:
            raise GradingError(f"criterion '{criterion}' is not in the rubric")
        if scale.min_points > scale.max_points:
            raise GradingError(f"criterion '{criterion}' has its minimum above its maximum")
        lowest, highest = min(values), max(values)
        if lowest < scale.min_points or highest > scale.max_points:
            raise GradingError(
                f"criterion '{criterion}': "
                f"{lowest if lowest < scale.min_points else highest} points is outside "
                f"{scale.min_points}..{scale.max_points}"
            )
    return dict(criteria)


def scales_from_spec(spec: AssignmentSpec) -> dict[str, CriterionScale]:
    """The scales of an assignment's rubric: lowest to highest level, with its weight."""
    return {
        criterion.id: CriterionScale(
            min_points=Decimal(min(level.points for level in criterion.levels)),
            max_points=Decimal(criterion.max_points),
            weight=Decimal(criterion.weight),
        )
        for criterion in spec.rubric
    }


# --- methods -----------------------------------------------------------------------------


def _points_by_cell(scores: Sequence[Score]) -> dict[tuple[str, str], list[Decimal]]:
    cells: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for score in scores:
        cells[(score.submission, score.criterion)].append(score.points)
    return cells


def ora2_median(points: Sequence[Decimal]) -> Decimal:
    """ORA2's median: the middle score, or the mean of the two middle ones rounded up.

    Rounded up to an integer, but never above the upper middle score: for whole points
    (all ORA2 and a rubric allow) that cap never applies, since the rounded-up mean of two
    integers is at most the larger one; for fractional points (2.5 and 2.5) it keeps the
    median from rising above every score it comes from (3).
    """
    ordered = sorted(points)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    with localcontext(prec=50):
        mean = (ordered[middle - 1] + ordered[middle]) / 2
        return min(mean.to_integral_value(ROUND_CEILING), ordered[middle])


def _median(
    scores: Sequence[Score],
    scales: Mapping[str, CriterionScale],
    calibration: Sequence[CalibrationResult],
) -> Estimate:
    return {cell: ora2_median(points) for cell, points in _points_by_cell(scores).items()}, {}


def _mean(
    scores: Sequence[Score],
    scales: Mapping[str, CriterionScale],
    calibration: Sequence[CalibrationResult],
) -> Estimate:
    # Decimal addition of rubric points is exact, so their order cannot matter.
    return {
        cell: sum(points, Decimal(0)) / len(points)
        for cell, points in _points_by_cell(scores).items()
    }, {}


def _model(
    scores: Sequence[Score],
    scales: Mapping[str, CriterionScale],
    calibration: Sequence[CalibrationResult],
) -> Estimate:
    constant: dict[tuple[str, str], Decimal] = {}
    observations = []
    normalized: dict[tuple[str, Decimal], float] = {}  # a rubric has few levels
    for score in scores:
        scale = scales[score.criterion]
        if scale.span == 0:
            # Every possible score is the same: nothing to learn about anyone.
            constant[(score.submission, score.criterion)] = scale.min_points
            continue
        level = (score.criterion, score.points)
        y = normalized.get(level)
        if y is None:
            y = normalized[level] = float((score.points - scale.min_points) / scale.span)
        observations.append((score.submission, score.reviewer, score.criterion, y))
    errors = [
        (result.reviewer, float((result.points - result.reference_points) / scale.span))
        for result in calibration
        if (scale := scales[result.criterion]).span != 0
    ]
    fit = grading_model.fit(observations, errors)
    grades = dict(constant)
    bounds = {c: (float(scale.min_points), float(scale.span)) for c, scale in scales.items()}
    for (submission, criterion), value in fit.true_scores.items():
        low, span = bounds[criterion]
        # Six decimals through a string: far below what anyone sees, and the float's last
        # bits never reach the grade.
        grades[(submission, criterion)] = Decimal(f"{low + min(max(value, 0.0), 1.0) * span:.6f}")
    reviewers = {
        name: ReviewerEstimate(
            reviewer=name,
            bias=_to_decimal(fit.bias[name]),
            reliability=_to_decimal(fit.reliability[name]),
        )
        for name in fit.bias
    }
    return grades, reviewers


METHODS: Mapping[str, GradingMethod] = MappingProxyType(
    {
        method.name: method
        for method in (
            GradingMethod(
                "median",
                "Open edX ORA2's rule: per criterion the median score, an even count's "
                "middle pair averaged and rounded up.",
                _median,
            ),
            GradingMethod(
                "mean",
                "Per criterion the mean of the reviewers' scores.",
                _mean,
            ),
            GradingMethod(
                "model",
                "Estimates each reviewer's bias and reliability from the whole course "
                "(Piech et al. 2013) and weighs their scores accordingly.",
                _model,
            ),
        )
    }
)
#: The method the platform uses unless a course chooses another: in bench/peer_sim.py it
#: is the most accurate, with and without biased or careless reviewers.
DEFAULT_METHOD = "model"


# --- helpers -----------------------------------------------------------------------------


def _as_decimal(instance: object, name: str) -> None:
    """Let callers write ``points=3``: an int (or a float, via its shortest repr) becomes
    the Decimal the dataclass promises, so arithmetic never mixes the two."""
    value = getattr(instance, name)
    if type(value) is not Decimal:
        object.__setattr__(instance, name, Decimal(repr(value) if type(value) is float else value))


def _clamp(value: Decimal, scale: CriterionScale) -> Decimal:
    return min(max(value, scale.min_points), scale.max_points)


def _to_decimal(value: float) -> Decimal:
    """Four decimals, and never "-0.0000" (adding 0 drops the sign of a zero)."""
    return Decimal(f"{value:.6f}").quantize(ESTIMATE_QUANTUM, rounding=ROUND_HALF_UP) + 0
