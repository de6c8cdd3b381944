"""Properties every grading method keeps, whatever the scores (hypothesis)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlearn.review.grading.grading import (
    METHODS,
    CalibrationResult,
    CriterionScale,
    Score,
    grade,
)
from tests.hypothesis_settings import property_settings

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

D = Decimal
#: No example database: the suite leaves nothing behind in the working tree.
SETTINGS = property_settings(60)


Course = tuple[list[Score], dict[str, CriterionScale], list[CalibrationResult]]


@st.composite
def courses(draw: st.DrawFn) -> Course:
    """A few submissions, reviewers and criteria, with any points each criterion allows."""
    scales = {}
    for c in range(draw(st.integers(1, 3))):
        low = draw(st.integers(0, 3))
        high = draw(st.integers(low, low + 10))
        weight = draw(st.sampled_from([D(1), D(2), D("0.5"), D("1.25")]))
        scales[f"c{c}"] = CriterionScale(D(low), D(high), weight)
    submissions = [f"s{i}" for i in range(draw(st.integers(1, 5)))]
    reviewers = [f"r{i}" for i in range(draw(st.integers(1, 5)))]
    scores = []
    for submission in submissions:
        for reviewer in reviewers:
            for criterion, scale in scales.items():
                if draw(st.booleans()):
                    points = draw(st.integers(int(scale.min_points), int(scale.max_points)))
                    scores.append(Score(submission, reviewer, criterion, D(points)))
    calibration = []
    for reviewer in draw(st.lists(st.sampled_from(reviewers), max_size=3)):
        criterion = draw(st.sampled_from(sorted(scales)))
        low, high = int(scales[criterion].min_points), int(scales[criterion].max_points)
        calibration.append(
            CalibrationResult(reviewer, criterion, D(draw(st.integers(low, high))),
                              D(draw(st.integers(low, high))))
        )  # fmt: skip
    return scores, scales, calibration


@SETTINGS
@given(courses(), st.sampled_from(sorted(METHODS)))
def test_a_grade_never_leaves_the_rubrics_range(course, method):
    scores, scales, calibration = course
    for result in grade(scores, method, scales, calibration).results.values():
        for criterion, value in result.by_criterion.items():
            assert scales[criterion].min_points <= value <= scales[criterion].max_points
        lowest = sum(scales[c].weight * scales[c].min_points for c in result.by_criterion)
        highest = sum(scales[c].weight * scales[c].max_points for c in result.by_criterion)
        assert lowest <= result.total <= highest


@SETTINGS
@given(courses(), st.sampled_from(sorted(METHODS)), st.randoms(use_true_random=False))
def test_order_of_scores_and_names_of_reviewers_do_not_change_any_grade(course, method, rng):
    scores, scales, calibration = course
    names = sorted({s.reviewer for s in scores} | {c.reviewer for c in calibration})
    new_names = [f"reviewer-{i}" for i in range(len(names))]
    rng.shuffle(new_names)
    rename = dict(zip(names, new_names, strict=True))
    renamed = [Score(s.submission, rename[s.reviewer], s.criterion, s.points) for s in scores]
    rng.shuffle(renamed)
    moved = [CalibrationResult(rename[c.reviewer], c.criterion, c.points, c.reference_points)
             for c in calibration]  # fmt: skip
    rng.shuffle(moved)
    before = grade(scores, method, scales, calibration)
    after = grade(renamed, method, scales, moved)
    assert after.results == before.results
    assert {name: after.reviewers[rename[name]] for name in before.reviewers} == {
        name: estimate.__class__(rename[name], estimate.bias, estimate.reliability)
        for name, estimate in before.reviewers.items()
    }


@SETTINGS
@given(courses(), st.sampled_from(sorted(METHODS)))
def test_weights_only_multiply_criterion_grades_into_the_total(course, method):
    scores, scales, calibration = course
    unweighted = {c: CriterionScale(s.min_points, s.max_points) for c, s in scales.items()}
    plain = grade(scores, method, unweighted, calibration).results
    weighted = grade(scores, method, scales, calibration).results
    assert plain.keys() == weighted.keys()
    for submission, result in weighted.items():
        assert result.by_criterion == plain[submission].by_criterion
        total = sum(scales[c].weight * value for c, value in result.by_criterion.items())
        assert result.total == total.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@SETTINGS
@given(courses())
def test_every_scored_submission_is_graded_by_every_method_and_no_other(course):
    scores, scales, calibration = course
    scored = {s.submission for s in scores}
    for method in METHODS:
        results = grade(scores, method, scales, calibration).results
        assert set(results) == scored
        for submission, result in results.items():
            assert result.reviews == len({s.reviewer for s in scores if s.submission == submission})
