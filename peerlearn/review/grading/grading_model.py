"""The numerical core of the ``model`` grading method: reviewer bias and reliability.

This follows model PG1 of Piech et al. 2013, "Tuned Models of Peer Assessment in MOOCs":
a reviewer ``v`` who scores criterion ``c`` of submission ``u`` reports

    y = s[u, c] + b[v] + noise,   noise ~ N(0, 1 / tau[v])

where ``s`` is the true score, ``b`` the reviewer's bias and ``tau`` their precision
(reliability). Scores are normalized to [0, 1] by each criterion's range, so one bias and
one precision per reviewer can be shared by all criteria of an assignment: four criteria
give four times the evidence about a reviewer, which a course of volunteers needs.

Priors keep the estimates sane where evidence is thin, which in peer review is everywhere
(a reviewer has 3-5 reviews, a submission 3-4 reviewers):

- ``s[u, c] ~ N(mu[c], sd_c^2)``; ``mu`` and ``sd_c`` are estimated from the course itself
  (empirical Bayes), with a weak hyperprior so a course of five learners is not fooled;
- ``b[v] ~ N(0, sd_b^2)``; the mean of 0 says "reviewers are fair until shown otherwise"
  and makes the model identifiable (a shift of every ``s`` against every ``b`` would
  otherwise fit as well); ``sd_b`` is again estimated from the course, with a hyperprior;
- ``tau[v] ~ Gamma``, centred on the course's typical precision (empirical Bayes again),
  so a reviewer with one review is neither trusted blindly nor ignored. The centre has to
  come from the course: a fixed guess that is too wide swamps a reviewer's evidence.

Piech et al. fit PG1 by Gibbs sampling; a grade must be reproducible, so this fits a
mean-field variational approximation by deterministic block coordinate ascent instead.
Every update is a closed form, computed on NumPy arrays (10,000 logs x 4 reviews x 4
criteria refit in a fraction of a second; the pure-Python fit took seconds and is kept as
the reference in ``tests/review/reference_grading_model.py``). Floating-point sums depend
on their order, so the data are laid out in an order the names of reviewers and the order
of the input cannot change (see :class:`_Data`): permuting the input or renaming
reviewers gives bit-identical results. Calibration evidence (a reviewer's practice score
next to a reference score) enters as extra observations of ``b`` and ``tau`` whose true
score is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from math import fsum

import numpy as np
from numpy.typing import NDArray

#: Prior spread of true scores within a criterion, as a share of its range, and how many
#: submissions that prior is worth against the course's own spread.
TRUE_SD_PRIOR = 0.25
TRUE_PSEUDO_COUNT = 2.0
#: Prior spread of reviewer biases (share of the range) and its weight in reviewers.
BIAS_SD_PRIOR = 0.1
BIAS_PSEUDO_COUNT = 5.0
#: How many scores the course's typical precision is worth against a reviewer's own: with
#: 4 reviews of 4 criteria their evidence outweighs it 4 to 1.
NOISE_PSEUDO_COUNT = 4.0
#: Prior guess of a reviewer's noise (share of the range) for the course's typical
#: precision, worth this many reviewers against the course's own.
NOISE_SD_PRIOR = 0.15
NOISE_HYPER_COUNT = 5.0
#: Below this the noise variance is not believed: even reviewers who always agree round
#: to the levels of the rubric.
MIN_NOISE_VARIANCE = 1e-4

MAX_ITERATIONS = 100
#: Stop when no true score or bias moves by more than this share of a criterion's range.
#: The distance left to the exact fit is then 1-4 times as large (measured on random and
#: on ring-shaped review graphs): hundreds of times below a reviewer's noise.
TOLERANCE = 1e-4
#: The precisions and their common centre are solved to this relative tolerance (at most
#: this many rounds) inside each iteration.
CENTRE_TOLERANCE = 1e-6
CENTRE_ITERATIONS = 50
#: Each update of a true score or a bias goes this much further than the plain step:
#: measured on simulated courses it needs a quarter fewer iterations (anything in
#: (0, 2) converges for the linear part of the model).
OVER_RELAXATION = 1.4


@dataclass(frozen=True)
class ModelFit:
    """The fitted model, on the normalized [0, 1] scale of each criterion.

    ``reliability`` is the classical reliability coefficient of one of the reviewer's
    scores: true-score variance over true-score plus noise variance, so 1 is a perfect
    reviewer and 0 a coin. Unlike the raw precision it reads the same in every course.
    """

    true_scores: dict[tuple[str, str], float]
    bias: dict[str, float]
    precision: dict[str, float]
    reliability: dict[str, float]
    iterations: int
    #: Posterior variance of each true score given the reviewers' biases: one over the
    #: prior precision plus the precisions of the reviewers who scored it.
    variance: dict[tuple[str, str], float] = field(default_factory=dict)
    #: Posterior variance of each reviewer's bias. It is shared by every score the
    #: reviewer gave, so it makes the criteria of one submission err together.
    bias_variance: dict[str, float] = field(default_factory=dict)
    #: Per criterion, the class's mean true score and the prior precision of a true score
    #: around it: the pull towards the class is ``prior_precision / (prior_precision +
    #: sum of the reviewers' precisions)`` of the distance to ``class_mean``.
    class_mean: dict[str, float] = field(default_factory=dict)
    prior_precision: dict[str, float] = field(default_factory=dict)


def fit(
    observations: Sequence[tuple[str, str, str, float]],
    calibration: Sequence[tuple[str, float]] = (),
) -> ModelFit:
    """Fit the model to normalized scores.

    ``observations`` are ``(submission, reviewer, criterion, y)`` with ``y`` in [0, 1];
    ``calibration`` is ``(reviewer, y - y_reference)`` per practice score. Each
    ``(submission, reviewer, criterion)`` must appear at most once (the caller checks).
    """
    data = _Data(observations, calibration)
    n_criteria, n_reviewers, n_cells = len(data.criterion_names), data.n_reviewers, data.n_cells
    cell_of, reviewer_of, y = data.cell_of, data.reviewer_of, data.y
    crit = data.cell_criterion
    counts = data.counts
    # Start from the plain mean per cell, fair reviewers and the prior noise.
    mean = np.bincount(cell_of, weights=y, minlength=n_cells) / data.cell_sizes
    var = np.zeros(n_cells)
    mu = np.array([mean[a:b].sum() / (b - a) for a, b in data.criterion_bounds])
    gamma = np.full(n_criteria, 1 / TRUE_SD_PRIOR**2)
    bias = np.zeros(n_reviewers)
    bias_var = np.zeros(n_reviewers)
    eta = 1 / BIAS_SD_PRIOR**2
    tau = np.full(n_reviewers, 1 / NOISE_SD_PRIOR**2)
    alpha0 = NOISE_PSEUDO_COUNT / 2
    beta0 = alpha0 * NOISE_SD_PRIOR**2

    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 - reported in the fit
        previous_mean, previous_bias = mean, bias
        # True scores: precision-weighted mean of the debiased scores and the prior.
        prior = gamma * mu
        weights = tau[reviewer_of]
        weight_sum = np.bincount(cell_of, weights=weights, minlength=n_cells)
        weighted_bias = np.bincount(cell_of, weights=weights * bias[reviewer_of], minlength=n_cells)
        weighted_y = np.bincount(cell_of, weights=weights * y, minlength=n_cells)
        precisions = gamma[crit] + weight_sum
        var = 1 / precisions
        mean = mean + OVER_RELAXATION * (
            (prior[crit] + weighted_y - weighted_bias) / precisions - mean
        )
        # The course's own spread of true scores per criterion (empirical Bayes).
        for c, (a, b) in enumerate(data.criterion_bounds):
            mu[c] = mean[a:b].sum() / (b - a)
            deviations = mean[a:b] - mu[c]
            spread = (deviations * deviations).sum() + var[a:b].sum()
            gamma[c] = (TRUE_PSEUDO_COUNT + (b - a)) / (
                TRUE_PSEUDO_COUNT * TRUE_SD_PRIOR**2 + spread
            )
        # Per reviewer, the bias (mean residual shrunk towards 0), then the precision.
        residuals = y - mean[cell_of]
        squares = residuals * residuals + var[cell_of]
        linear = (
            np.bincount(reviewer_of, weights=residuals, minlength=n_reviewers) + data.error_sums
        )
        precision = eta + counts * tau
        bias = bias + OVER_RELAXATION * (tau * linear / precision - bias)
        bias_var = 1 / precision
        # Expected squared residual: the scores', the calibration's, and the uncertainty
        # of the bias. The precisions and the course's typical precision (the centre of
        # their Gamma prior, empirical Bayes) depend only on each other now: solve that
        # small fixed point here rather than let it crawl through the outer iterations.
        expected = np.maximum(
            np.bincount(reviewer_of, weights=squares, minlength=n_reviewers)
            + data.error_squares
            - 2 * bias * linear
            + counts * (bias * bias + bias_var),
            counts * MIN_NOISE_VARIANCE,
        )
        for _ in range(CENTRE_ITERATIONS):
            tau = (alpha0 + counts / 2) / (beta0 + expected / 2)
            centre = float(
                alpha0
                * (n_reviewers + NOISE_HYPER_COUNT)
                / (tau.sum() + NOISE_HYPER_COUNT / NOISE_SD_PRIOR**2)
            )
            done = abs(centre - beta0) <= CENTRE_TOLERANCE * beta0
            beta0 = centre
            if done:
                break
        shift = _best_shift(bias, eta, tau, data)
        if shift:
            mean = mean + shift
            mu = mu + shift
            bias = bias - shift
        spread = float((bias * bias).sum() + bias_var.sum())
        eta = (BIAS_PSEUDO_COUNT + n_reviewers) / (BIAS_PSEUDO_COUNT * BIAS_SD_PRIOR**2 + spread)
        change = max(
            float(np.abs(mean - previous_mean).max(initial=0.0)),
            float(np.abs(bias - previous_bias).max(initial=0.0)),
        )
        if change < TOLERANCE:
            break

    sizes = [b - a for a, b in data.criterion_bounds]
    true_variance = (
        float(sum(size / g for size, g in zip(sizes, gamma.tolist(), strict=True))) / sum(sizes)
        if sizes
        else TRUE_SD_PRIOR**2
    )
    # The variances with the final precisions (the loop computed them one step earlier).
    var = 1 / (gamma[crit] + np.bincount(cell_of, weights=tau[reviewer_of], minlength=n_cells))
    bias_var = 1 / (eta + counts * tau)
    cells, names = data.cell_keys, data.reviewer_names
    tau_list = tau.tolist()
    return ModelFit(
        variance=dict(zip(cells, var.tolist(), strict=True)),
        bias_variance=dict(zip(names, bias_var.tolist(), strict=True)),
        class_mean=dict(zip(data.criterion_names, mu.tolist(), strict=True)),
        prior_precision=dict(zip(data.criterion_names, gamma.tolist(), strict=True)),
        true_scores=dict(zip(cells, mean.tolist(), strict=True)),
        bias=dict(zip(names, bias.tolist(), strict=True)),
        precision=dict(zip(names, tau_list, strict=True)),
        reliability={
            name: true_variance / (true_variance + 1 / t)
            for name, t in zip(names, tau_list, strict=True)
        },
        iterations=iterations,
    )


def _best_shift(
    bias: NDArray[np.float64], eta: float, tau: NDArray[np.float64], data: _Data
) -> float:
    """The amount to move every true score up and every bias down that fits best.

    Such a move leaves every predicted score unchanged, so the scores cannot see it; only
    the bias prior (and calibration, whose truth is known) can. Coordinate ascent would
    crawl along this direction for a hundred iterations; solving for it takes one step.
    """
    calibrated = data.calibrated
    practice = data.practice[calibrated]
    t = tau[calibrated]
    residual = data.error_sums[calibrated] - practice * bias[calibrated]
    numerator = eta * float(bias.sum()) - float((t * residual).sum())
    denominator = eta * len(bias) + float((t * practice).sum())
    return numerator / denominator if denominator else 0.0


class _Data:
    """The observations as arrays, in an order that makes the fit reproducible.

    Floating-point sums depend on the order of their terms, so the order is one that
    neither the order of the input nor the names of the reviewers can change: cells (a
    submission's criterion) by criterion, then submission; reviewers by what they did
    (their scores cell by cell, then their calibration errors), so two reviewers whose
    order is left to chance did exactly the same and have the same estimates, and their
    order cannot matter either; each score by its cell, then its reviewer.
    """

    def __init__(
        self,
        observations: Sequence[tuple[str, str, str, float]],
        calibration: Sequence[tuple[str, float]],
    ) -> None:
        n = len(observations)
        submissions, raters_named, criteria_named, values_in = (
            zip(*observations, strict=True) if n else ((), (), (), ())
        )
        values = np.fromiter(values_in, dtype=np.float64, count=n)
        # Numbered in order of their names, so that cells come out in a fixed order.
        self.criterion_names = sorted(set(criteria_named))
        criterion_index = {name: c for c, name in enumerate(self.criterion_names)}
        submission_names = sorted(set(submissions))
        submission_index = {name: u for u, name in enumerate(submission_names)}
        code = np.fromiter(
            map(criterion_index.__getitem__, criteria_named), dtype=np.int64, count=n
        ) * len(submission_names) + np.fromiter(
            map(submission_index.__getitem__, submissions), dtype=np.int64, count=n
        )
        codes, cells = np.unique(code, return_inverse=True)
        cells = cells.reshape(-1).astype(np.intp)
        self.n_cells = len(codes)
        criterion_of_cell, submission_of_cell = np.divmod(codes, max(len(submission_names), 1))
        self.cell_keys: list[tuple[str, str]] = [
            (submission_names[u], self.criterion_names[c])
            for c, u in zip(criterion_of_cell.tolist(), submission_of_cell.tolist(), strict=True)
        ]
        self.cell_criterion: NDArray[np.intp] = criterion_of_cell.astype(np.intp)
        edges = np.searchsorted(self.cell_criterion, np.arange(len(self.criterion_names) + 1))
        self.criterion_bounds: list[tuple[int, int]] = [
            (int(a), int(b)) for a, b in pairwise(edges.tolist())
        ]

        first_seen = dict.fromkeys(raters_named)
        first_seen.update(dict.fromkeys(reviewer for reviewer, _ in calibration))
        names = list(first_seen)
        reviewer_index = {name: v for v, name in enumerate(names)}
        raters = np.fromiter(map(reviewer_index.__getitem__, raters_named), dtype=np.intp, count=n)
        n_reviewers = self.n_reviewers = len(names)
        errors: list[list[float]] = [[] for _ in range(n_reviewers)]
        for reviewer, error in calibration:
            errors[reviewer_index[reviewer]].append(error)
        for found in errors:
            found.sort()
        order = _reviewer_order(cells, raters, values, errors)
        rank = np.empty(n_reviewers, dtype=np.intp)
        rank[order] = np.arange(n_reviewers)
        self.reviewer_names = [names[v] for v in order]
        raters = rank[raters]
        errors = [errors[v] for v in order]

        by_cell = np.lexsort((raters, cells))
        self.cell_of: NDArray[np.intp] = cells[by_cell]
        self.reviewer_of: NDArray[np.intp] = raters[by_cell]
        self.y: NDArray[np.float64] = values[by_cell]
        self.cell_sizes = np.bincount(self.cell_of, minlength=self.n_cells)
        scored = np.bincount(self.reviewer_of, minlength=n_reviewers)
        practice = np.array([len(e) for e in errors], dtype=np.float64)
        #: Per reviewer: how many observations they give (scores plus calibration), how
        #: many of those are calibration, and the sum and the sum of squares of their
        #: calibration errors (each exactly rounded: a handful of numbers).
        self.counts: NDArray[np.float64] = scored + practice
        self.practice: NDArray[np.float64] = practice
        self.calibrated: NDArray[np.bool_] = practice > 0
        self.error_sums: NDArray[np.float64] = np.array([fsum(e) for e in errors])
        self.error_squares: NDArray[np.float64] = np.array(
            [fsum([x * x for x in e]) for e in errors]
        )


def _reviewer_order(
    cells: NDArray[np.intp],
    raters: NDArray[np.intp],
    values: NDArray[np.float64],
    errors: list[list[float]],
) -> list[int]:
    """Reviewers in order of what they did, whatever their names.

    A few numbers summarize each reviewer (how many scores, the first cell, sums over
    their cells and scores, their calibration); reviewers these do not tell apart are
    ordered by everything they did, score by score. Reviewers still tied did exactly the
    same, so which of them comes first cannot change a sum.
    """
    n_reviewers = len(errors)
    by_reviewer = np.lexsort((cells, raters))
    cells, raters, values = cells[by_reviewer], raters[by_reviewer], values[by_reviewer]
    starts = np.searchsorted(raters, np.arange(n_reviewers + 1))
    count = np.diff(starts)
    first = np.full(n_reviewers, -1, dtype=np.int64)
    first[count > 0] = cells[starts[:-1][count > 0]]
    wide = cells.astype(np.int64)
    columns = [
        count,
        first,
        np.bincount(raters, weights=wide, minlength=n_reviewers),
        np.bincount(raters, weights=wide * wide, minlength=n_reviewers),
        np.bincount(raters, weights=values, minlength=n_reviewers),
        np.bincount(raters, weights=values * (wide + 1), minlength=n_reviewers),
        np.array([len(e) for e in errors]),
        np.array([fsum(e) for e in errors]),
    ]
    order = np.lexsort(columns[::-1]).tolist()
    stacked = np.stack([np.asarray(column, dtype=np.float64) for column in columns], axis=1)
    same = (stacked[order][1:] == stacked[order][:-1]).all(axis=1).tolist()
    cell_list, value_list = cells.tolist(), values.tolist()

    def everything(v: int) -> tuple[list[int], list[float], list[float]]:
        a, b = int(starts[v]), int(starts[v + 1])
        return cell_list[a:b], value_list[a:b], errors[v]

    result: list[int] = []
    i = 0
    while i < len(order):
        j = i
        while j < len(same) and same[j]:
            j += 1
        tied = order[i : j + 1]
        result.extend(sorted(tied, key=everything) if len(tied) > 1 else tied)
        i = j + 1
    return result
