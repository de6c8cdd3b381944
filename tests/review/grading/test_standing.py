"""A reviewer's standing: agreement with the grades and the model's reliability (pure)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlearn.review.grading.grading import CriterionScale, GradeResult, Grading, Score, grade
from peerlearn.review.grading.standing import review_agreement, reviewer_standings
from tests.hypothesis_settings import property_settings

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

D = Decimal
TEN = {"c": CriterionScale(D(0), D(10))}


def scores(*rows: tuple[str, str, str, int | str]) -> list[Score]:
    return [Score(s, r, c, D(str(p))) for s, r, c, p in rows]


def test_agreement_is_one_minus_the_distance_as_a_share_of_the_range_four_decimals():
    given_scores = scores(("s", "a", "c", 7), ("t", "a", "c", 2), ("s", "b", "c", 5))
    grades = {"s": {"c": D(5)}, "t": {"c": D(3)}}
    # a: 2 and 1 points off on a 10-point range: 1 - 0.15; a third rounds half up.
    assert review_agreement(given_scores, grades, TEN) == {"a": D("0.85"), "b": D(1)}
    thirds = {"c": CriterionScale(D(1), D(4))}
    assert review_agreement(scores(("s", "a", "c", 2)), {"s": {"c": D(1)}}, thirds) == {
        "a": D("0.6667")
    }
    tie = {"c": CriterionScale(D(0), D(32))}
    assert review_agreement(scores(("s", "a", "c", 3)), {"s": {"c": D(0)}}, tie) == {
        "a": D("0.9063")  # 0.90625, half up (not to the even 0.9062)
    }


def test_agreement_uses_the_rubrics_range_from_its_lowest_level():
    one_to_five = {"c": CriterionScale(D(1), D(5))}
    assert review_agreement(scores(("s", "a", "c", 1)), {"s": {"c": D(5)}}, one_to_five) == {
        "a": D(0)
    }
    assert review_agreement(scores(("s", "a", "c", 2)), {"s": {"c": D(3)}}, one_to_five) == {
        "a": D("0.75")
    }


def test_without_a_rubric_the_range_comes_from_the_scores():
    given_scores = scores(("s", "a", "c", 2), ("s", "b", "c", 6))
    assert review_agreement(given_scores, {"s": {"c": D(4)}}) == {"a": D("0.5"), "b": D("0.5")}


def test_a_score_beyond_the_range_counts_as_the_opposite_end_not_worse():
    assert review_agreement(scores(("s", "a", "c", 25)), {"s": {"c": D(0)}}, TEN) == {"a": D(0)}
    given_scores = scores(("s", "a", "c", 25), ("t", "a", "c", 4))
    grades = {"s": {"c": D(0)}, "t": {"c": D(4)}}
    assert review_agreement(given_scores, grades, TEN) == {"a": D("0.5")}


def test_a_criterion_that_cannot_differ_is_full_agreement():
    flat = {"c": CriterionScale(D(3), D(3))}
    assert review_agreement(scores(("s", "a", "c", 3)), {"s": {"c": D(3)}}, flat) == {"a": D(1)}


def test_criteria_count_by_their_weight_and_weightless_ones_say_nothing():
    scales = {"x": CriterionScale(D(0), D(10), D(3)), "y": CriterionScale(D(0), D(10), D(0))}
    given_scores = scores(("s", "b", "x", 10), ("s", "b", "y", 0), ("s", "a", "y", 0))
    grades = {"s": {"x": D(5), "y": D(10)}}
    assert review_agreement(given_scores, grades, scales) == {"b": D("0.5")}  # a: only y


def test_reviewers_without_a_graded_or_known_criterion_are_left_out():
    given_scores = scores(
        ("t", "a", "c", 1), ("s", "a", "other", 1), ("s", "a", "c", 1), ("t", "b", "c", 1)
    )  # fmt: skip
    assert review_agreement(given_scores, {"s": {"c": D(1)}}, TEN) == {"a": D(1)}


def test_grades_may_be_results_and_reviews_may_be_kept_per_review():
    result = GradeResult("s", D(4), {"c": D(4)}, reviews=1)
    per_review = {("s", "a"): {"c": D(6)}, ("t", "a"): {"c": D(0)}}
    assert review_agreement(per_review, {"s": result}, TEN) == {"a": D("0.8")}


def test_agreement_is_exact_whatever_the_callers_decimal_context():
    given_scores = scores(("s", "a", "c", 1), ("t", "a", "c", 1), ("u", "a", "c", 0))
    grades = {"s": {"c": D(0)}, "t": {"c": D(0)}, "u": {"c": D(0)}}
    with localcontext(prec=1, rounding=ROUND_DOWN):
        assert review_agreement(given_scores, grades, {"c": CriterionScale(D(0), D(3))}) == {
            "a": D("0.7778")
        }


def test_standing_counts_submissions_reviewed_and_takes_the_models_reliability():
    given_scores = scores(
        ("s", "a", "c", 6), ("s", "a", "d", 6), ("t", "a", "c", 4), ("s", "b", "c", 5),
        ("t", "b", "c", 4), ("u", "a", "c", 9),
    )  # fmt: skip
    scales = {**TEN, "d": CriterionScale(D(0), D(10))}
    model = grade(given_scores, "model", scales)
    standings = reviewer_standings(given_scores, model, scales)
    assert {name: s.reviews for name, s in standings.items()} == {"a": 3, "b": 2}
    for name, standing in standings.items():
        assert standing.reviewer == name
        assert standing.reliability == model.reviewers[name].reliability
        assert standing.agreement == review_agreement(given_scores, model.results, scales)[name]
    median = grade(given_scores, "median", scales)
    assert all(s.reliability is None for s in reviewer_standings(given_scores, median).values())


def test_standing_takes_reviews_as_the_gradebook_keeps_them():
    per_review = {("s", "a"): {"c": D(6), "d": D(2)}, ("t", "a"): {"c": D(1)}}
    grading = Grading("mean", {"s": GradeResult("s", D(8), {"c": D(6), "d": D(2)}, 1)})
    standing = reviewer_standings(per_review, grading, {**TEN, "d": CriterionScale(D(0), D(4))})
    assert standing["a"].reviews == 2 and standing["a"].agreement == 1


@property_settings(60)
@given(
    st.lists(
        st.tuples(st.sampled_from("stu"), st.sampled_from("ab"), st.integers(0, 10)),
        min_size=1,
        unique_by=lambda row: row[:2],
    ),
    st.sampled_from(["median", "mean", "model"]),
)
def test_agreement_is_between_zero_and_one_and_one_for_a_reviewer_who_matches(rows, method):
    given_scores = [Score(s, r, "c", points) for s, r, points in rows]
    graded = grade(given_scores, method, TEN)
    agreement = review_agreement(given_scores, graded.results, TEN)
    assert set(agreement) == {r for _, r, _ in rows}
    assert all(D(0) <= value <= D(1) for value in agreement.values())
    for reviewer, value in agreement.items():
        mine = [s for s in given_scores if s.reviewer == reviewer]
        if all(graded.results[s.submission].by_criterion["c"] == s.points for s in mine):
            assert value == 1
