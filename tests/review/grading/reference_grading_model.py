"""The pure-Python fit of the grading model as it was before NumPy: the reference the
vectorised fit in peerlearn/review/grading/grading_model.py is checked against
(tests/review/grading/test_grading_model_reference.py). Kept unchanged on purpose; not used by
the platform.

The module docstring of the time follows.


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
Every update is a closed form, and every sum goes through ``math.fsum`` (exactly rounded,
so independent of order): permuting the input or renaming reviewers gives bit-identical
results. Calibration evidence (a reviewer's practice score next to a reference score)
enters as extra observations of ``b`` and ``tau`` whose true score is known.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import fsum
from operator import add, mul, sub

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
    n_criteria, n_reviewers = len(data.criterion_cells), len(data.reviewer_names)
    # Start from the plain mean per cell, fair reviewers and the prior noise.
    mean = [0.0] * len(data.cell_index)
    for _, start, stop, _, rows in data.groups:
        mean[start:stop] = [fsum(values) / len(values) for values in rows]
    var = [0.0] * len(mean)
    mu = [fsum(map(mean.__getitem__, cells)) / len(cells) for cells in data.criterion_cells]
    gamma = [1 / TRUE_SD_PRIOR**2] * n_criteria
    bias = [0.0] * n_reviewers
    bias_var = [0.0] * n_reviewers
    eta = 1 / BIAS_SD_PRIOR**2
    tau = [1 / NOISE_SD_PRIOR**2] * n_reviewers
    alpha0 = NOISE_PSEUDO_COUNT / 2
    beta0 = alpha0 * NOISE_SD_PRIOR**2
    # Bound once: the lists are only ever changed in place.
    mean_of, var_of, tau_of, bias_of = (
        mean.__getitem__,
        var.__getitem__,
        tau.__getitem__,
        bias.__getitem__,
    )
    bounds, counts = data.bounds, data.counts

    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 - reported in the fit
        previous_mean, previous_bias = mean[:], bias[:]
        # True scores: precision-weighted mean of the debiased scores and the prior.
        # Cells of a submission reviewed by the same reviewers share their weights.
        prior = [g * m for g, m in zip(gamma, mu, strict=True)]
        for reviewers, start, stop, criteria, rows in data.groups:
            weights = list(map(tau_of, reviewers))
            weight_sum = fsum(weights)
            weighted_bias = fsum(map(mul, weights, map(bias_of, reviewers)))
            precisions = [gamma[c] + weight_sum for c in criteria]
            var[start:stop] = [1 / p for p in precisions]
            mean[start:stop] = [
                m + OVER_RELAXATION * (
                    (prior[c] + fsum(map(mul, weights, values)) - weighted_bias) / p - m
                )
                for m, c, values, p in zip(
                    mean[start:stop], criteria, rows, precisions, strict=True
                )
            ]  # fmt: skip
        # The course's own spread of true scores per criterion (empirical Bayes).
        for c, cells in enumerate(data.criterion_cells):
            mu[c] = fsum(map(mean_of, cells)) / len(cells)
            deviations = [mean[i] - mu[c] for i in cells]
            spread = fsum(map(mul, deviations, deviations)) + fsum(map(var_of, cells))
            gamma[c] = (TRUE_PSEUDO_COUNT + len(cells)) / (
                TRUE_PSEUDO_COUNT * TRUE_SD_PRIOR**2 + spread
            )
        # Per reviewer, the bias (mean residual shrunk towards 0), then the precision.
        # One pass over all scores (ordered by reviewer) does the per-score work in C.
        residuals = list(map(sub, data.scores, map(mean_of, data.score_cells)))
        squares = list(map(add, map(mul, residuals, residuals), map(var_of, data.score_cells)))
        linear = [
            fsum(residuals[start:stop]) + errors
            for (start, stop), errors in zip(bounds, data.error_sums, strict=True)
        ]
        precision = [eta + count * t for count, t in zip(counts, tau, strict=True)]
        bias[:] = [
            b + OVER_RELAXATION * (t * total / p - b)
            for b, t, total, p in zip(bias, tau, linear, precision, strict=True)
        ]
        bias_var[:] = [1 / p for p in precision]
        # Expected squared residual: the scores', the calibration's, and the uncertainty
        # of the bias. The precisions and the course's typical precision (the centre of
        # their Gamma prior, empirical Bayes) depend only on each other now: solve that
        # small fixed point here rather than let it crawl through the outer iterations.
        expected = [
            max(fsum(squares[start:stop]) + error_squares - 2 * b * total
                + count * (b * b + w), count * MIN_NOISE_VARIANCE)
            for (start, stop), error_squares, count, b, w, total in zip(
                bounds, data.error_squares, counts, bias, bias_var, linear, strict=True
            )
        ]  # fmt: skip
        for _ in range(CENTRE_ITERATIONS):
            tau[:] = [
                (alpha0 + count / 2) / (beta0 + e / 2)
                for count, e in zip(counts, expected, strict=True)
            ]
            centre = (
                alpha0
                * (n_reviewers + NOISE_HYPER_COUNT)
                / (fsum(tau) + NOISE_HYPER_COUNT / NOISE_SD_PRIOR**2)
            )
            done = abs(centre - beta0) <= CENTRE_TOLERANCE * beta0
            beta0 = centre
            if done:
                break
        shift = _best_shift(bias, eta, tau, data)
        if shift:
            mean[:] = [m + shift for m in mean]
            mu[:] = [m + shift for m in mu]
            bias[:] = [b - shift for b in bias]
        spread = fsum(map(mul, bias, bias)) + fsum(bias_var)
        eta = (BIAS_PSEUDO_COUNT + n_reviewers) / (BIAS_PSEUDO_COUNT * BIAS_SD_PRIOR**2 + spread)
        change = max(
            max(map(abs, map(sub, mean, previous_mean)), default=0.0),
            max(map(abs, map(sub, bias, previous_bias)), default=0.0),
        )
        if change < TOLERANCE:
            break

    sizes = [len(cells) for cells in data.criterion_cells]
    true_variance = (
        fsum([size / g for size, g in zip(sizes, gamma, strict=True)]) / sum(sizes)
        if sizes
        else TRUE_SD_PRIOR**2
    )
    # The variances with the final precisions (the loop computed them one step earlier).
    for reviewers, start, stop, criteria, _ in data.groups:
        weight_sum = fsum(map(tau_of, reviewers))
        var[start:stop] = [1 / (gamma[c] + weight_sum) for c in criteria]
    bias_var[:] = [1 / (eta + count * t) for count, t in zip(counts, tau, strict=True)]
    return ModelFit(
        variance={key: var[i] for key, i in data.cell_index.items()},
        bias_variance=dict(zip(data.reviewer_names, bias_var, strict=True)),
        class_mean=dict(zip(data.criterion_names, mu, strict=True)),
        prior_precision=dict(zip(data.criterion_names, gamma, strict=True)),
        true_scores={key: mean[i] for key, i in data.cell_index.items()},
        bias=dict(zip(data.reviewer_names, bias, strict=True)),
        precision=dict(zip(data.reviewer_names, tau, strict=True)),
        reliability={
            name: true_variance / (true_variance + 1 / t)
            for name, t in zip(data.reviewer_names, tau, strict=True)
        },
        iterations=iterations,
    )


def _best_shift(bias: list[float], eta: float, tau: list[float], data: _Data) -> float:
    """The amount to move every true score up and every bias down that fits best.

    Such a move leaves every predicted score unchanged, so the scores cannot see it; only
    the bias prior (and calibration, whose truth is known) can. Coordinate ascent would
    crawl along this direction for a hundred iterations; solving for it takes one step.
    """
    calibrated = [
        (tau[v], practice, data.error_sums[v] - practice * bias[v])
        for v, ((start, stop), count) in enumerate(zip(data.bounds, data.counts, strict=True))
        if (practice := count - (stop - start))
    ]
    numerator = eta * fsum(bias) - fsum([t * residual for t, _, residual in calibrated])
    denominator = eta * len(bias) + fsum([t * n for t, n, _ in calibrated])
    return numerator / denominator if denominator else 0.0


#: Cells of one submission scored by the same reviewers: (reviewers, start, stop, criterion
#: of each cell, the scores of each cell in the order of ``reviewers``).
_Group = tuple[tuple[int, ...], int, int, list[int], list[tuple[float, ...]]]


class _Data:
    """The observations indexed for the fit: plain lists, looked up by integer.

    The fit is pure Python (numpy is not a dependency), so the layout serves its loops:
    cells (a submission's criterion) are grouped by the set of reviewers who scored them,
    because those cells share one set of weights.
    """

    def __init__(
        self,
        observations: Sequence[tuple[str, str, str, float]],
        calibration: Sequence[tuple[str, float]],
    ) -> None:
        reviewer_index: dict[str, int] = {}
        criterion_index: dict[str, int] = {}
        scores_of: dict[str, dict[str, dict[int, float]]] = defaultdict(dict)
        for submission, reviewer, criterion, y in observations:
            v = reviewer_index.setdefault(reviewer, len(reviewer_index))
            criterion_index.setdefault(criterion, len(criterion_index))
            scores_of[submission].setdefault(criterion, {})[v] = y
        for reviewer, _ in calibration:
            reviewer_index.setdefault(reviewer, len(reviewer_index))
        self.reviewer_names = list(reviewer_index)
        self.criterion_names = list(criterion_index)
        n_reviewers = len(reviewer_index)

        #: Cells numbered so that each group's are consecutive: ``start:stop``.
        self.cell_index: dict[tuple[str, str], int] = {}
        cell_criterion: list[int] = []
        cell_scores: list[dict[int, float]] = []
        self.groups: list[_Group] = []
        for submission, by_criterion in scores_of.items():
            by_set: dict[frozenset[int], list[str]] = defaultdict(list)
            for criterion, scores in by_criterion.items():
                by_set[frozenset(scores)].append(criterion)
            for members in by_set.values():
                reviewers = tuple(by_criterion[members[0]])
                start = len(cell_scores)
                for criterion in members:
                    self.cell_index[(submission, criterion)] = len(cell_scores)
                    cell_scores.append(by_criterion[criterion])
                    cell_criterion.append(criterion_index[criterion])
                self.groups.append((
                    reviewers, start, len(cell_scores),
                    [criterion_index[criterion] for criterion in members],
                    [tuple(map(by_criterion[criterion].__getitem__, reviewers))
                     for criterion in members],
                ))  # fmt: skip
        self.criterion_cells: list[list[int]] = [[] for _ in criterion_index]
        for cell, c in enumerate(cell_criterion):
            self.criterion_cells[c].append(cell)
        cells_of_reviewer: list[list[int]] = [[] for _ in range(n_reviewers)]
        values_of_reviewer: list[list[float]] = [[] for _ in range(n_reviewers)]
        for cell, scores in enumerate(cell_scores):
            for v, y in scores.items():
                cells_of_reviewer[v].append(cell)
                values_of_reviewer[v].append(y)
        errors: list[list[float]] = [[] for _ in range(n_reviewers)]
        for reviewer, error in calibration:
            errors[reviewer_index[reviewer]].append(error)
        #: Every score and its cell, one reviewer after the other.
        self.scores: list[float] = []
        self.score_cells: list[int] = []
        #: Per reviewer: where their scores are in ``scores`` (start, stop), how many
        #: observations they give (scores plus calibration), and the sum and the sum of
        #: squares of their calibration errors.
        self.bounds: list[tuple[int, int]] = []
        self.counts: list[int] = []
        self.error_sums: list[float] = []
        self.error_squares: list[float] = []
        for cells, values, e in zip(cells_of_reviewer, values_of_reviewer, errors, strict=True):
            self.bounds.append((len(self.scores), len(self.scores) + len(values)))
            self.scores.extend(values)
            self.score_cells.extend(cells)
            self.counts.append(len(values) + len(e))
            self.error_sums.append(fsum(e))
            self.error_squares.append(fsum([x * x for x in e]))
