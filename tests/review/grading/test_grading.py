"""Grading methods and reviewer standing: what a learner's grade and a reviewer's record are."""

from __future__ import annotations

import math
import random
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest

from peerlearn.bundles.assignment_spec import AssignmentSpec, Criterion, Level
from peerlearn.review.grading.grading import (
    DEFAULT_METHOD,
    METHODS,
    CalibrationResult,
    CriterionScale,
    GradingError,
    Score,
    _to_decimal,
    grade,
    ora2_median,
    scales_from_spec,
    weighted_total,
)
from peerlearn.review.grading.standing import review_agreement, reviewer_standings

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

D = Decimal


def scores_of(rows: list[tuple[str, str, str, int | str]]) -> list[Score]:
    return [Score(s, r, c, D(str(p))) for s, r, c, p in rows]


#: ORA2's documented example: three reviewers, three criteria.
ORA2_EXAMPLE = scores_of(
    [
        ("s1", "r1", "ideas", 10), ("s1", "r2", "ideas", 7), ("s1", "r3", "ideas", 8),
        ("s1", "r1", "content", 7), ("s1", "r2", "content", 9), ("s1", "r3", "content", 8),
        ("s1", "r1", "grammar", 4), ("s1", "r2", "grammar", 4), ("s1", "r3", "grammar", 5),
    ]
)  # fmt: skip
ORA2_SCALES = {c: CriterionScale(D(0), D(10)) for c in ("ideas", "content", "grammar")}


# --- median (ORA2) -----------------------------------------------------------------------


def test_median_reproduces_ora2s_documented_example():
    result = grade(ORA2_EXAMPLE, "median").results["s1"]
    assert dict(result.by_criterion) == {"content": 8, "grammar": 4, "ideas": 8}
    assert result.total == D(20)
    assert result.reviews == 3


def test_median_of_an_even_count_rounds_the_middle_mean_up():
    two = scores_of([("s", "a", "c", 7), ("s", "b", "c", 8)])
    assert grade(two, "median").results["s"].total == 8
    four = scores_of([("s", r, "c", p) for r, p in (("a", 1), ("b", 2), ("x", 3), ("y", 4))])
    assert grade(four, "median").results["s"].total == 3
    exact = scores_of([("s", "a", "c", 7), ("s", "b", "c", 9)])
    assert grade(exact, "median").results["s"].total == 8


def test_median_of_fractional_points_never_rises_above_the_scores_it_comes_from():
    # Whole points round up as in ORA2 (above); two reviewers who both gave 2.5 agree on 2.5,
    # and 2.2 with 2.4 gives 2.4, not 3 (a grade above every score).
    agreed = scores_of([("s", "a", "c", "2.5"), ("s", "b", "c", "2.5")])
    assert grade(agreed, "median").results["s"].by_criterion["c"] == D("2.5")
    apart = scores_of([("s", "a", "c", "2.2"), ("s", "b", "c", "2.4")])
    assert grade(apart, "median").results["s"].by_criterion["c"] == D("2.4")
    floats = [Score("s", "a", "c", 0.01), Score("s", "b", "c", 0.01)]
    assert grade(floats, "median").results["s"].by_criterion["c"] == D("0.01")


def test_median_is_exact_whatever_the_callers_decimal_context():
    with localcontext(prec=2, rounding=ROUND_DOWN):
        assert ora2_median([D(101), D(104)]) == 103
        assert ora2_median([D("1.25"), D(3), D("1.5")]) == D("1.5")


def test_mean_is_per_criterion_then_summed_and_rounded_only_in_the_total():
    scores = scores_of(
        [("s", "a", "x", 1), ("s", "b", "x", 2), ("s", "c", "x", 2), ("s", "a", "y", 3)]
    )
    result = grade(scores, "mean").results["s"]
    assert result.by_criterion["x"] == D(5) / 3  # not rounded
    assert result.by_criterion["y"] == 3
    assert result.total == D("4.67")


def test_the_callers_decimal_context_does_not_change_a_grade():
    scores = scores_of([("s", "a", "x", 1), ("s", "b", "x", 2), ("s", "c", "x", 2)])
    expected = grade(scores, "mean")
    with localcontext(prec=3, rounding=ROUND_DOWN):
        assert grade(scores, "mean") == expected


def test_weighted_total_is_exact_whatever_the_callers_decimal_context():
    scales = {"x": CriterionScale(D(0), D(1000), D("1.5")), "y": CriterionScale(D(0), D(1))}
    with localcontext(prec=2, rounding=ROUND_DOWN):
        assert weighted_total({"x": D(999), "y": D("0.125")}, scales) == D("1498.63")
        assert weighted_total({}, scales) == D("0.00")


def test_results_and_estimates_are_named_after_what_they_grade():
    for method in METHODS:
        graded = grade(ORA2_EXAMPLE, method, ORA2_SCALES)
        assert graded.method == method
        assert all(result.submission == key for key, result in graded.results.items())
        assert all(estimate.reviewer == key for key, estimate in graded.reviewers.items())
    assert set(grade(ORA2_EXAMPLE, "model", ORA2_SCALES).reviewers) == {"r1", "r2", "r3"}


def test_total_rounds_half_up():
    scores = scores_of([("s", "a", "x", 1)])
    scales = {"x": CriterionScale(D(0), D(1), weight=D("0.125"))}
    assert grade(scores, "mean", scales).results["s"].total == D("0.13")


def test_weights_multiply_criterion_grades_into_the_total():
    scales = {
        "ideas": CriterionScale(D(0), D(10), weight=D(2)),
        "content": CriterionScale(D(0), D(10), weight=D("0.5")),
        "grammar": CriterionScale(D(0), D(10)),
    }
    result = grade(ORA2_EXAMPLE, "median", scales).results["s1"]
    assert result.total == 2 * 8 + D("0.5") * 8 + 4


def test_a_submission_nobody_scored_has_no_grade():
    for method in METHODS:
        assert dict(grade([], method).results) == {}
        graded = grade(ORA2_EXAMPLE, method, ORA2_SCALES).results
        assert list(graded) == ["s1"]  # and not a zero for anyone else


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(GradingError, match=r"unknown grading method 'best'; choose one of "
                       r"median, mean, model, bounded$"):  # fmt: skip
        grade(ORA2_EXAMPLE, "best")
    twice = [*ORA2_EXAMPLE, Score("s1", "r1", "ideas", D(3))]
    with pytest.raises(GradingError, match=r"reviewer 'r1' scored criterion 'ideas'.*twice"):
        grade(twice, "median")
    with pytest.raises(GradingError, match=r"'ideas': 10 points is outside 0\.\.5"):
        grade(ORA2_EXAMPLE, "mean", {**ORA2_SCALES, "ideas": CriterionScale(D(0), D(5))})
    too_high = [*ORA2_EXAMPLE, Score("s2", "r1", "ideas", D(0)), Score("s2", "r2", "ideas", 12)]
    with pytest.raises(GradingError, match=r"'ideas': 12 points is outside 0\.\.10"):
        grade(too_high, "mean", ORA2_SCALES)
    with pytest.raises(GradingError, match=r"'ideas': -1 points is outside 0\.\.10"):
        grade([*ORA2_EXAMPLE, Score("s2", "r1", "ideas", -1)], "mean", ORA2_SCALES)
    upside_down = {**ORA2_SCALES, "ideas": CriterionScale(D(10), D(0))}
    with pytest.raises(GradingError, match="'ideas' has its minimum above its maximum"):
        grade(ORA2_EXAMPLE, "mean", upside_down)
    practice = CalibrationResult("r1", "ideas", points=D(11), reference_points=D(5))
    with pytest.raises(GradingError, match=r"'ideas': 11 points is outside 0\.\.10"):
        grade(ORA2_EXAMPLE, "model", ORA2_SCALES, [practice])
    with pytest.raises(GradingError, match="criterion 'grammar' is not in the rubric"):
        grade(ORA2_EXAMPLE, "mean", {c: ORA2_SCALES[c] for c in ("ideas", "content")})
    with pytest.raises(GradingError, match="not a finite number"):
        grade([Score("s", "r", "c", D("NaN"))], "median")


def test_scales_come_from_the_rubric():
    levels = (Level(1, "poor", "."), Level(3, "ok", "."), Level(5, "good", "."))
    spec = AssignmentSpec(
        id="a", slug="a", title="A", module="m", prompt="p",
        rubric=(Criterion(id="safety", title="S", description=".", weight=D("1.5"),
                          levels=levels),),
    )  # fmt: skip
    assert scales_from_spec(spec) == {"safety": CriterionScale(D(1), D(5), D("1.5"))}


def test_the_default_method_is_a_registered_one_and_every_method_says_what_it_does():
    assert DEFAULT_METHOD in METHODS
    for name, method in METHODS.items():
        assert method.name == name
        assert method.description and "\n" not in method.description


# --- model -------------------------------------------------------------------------------


def synthetic_course(seed: int, biased: bool = True):
    """200 submissions, each scored by 4 of 200 reviewers on 4 criteria of 0-10 points.

    Reviewers have a bias N(0, 0.15 of the range) (when ``biased``) and noise 0.05; the
    score is rounded to a whole point and kept within the range.
    """
    rng = random.Random(seed)
    n = 200
    truth = {(f"s{u}", f"c{c}"): rng.uniform(0.2, 0.8) for u in range(n) for c in range(4)}
    bias = {f"r{v}": rng.gauss(0, 0.15) if biased else 0.0 for v in range(n)}
    scores = []
    for u in range(n):
        for v in rng.sample([v for v in range(n) if v != u], 4):
            for c in range(4):
                seen = truth[(f"s{u}", f"c{c}")] + bias[f"r{v}"] + rng.gauss(0, 0.05)
                points = min(10, max(0, round(seen * 10)))
                scores.append(Score(f"s{u}", f"r{v}", f"c{c}", D(points)))
    scales = {f"c{c}": CriterionScale(D(0), D(10)) for c in range(4)}
    return scores, scales, truth, bias


def rmse(scores, scales, truth, method) -> float:
    results = grade(scores, method, scales).results
    errors = [
        (float(result.by_criterion[c]) - 10 * truth[(s, c)]) ** 2
        for s, result in results.items()
        for c in result.by_criterion
    ]
    return math.sqrt(sum(errors) / len(errors))


def test_model_sees_through_reviewer_bias_better_than_the_median():
    scores, scales, truth, bias = synthetic_course(seed=11)
    assert rmse(scores, scales, truth, "model") <= 0.8 * rmse(scores, scales, truth, "median")
    estimates = grade(scores, "model", scales).reviewers
    generous = max(bias, key=bias.__getitem__)
    strict = min(bias, key=bias.__getitem__)
    assert float(estimates[generous].bias) > 0.15
    assert float(estimates[strict].bias) < -0.15


def test_model_is_not_worse_than_the_mean_without_bias():
    scores, scales, truth, _ = synthetic_course(seed=12, biased=False)
    assert rmse(scores, scales, truth, "model") <= 1.05 * rmse(scores, scales, truth, "mean")


def test_careless_reviewer_is_estimated_less_reliable_and_counts_less():
    rng = random.Random(5)
    rows = []
    for u in range(30):
        quality = rng.randint(3, 7)
        for reviewer in ("careful1", "careful2", "careful3"):
            rows.append((f"s{u}", reviewer, "c", quality))
        rows.append((f"s{u}", "careless", "c", rng.choice([0, 10])))
    scores = scores_of(rows)
    scales = {"c": CriterionScale(D(0), D(10))}
    graded = grade(scores, "model", scales)
    assert graded.reviewers["careless"].reliability < graded.reviewers["careful1"].reliability
    for u in range(30):
        model = graded.results[f"s{u}"].by_criterion["c"]
        careful = D(rows[4 * u][3])
        mean = grade(scores, "mean", scales).results[f"s{u}"].by_criterion["c"]
        assert abs(model - careful) < abs(mean - careful) or mean == careful


def test_calibration_evidence_moves_a_reviewers_bias_estimate():
    scores, scales, _, _ = synthetic_course(seed=13, biased=False)
    reviewer = scores[0].reviewer
    before = grade(scores, "model", scales).reviewers[reviewer].bias
    generous = [
        CalibrationResult(reviewer, f"c{c}", points=D(8), reference_points=D(5))
        for c in range(4)
        for _ in range(3)
    ]
    after = grade(scores, "model", scales, generous).reviewers[reviewer].bias
    assert after > before + D("0.03")
    strict = [CalibrationResult(r.reviewer, r.criterion, D(2), D(5)) for r in generous]
    assert grade(scores, "model", scales, strict).reviewers[reviewer].bias < before - D("0.03")


def test_model_grade_is_deterministic():
    scores, scales, _, _ = synthetic_course(seed=14)
    assert grade(scores, "model", scales) == grade(scores, "model", scales)


def test_reviewer_estimates_have_four_decimals_rounded_half_up_and_no_negative_zero():
    # What a maintainer reads next to a reviewer's name, from the model's float estimates.
    assert str(_to_decimal(0.12345)) == "0.1235"
    assert str(_to_decimal(-0.12345)) == "-0.1235"
    assert str(_to_decimal(-0.00003)) == "0.0000"
    assert str(_to_decimal(1.0)) == "1.0000"


def test_a_criterion_that_cannot_differ_gets_its_points_and_leaves_the_others_alone():
    scales = {"flat": CriterionScale(D(2), D(2)), "c": CriterionScale(D(0), D(10))}
    rows = [("s", "a", "flat", 2), ("s", "a", "c", 4), ("t", "a", "flat", 2),
            ("t", "a", "c", 8), ("t", "b", "c", 8)]  # fmt: skip
    practice = [CalibrationResult("a", "flat", D(2), D(2))]
    for method in METHODS:
        results = grade(scores_of(rows), method, scales, practice).results
        assert {s: r.by_criterion["flat"] for s, r in results.items()} == {"s": 2, "t": 2}
        assert results["s"].by_criterion["c"] < results["t"].by_criterion["c"]
    assert grade(scores_of(rows), "mean", scales).results["s"].by_criterion["c"] == 4


def test_calibration_on_a_one_point_criterion_counts_too():
    scores, _, _, _ = synthetic_course(seed=13, biased=False)
    halved = [Score(s.submission, s.reviewer, s.criterion, D(int(s.points >= 5))) for s in scores]
    scales = {f"c{c}": CriterionScale(D(0), D(1)) for c in range(4)}
    reviewer = scores[0].reviewer
    before = grade(halved, "model", scales).reviewers[reviewer].bias
    generous = [CalibrationResult(reviewer, f"c{c}", D(1), D(0)) for c in range(4) for _ in "abc"]
    assert grade(halved, "model", scales, generous).reviewers[reviewer].bias > before + D("0.01")


def test_model_with_one_reviewer_gives_their_score():
    scores = scores_of([("s", "r", "c", 7)])
    assert grade(scores, "model", {"c": CriterionScale(D(0), D(10))}).results["s"].total == 7
    assert grade(scores, "model").results["s"].total == 7  # range 7..7 from the data


# --- reviewer standing -------------------------------------------------------------------


def test_agreement_is_one_minus_the_mean_distance_to_the_grade_as_share_of_the_range():
    graded = grade(ORA2_EXAMPLE, "median", ORA2_SCALES)
    agreement = review_agreement(ORA2_EXAMPLE, graded.results, ORA2_SCALES)
    # r1 is 2, 1 and 0 points away from 8, 8, 4 on 10-point scales.
    assert agreement["r1"] == D("0.9")
    assert agreement["r3"] == D("0.9667")  # 0, 0 and 1 point away
    assert all(D(0) <= value <= D(1) for value in agreement.values())


def test_agreement_takes_reviews_as_the_gradebook_keeps_them_and_skips_the_ungraded():
    by_review = {("s1", "r1"): {"ideas": D(8)}, ("s2", "r2"): {"ideas": D(3)}}
    grades = {"s1": {"ideas": D(6)}}
    agreement = review_agreement(by_review, grades, {"ideas": CriterionScale(D(0), D(10))})
    assert agreement == {"r1": D("0.8")}  # r2's submission has no grade yet


def test_agreement_weighs_criteria_by_their_weight():
    scores = scores_of([("s", "r", "a", 0), ("s", "r", "b", 10)])
    scales = {"a": CriterionScale(D(0), D(10), D(3)), "b": CriterionScale(D(0), D(10))}
    grades = {"s": {"a": D(10), "b": D(10)}}
    assert review_agreement(scores, grades, scales) == {"r": D("0.25")}


def test_standing_has_reliability_only_from_the_model():
    for method in METHODS:
        graded = grade(ORA2_EXAMPLE, method, ORA2_SCALES)
        standings = reviewer_standings(ORA2_EXAMPLE, graded, ORA2_SCALES)
        assert set(standings) == {"r1", "r2", "r3"}
        assert standings["r1"].reviews == 1
        reliability = standings["r1"].reliability
        if method in ("model", "bounded"):
            assert reliability is not None and D(0) <= reliability <= D(1)
        else:
            assert reliability is None
