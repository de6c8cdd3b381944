"""Peer grades from reviewers' scores: pure, typed and deterministic.

A learner's grade is computed from the points their reviewers chose per rubric criterion.
Three methods are offered, by name, through :data:`METHODS`:

- ``median``: Open edX ORA2's rule, kept exactly so that a course moved from ORA2 keeps
  its grades: per criterion the median; with an even number of reviews the mean of the two
  middle scores rounded *up* to an integer (ORA2's example: Ideas 10/7/8 -> 8, Content
  7/9/8 -> 8, Grammar 4/4/5 -> 4, total 20).
- ``mean``: per criterion the mean; transparent, but one careless reviewer moves it.
- ``model``: reviewer bias and reliability estimated from the whole course (Piech et al.
  2013, see :mod:`peerlearn.review.grading.grading_model`); a generous reviewer's 10 counts less
  than a strict reviewer's 10, and a careless reviewer counts less than a careful one.
- ``bounded``: the model, on a scale with ends. The model's pull towards the class is
  shrinkage: it is there because a few reviewers' scores overshoot the truth by noise, in
  either direction. A score at the top of the scale cannot overshoot upwards: it is
  *censored*, it says "this level or better", and the rubric has nothing better. So when
  every reviewer (two or more) put a criterion at the same end of its scale, the pull
  vanishes and the grade is that end; everywhere else the grade is the model's, so biased
  and unreliable reviewers are corrected as before. This is what the platform grades
  with (the offline CLI's default stays ``model``, whose numbers were checked against
  held-out tutor grades; the two differ only in those unanimous end cells).

The model-based methods also give every grade a credible interval (:class:`GradeResult`
``low``/``high``, 90 % unless asked otherwise) and an :class:`Explanation` of how the grade
differs from the plain average of the scores its author sees.

Whatever the method, a grade never leaves the rubric's range, the same input always gives
the same grade, and neither the order of the scores nor the reviewers' ids change it.
Weights only multiply criterion grades into the total; they never change how a criterion
is graded. A submission nobody has scored gets no result: the caller says "not graded yet"
rather than showing a zero the learner did not earn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cached_property
from itertools import pairwise
from math import exp, fsum, pi
from statistics import NormalDist
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from peerlearn.bundles.assignment_spec import AssignmentSpec

if TYPE_CHECKING:  # the model (and NumPy) is imported where a fit runs: see ``_fit_model``
    from peerlearn.review.grading import grading_model

#: Totals are shown with two decimals (criterion grades of the model keep six, enough that
#: rounding the total is the only rounding a learner could notice).
TOTAL_QUANTUM = Decimal("0.01")
#: Decimal arithmetic of grading always runs in this context (28 digits, Python's default).
FIXED_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999)
ESTIMATE_QUANTUM = Decimal("0.0001")
#: The credibility of the interval every model grade comes with, unless asked otherwise.
INTERVAL_LEVEL = 0.9
#: An explanation's figure is worth telling from this share of the highest total on.
NOTICEABLE_SHARE = Decimal("0.02")
#: The interval's half-width is this many times what the fit's variances give. A
#: mean-field fit understates posterior variance (it treats reviewers' biases and the
#: true scores as independent, and each reviewer's precision as known; Bishop 2006,
#: section 10.1.2); ``bench/peer_sim.py`` measures how much, and with this factor 90 %
#: intervals cover the true grade 85 % (biased reviewers) to 93 % (unbiased) of the time.
MEAN_FIELD_INFLATION = 1.25
#: A criterion is graded at an end of its scale by ``bounded`` only when at least this many
#: reviewers put it there: one reviewer's top mark is an opinion, two are an agreement.
MIN_AGREEING_REVIEWERS = 2
#: Reviews "count unequally" (the explanation says so) when, for some criterion, one
#: reviewer's weight is at least this many times another's.
UNEQUAL_WEIGHT_RATIO = 1.5


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
    #: The credible interval of the total (model-based methods only), within the scale.
    low: Decimal | None = None
    high: Decimal | None = None
    explanation: Explanation | None = None

    @property
    def width(self) -> Decimal | None:
        """How wide the interval is, in points (None without one)."""
        return None if self.low is None or self.high is None else self.high - self.low


@dataclass(frozen=True)
class Explanation:
    """Why a model grade differs from the plain average of the scores its author sees.

    Every figure is in points of the total and describes the *set* of reviewers of the
    submission, never one of them: the author sees each review's scores, so a statement
    about one reviewer (how strict, how much it counted) would say something about a
    review they can point at. ``grade - plain_average = reviewer_bias + rest``:

    - ``reviewer_bias``: the correction for how strict (+) or generous (-) the reviewers
      are on average compared with the class, each reviewer counted equally;
    - ``rest``: everything else at once: weighing the reviews by their reviewers'
      reliability, the pull towards the class average where the evidence is thin, and
      keeping the grade within the scale. Weighing alone is not given, as with two
      reviews its direction would tell which review counted more.
    """

    plain_average: Decimal
    reviewer_bias: Decimal
    rest: Decimal
    #: Some reviewer counted at least ``UNEQUAL_WEIGHT_RATIO`` times another (no direction).
    unequal_weights: bool
    #: Criteria every reviewer put at the top (bottom) of the scale, graded at that end.
    top_criteria: int = 0
    bottom_criteria: int = 0

    def reasons(self, max_total: Decimal) -> tuple[str, ...]:
        """The reasons worth telling, as keys, in order: ``stricter``/``more_generous``
        (the reviewers' average bias), ``unequal_weights``, ``rest_up``/``rest_down``
        (weights and pull together), ``top``/``bottom`` (criteria at an end). A figure
        counts when it is at least ``NOTICEABLE_SHARE`` of the highest total: smaller
        ones would explain rounding, and a reason that comes and goes with the last
        hundredth of a point would tell more than it explains."""
        floor = max(TOTAL_QUANTUM, NOTICEABLE_SHARE * max_total)
        found = []
        if abs(self.reviewer_bias) >= floor:
            found.append("stricter" if self.reviewer_bias > 0 else "more_generous")
        if self.unequal_weights:
            found.append("unequal_weights")
        if abs(self.rest) >= floor:
            found.append("rest_up" if self.rest > 0 else "rest_down")
        if self.top_criteria:
            found.append("top")
        if self.bottom_criteria:
            found.append("bottom")
        return tuple(found)


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


@dataclass(frozen=True)
class _ModelDetails:
    """What the model-based methods know beyond the grades: the fit, the normalized
    scores it saw by cell, and the cells graded at an end of the scale (+1 top, -1
    bottom)."""

    fit: grading_model.ModelFit
    cells: dict[tuple[str, str], dict[str, float]]
    ends: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Correlation of the true scores of two criteria across the class, keyed by the pair
    #: (each pair once, in sorted order).
    correlation: dict[tuple[str, str], float] = field(default_factory=dict)
    #: Per criterion, the step between its levels (share of the range) reviewers used.
    step: dict[str, float] = field(default_factory=dict)
    #: Per reviewer, the cells they scored.
    reviewed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @cached_property
    def bias_variance(self) -> dict[str, float]:
        """Each reviewer's :func:`_bias_variance`, computed once for all their logs."""
        return {reviewer: _bias_variance(self, reviewer) for reviewer in self.fit.bias}


#: Criterion grades keyed by (submission, criterion), reviewer estimates if any, and the
#: model's details for intervals and explanations (None for methods without a model).
Estimate = tuple[dict[tuple[str, str], Decimal], dict[str, ReviewerEstimate], _ModelDetails | None]


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
    *,
    interval: float | None = INTERVAL_LEVEL,
) -> Grading:
    """Grade every submission that has at least one score.

    Model-based methods give each result a credible interval of probability ``interval``
    (in (0, 1)) and an explanation; ``median`` and ``mean`` give neither, nor does any
    method with ``interval=None`` (which saves their cost when only grades are wanted).

    ``criteria`` gives each criterion's range and weight; without it every weight is 1 and
    a criterion's range is the lowest to the highest points seen for it. Raises
    :class:`GradingError` for an unknown method, two scores by one reviewer for the same
    criterion of the same submission, a non-finite score, or (with ``criteria``) a score
    for an unknown criterion or outside its range.
    """
    name = method or DEFAULT_METHOD
    if name not in METHODS:
        raise GradingError(f"unknown grading method '{name}'; choose one of {', '.join(METHODS)}")
    if interval is not None and not 0 < interval < 1:
        raise GradingError(f"an interval's probability must be between 0 and 1, not {interval}")
    # One fixed decimal context, whatever the caller's: the same scores, the same grades.
    with localcontext(FIXED_CONTEXT):
        return _grade(name, list(scores), criteria, list(calibration), interval)


def _grade(
    name: str,
    score_list: list[Score],
    criteria: Mapping[str, CriterionScale] | None,
    calibration_list: list[CalibrationResult],
    interval: float | None = INTERVAL_LEVEL,
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
    criterion_grades, reviewers, details = METHODS[name].estimate(
        score_list, scales, calibration_list
    )
    by_submission: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (submission, criterion), value in criterion_grades.items():
        by_submission[submission][criterion] = _clamp(value, scales[criterion])
    points_of: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    # Per criterion, once: weight x lowest points (float and Decimal), weight x span, and
    # weight x highest points; and the normal quantile of the interval.
    weighted = {
        c: _Weighted(
            float(s.weight * s.min_points), float(s.weight * s.span),
            s.weight * s.min_points, s.weight * s.max_points,
        )
        for c, s in scales.items()
    }  # fmt: skip
    if interval is None:
        details = None
    else:
        z = NormalDist().inv_cdf(0.5 + interval / 2)
    if details is not None:
        for score in score_list:
            points_of[score.submission][score.criterion].append(score.points)
    results = {}
    for submission in sorted(by_submission):
        by_criterion = dict(sorted(by_submission[submission].items()))
        total = weighted_total(by_criterion, scales)
        low = high = explanation = None
        if details is not None:
            low, high = _interval(submission, by_criterion, total, weighted, details, z)
            explanation = _explain(submission, points_of[submission], total, scales, details)
        results[submission] = GradeResult(
            submission=submission,
            total=total,
            by_criterion=MappingProxyType(by_criterion),
            reviews=len(reviewers_of[submission]),
            low=low,
            high=high,
            explanation=explanation,
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
    return (
        {cell: ora2_median(points) for cell, points in _points_by_cell(scores).items()},
        {},
        None,
    )


def _mean(
    scores: Sequence[Score],
    scales: Mapping[str, CriterionScale],
    calibration: Sequence[CalibrationResult],
) -> Estimate:
    # Decimal addition of rubric points is exact, so their order cannot matter.
    return (
        {
            cell: sum(points, Decimal(0)) / len(points)
            for cell, points in _points_by_cell(scores).items()
        },
        {},
        None,
    )


def _model(
    scores: Sequence[Score],
    scales: Mapping[str, CriterionScale],
    calibration: Sequence[CalibrationResult],
) -> Estimate:
    constant: dict[tuple[str, str], Decimal] = {}
    cells: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
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
        cells[(score.submission, score.criterion)][score.reviewer] = y
    errors = [
        (result.reviewer, float((result.points - result.reference_points) / scale.span))
        for result in calibration
        if (scale := scales[result.criterion]).span != 0
    ]
    # Imported here: NumPy costs every process ~15 MB, and a web worker fits the model
    # only when no stored grade is fresh (the refresh job does it otherwise; issue #15).
    from peerlearn.review.grading import grading_model

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
    levels: dict[str, set[float]] = defaultdict(set)
    for (criterion, _), y in normalized.items():
        levels[criterion].add(y)
    step = {
        criterion: min(b - a for a, b in pairwise(ordered))
        for criterion, values in levels.items()
        if len(ordered := sorted(values)) > 1
    }
    reviewed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for cell, seen in cells.items():
        for reviewer in seen:
            reviewed[reviewer].append(cell)
    details = _ModelDetails(
        fit, dict(cells), correlation=_correlations(fit), step=step, reviewed=dict(reviewed)
    )
    return grades, reviewers, details


def _correlations(fit: grading_model.ModelFit) -> dict[tuple[str, str], float]:
    """How the true scores of each pair of criteria go together across the class.

    The model's prior takes the criteria of a submission as independent, and each grade
    is right to do so; but a skilled learner is good at most criteria, so the pull of
    each criterion towards the class errs the same way for all of them, and the total's
    uncertainty is larger than independent criteria would make it. The correlation of the
    fitted grades of two criteria over the submissions that have both estimates it (the
    pull shrinks both by about the same factor, which a correlation ignores).
    """
    by_criterion: dict[str, dict[str, float]] = defaultdict(dict)
    for (submission, criterion), value in fit.true_scores.items():
        by_criterion[criterion][submission] = value
    names = sorted(by_criterion)
    found = {}
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            shared = sorted(by_criterion[first].keys() & by_criterion[second].keys())
            if len(shared) < 3:
                continue
            xs = [by_criterion[first][u] for u in shared]
            ys = [by_criterion[second][u] for u in shared]
            mx, my = fsum(xs) / len(xs), fsum(ys) / len(ys)
            sxy = fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
            sxx = fsum((x - mx) ** 2 for x in xs)
            syy = fsum((y - my) ** 2 for y in ys)
            if sxx > 0 and syy > 0:
                found[(first, second)] = max(-1.0, min(1.0, sxy / (sxx * syy) ** 0.5))
    return found


def _bounded(
    scores: Sequence[Score],
    scales: Mapping[str, CriterionScale],
    calibration: Sequence[CalibrationResult],
) -> Estimate:
    """The model, except that a criterion every reviewer (at least
    ``MIN_AGREEING_REVIEWERS``) put at the same end of its scale is graded at that end.

    The fit itself is the model's, unanimous cells included, so every other grade and
    every reviewer estimate is exactly the model's.
    """
    grades, reviewers, details = _model(scores, scales, calibration)
    assert details is not None
    ends: dict[tuple[str, str], int] = {}
    for cell, seen in details.cells.items():
        if len(seen) < MIN_AGREEING_REVIEWERS:
            continue
        values = set(seen.values())
        if values == {1.0}:
            ends[cell] = 1
            grades[cell] = scales[cell[1]].max_points
        elif values == {0.0}:
            ends[cell] = -1
            grades[cell] = scales[cell[1]].min_points
    return grades, reviewers, replace(details, ends=ends)


class _Weighted(NamedTuple):
    low: float
    span: float
    lowest: Decimal
    highest: Decimal


def _interval(
    submission: str,
    by_criterion: Mapping[str, Decimal],
    total: Decimal,
    weighted: Mapping[str, _Weighted],
    details: _ModelDetails,
    z: float,
) -> tuple[Decimal, Decimal]:
    """The credible interval of a total: the grade plus or minus ``z`` posterior standard
    deviations, clipped to the scale.

    The variance of a criterion's grade is the fit's posterior variance given the biases,
    plus what the uncertainty of each reviewer's bias adds; a bias is shared by every
    criterion the reviewer scored, so those terms add up across criteria before they are
    squared (the criteria of one submission err together). A grade at an end of its scale
    (``bounded``) keeps its end inside the interval: the interval then reaches from the
    model's lower (upper) bound to that end.
    """
    fit = details.fit
    own = 0.0
    shared: dict[str, float] = defaultdict(float)
    #: Per criterion: weight times span times the pull times the prior's spread.
    pulled: dict[str, float] = {}
    lowest = highest = Decimal(0)
    centre = 0.0
    for criterion in by_criterion:
        scale = weighted[criterion]
        lowest += scale.lowest
        highest += scale.highest
        cell = (submission, criterion)
        variance = fit.variance.get(cell)
        if variance is None:  # a criterion with a single level: no uncertainty
            centre += scale.low
            continue
        k = scale.span
        model_value = min(max(fit.true_scores[cell], 0.0), 1.0)
        centre += scale.low + k * model_value
        own += k * k * (variance + _rounding_variance(details, cell))
        prior = fit.prior_precision[criterion]
        pulled[criterion] = k * prior * variance / prior**0.5
        for reviewer in details.cells[cell]:
            shared[reviewer] += k * fit.precision[reviewer] * variance
    together = [
        2 * r * pulled[first] * pulled[second]
        for (first, second), r in details.correlation.items()
        if first in pulled and second in pulled
    ]
    variance = own + fsum(details.bias_variance[v] * x * x for v, x in shared.items())
    spread = MEAN_FIELD_INFLATION * max(variance + fsum(together), 0.0) ** 0.5
    # Around the model's total, so that the ends rule widens the interval only.
    low = _round_points(centre - z * spread)
    high = _round_points(centre + z * spread)
    low, high = min(low, total), max(high, total)
    return max(low, lowest), min(high, highest)


def _bias_variance(details: _ModelDetails, reviewer: str) -> float:
    """How unsure a reviewer's bias is: the fit's posterior variance, plus what it leaves
    out. The bias is the reviewer's mean distance from the grades of the logs they
    reviewed, and those grades are estimates too: their error enters the bias
    (mean-field fits treat the two as independent, which understates it)."""
    fit = details.fit
    own = fit.bias_variance[reviewer]
    cells = details.reviewed.get(reviewer, ())
    if not cells:
        return own
    return own + fsum(fit.variance[cell] for cell in cells) / len(cells) ** 2


def _rounding_variance(details: _ModelDetails, cell: tuple[str, str]) -> float:
    """The error every reviewer of a cell shares because they all choose among the
    rubric's levels.

    A log whose quality lies between two levels is rounded by each reviewer; their own
    noise spreads the rounding (a noisy reviewer lands on either level, and the mean of
    many lands near the truth), but reviewers who are precise compared with the step all
    round the same way, and no number of them can undo it. The model counts rounding as
    independent noise, which it is not. The shared part is the first harmonic of the
    rounding error smoothed by the reviewers' noise ``sigma`` (their noise without the
    rounding's ``step^2 / 12``): variance ``step^2 / (2 pi^2) * exp(-4 pi^2 sigma^2 /
    step^2)``: 60 % of the rounding's own variance for noiseless reviewers, next to
    nothing for reviewers whose noise is half a step.
    """
    step = details.step.get(cell[1])
    seen = details.cells[cell]
    if not step or not seen:
        return 0.0
    rounding = step * step / 12
    precision = details.fit.precision
    noise = fsum([max(1 / precision[v] - rounding, 0.0) for v in seen]) / len(seen)
    return step * step / (2 * pi * pi) * exp(-4 * pi * pi * noise / (step * step))


def _explain(
    submission: str,
    points: Mapping[str, list[Decimal]],
    total: Decimal,
    scales: Mapping[str, CriterionScale],
    details: _ModelDetails,
) -> Explanation:
    """The grade next to the plain average of the scores, and what set them apart.

    Per criterion the model's grade is ``rho * class_mean + (1 - rho) * (weighted mean of
    the scores minus the weighted mean bias)``, ``rho`` being the pull towards the class.
    The bias part reported uses equal weights (a fact about the reviewers as a group);
    the rest (weights, pull, the scale's limits) is reported as one figure.
    """
    fit = details.fit
    plain = weighted_total(
        {c: sum(values, Decimal(0)) / len(values) for c, values in points.items()}, scales
    )
    bias = 0.0
    unequal = False
    top = bottom = 0
    for criterion in points:
        cell = (submission, criterion)
        end = details.ends.get(cell)
        if end is not None:
            top += end == 1
            bottom += end == -1
            continue  # graded at the end every reviewer chose: no difference to explain
        seen = details.cells.get(cell)
        if not seen:
            continue
        scale = scales[criterion]
        weights = [fit.precision[v] for v in seen]
        unequal = unequal or max(weights) >= UNEQUAL_WEIGHT_RATIO * min(weights)
        prior = fit.prior_precision[criterion]
        weight_sum = fsum(weights)
        kept = weight_sum / (prior + weight_sum)
        mean_bias = fsum([fit.bias[v] for v in seen]) / len(seen)
        bias -= float(scale.weight * scale.span) * kept * mean_bias
    reviewer_bias = _round_points(bias)
    return Explanation(
        plain_average=plain,
        reviewer_bias=reviewer_bias,
        rest=total - plain - reviewer_bias,
        unequal_weights=unequal,
        top_criteria=top,
        bottom_criteria=bottom,
    )


def interval_widths(grading: Grading) -> dict[str, Decimal]:
    """Each graded submission's interval width in points (model-based methods only):
    how unsure its grade still is, for whoever decides where reviews are needed most."""
    return {
        submission: width
        for submission, result in grading.results.items()
        if (width := result.width) is not None
    }


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
            GradingMethod(
                "bounded",
                "The model, except that a criterion every reviewer (two or more) put at "
                "the top or the bottom of its scale gets that top or bottom (what the "
                "platform grades with).",
                _bounded,
            ),
        )
    }
)
#: The methods that give intervals and explanations (the model-based ones).
INTERVAL_METHODS = frozenset({"model", "bounded"})
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


def _round_points(value: float) -> Decimal:
    """Points with two decimals, like a total (and never "-0.00")."""
    return Decimal(f"{value:.6f}").quantize(TOTAL_QUANTUM, rounding=ROUND_HALF_UP) + 0


def _to_decimal(value: float) -> Decimal:
    """Four decimals, and never "-0.0000" (adding 0 drops the sign of a zero)."""
    return Decimal(f"{value:.6f}").quantize(ESTIMATE_QUANTUM, rounding=ROUND_HALF_UP) + 0
