"""The model's grades of one fixed course, pinned to six decimals.

A grade must be reproducible: the same reviews give the same grades after an upgrade, on
any machine. The accuracy tests allow the fit its tolerance (1e-4 of a criterion's
range), so a change to where the iteration starts or how often it runs would pass them
while every grade of every course moved in the fifth decimal. This course is small and
fixed (8 build logs, 6 reviewers of known bias, one noisy, calibration for three), and
its fitted values are written down: a change that moves them must be deliberate, and the
numbers below change in the same commit, with the reason in its message.
"""

from __future__ import annotations

import pytest

from peerlearn.review.grading.grading_model import MAX_ITERATIONS, ModelFit, fit

pytestmark = pytest.mark.pure


def course() -> tuple[list[tuple[str, str, str, float]], list[tuple[str, float]]]:
    """Scores on a five-level rubric (0, 0.25 ... 1): each log has three reviewers."""
    truth = {f"s{u}": ((u * 37) % 11) / 10 for u in range(8)}
    bias = {"ana": 0.0, "ben": 0.12, "caro": -0.08, "dev": 0.03, "eli": 0.0, "fay": -0.15}
    names = list(bias)
    observations, state = [], 12345
    for u in range(8):
        for k in range(3):
            reviewer = names[(u + 2 * k) % 6]
            for criterion, offset in (("design", 0.0), ("build", 0.1)):
                state = (state * 1103515245 + 12345) % 2**31
                noise = (state / 2**31 - 0.5) * (0.3 if reviewer == "eli" else 0.1)
                true = truth[f"s{u}"] * (1 - offset) + offset
                y = min(1.0, max(0.0, true + bias[reviewer] + noise))
                observations.append((f"s{u}", reviewer, criterion, round(y * 4) / 4))
    calibration = [("ben", 0.25), ("ben", 0.0), ("fay", -0.25), ("ana", 0.0)]
    return observations, calibration


TRUE_SCORES = {
    ("s0", "build"): 0.025119,
    ("s0", "design"): 0.024904,
    ("s1", "build"): 0.419632,
    ("s1", "design"): 0.419549,
    ("s2", "build"): 0.792319,
    ("s2", "design"): 0.792336,
    ("s3", "build"): 0.173911,
    ("s3", "design"): 0.173763,
    ("s4", "build"): 0.515287,
    ("s4", "design"): 0.51522,
    ("s5", "build"): 0.911075,
    ("s5", "design"): 0.911121,
    ("s6", "build"): 0.302151,
    ("s6", "design"): 0.270062,
    ("s7", "build"): 0.665354,
    ("s7", "design"): 0.665335,
}

BIAS = {
    "ana": -0.025271,
    "ben": 0.085719,
    "caro": -0.028192,
    "dev": 0.078695,
    "eli": 0.0549,
    "fay": -0.16885,
}

PRECISION = {
    "ana": 283.332375,
    "ben": 178.123047,
    "caro": 264.82879,
    "dev": 283.157986,
    "eli": 82.133972,
    "fay": 264.740414,
}

RELIABILITY = {
    "ana": 0.957621,
    "ben": 0.934235,
    "caro": 0.954793,
    "dev": 0.957596,
    "eli": 0.867556,
    "fay": 0.954779,
}


def rounded(values: dict) -> dict:
    return {key: round(value, 6) for key, value in values.items()}


def test_the_fixed_course_gets_the_same_grades_to_six_decimals() -> None:
    result = fit(*course())
    assert rounded(result.true_scores) == TRUE_SCORES
    assert rounded(result.bias) == BIAS


def test_the_fixed_course_gets_the_same_reviewer_estimates() -> None:
    result = fit(*course())
    assert rounded(result.precision) == PRECISION
    assert rounded(result.reliability) == RELIABILITY


def test_the_fit_converges_in_the_same_number_of_rounds() -> None:
    """Reported with the grades: more rounds for the same answer is slower grading."""
    result = fit(*course())
    assert result.iterations == 18 < MAX_ITERATIONS


def test_reviewers_who_always_agree_are_fair_and_the_grades_symmetric() -> None:
    """Three reviewers who give each log the same score: no bias to find, and logs scored
    a quarter from either end are pulled equally towards the course's mean."""
    observations = [
        (log, reviewer, "design", level)
        for log, level in (("a", 0.25), ("b", 0.75))
        for reviewer in ("ana", "ben", "caro")
    ]
    result = fit(observations)
    assert result.bias == {"ana": 0.0, "ben": 0.0, "caro": 0.0}
    low, high = result.true_scores[("a", "design")], result.true_scores[("b", "design")]
    assert 0.25 <= low < 0.5 < high <= 0.75
    assert low + high == pytest.approx(1.0, abs=1e-12)


def test_no_scores_fit_at_once_to_nothing() -> None:
    """An assignment nobody has reviewed yet: an empty fit, not a hundred idle rounds."""
    assert fit([]) == ModelFit(true_scores={}, bias={}, precision={}, reliability={}, iterations=1)


def test_calibration_alone_says_how_a_reviewer_scores() -> None:
    """Practice reviews before any peer review: the reviewer who scored a quarter of the
    range above the reference once and on it once is estimated generous, with the
    reliability of the prior's spread of true scores (no course data yet)."""
    result = fit([], [("ana", 0.25), ("ana", 0.0)])
    assert result.true_scores == {}
    assert rounded(result.bias) == {"ana": 0.056458}
    assert rounded(result.precision) == {"ana": 42.22674}
    assert rounded(result.reliability) == {"ana": 0.725212}
    assert result.iterations == 4


def test_the_fixed_course_gets_the_same_uncertainty_and_class_figures() -> None:
    """Added with the intervals and explanations of issue #17 (the grades above did not
    move): the posterior variances, each reviewer's bias variance (eli, the noisy one,
    is the least certain), and each criterion's class mean and prior precision."""
    result = fit(*course())
    variance = {key: round(value, 6) for key, value in result.variance.items()}
    assert {key: variance[key] for key in (("s0", "build"), ("s0", "design"))} == {
        ("s0", "build"): 0.001555,
        ("s0", "design"): 0.001556,
    }
    assert variance[("s5", "build")] == variance[("s5", "design")] == 0.001354
    assert rounded(result.bias_variance) == {
        "ana": 0.000376, "ben": 0.000529, "caro": 0.000449,
        "dev": 0.000421, "eli": 0.001304, "fay": 0.000401,
    }  # fmt: skip
    assert rounded(result.class_mean) == {"design": 0.471536, "build": 0.475606}
    assert rounded(result.prior_precision) == {"design": 12.442386, "build": 12.63678}
    # A true score's variance is one over the prior precision plus the precisions of the
    # reviewers who scored it.
    reviewers = {reviewer for log, reviewer, *_ in course()[0] if log == "s0"}
    expected = 1 / (result.prior_precision["build"] + sum(result.precision[v] for v in reviewers))
    assert result.variance[("s0", "build")] == pytest.approx(expected, rel=1e-12)
