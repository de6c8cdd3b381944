"""Reviewer standings: reviews given, agreement with the grades, the model's reliability,
and the authors' helpfulness ratings, for maintainers and (their own) for reviewers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from peerlearn.extensions import db
from peerlearn.review.grading.reviewer_standings import reviewer_standings
from peerlearn.review.models import Review, ReviewFeedback
from tests.fixtures.review import ReviewClass, seed_review, small_class_beside

Login = Callable[..., Any]
#: The two-criterion class of test_grades, shared as a fixture.


def _base(klass: ReviewClass) -> str:
    return f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"


def _rate(review: Review, rating: int, comment: str = "") -> None:
    db.session.add(
        ReviewFeedback(
            review_id=review.id, author_id=review.log.user_id, rating=rating, comment=comment
        )
    )
    db.session.commit()


@pytest.fixture
def rated(graded_class: Callable[..., ReviewClass]) -> ReviewClass:
    """learner1's log reviewed by 2, 3 and 4; learner3's by 2 alone (median grading).

    Median grades: learner1 build 2, docs 2; learner3 build 4, docs 3 (learner2's own).
    Agreement (distance as a share of each range, weights build 1 and docs 2):
    learner2 1 - (2/4 + 2 * 1/3) / 6 = 0.8056; learner3 1 - (2 * 1/3) / 3 = 0.7778;
    learner4 1.
    """
    klass = graded_class(4, grading="median")
    a, b, c, d = klass.learners
    by_b = seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    by_c = seed_review(klass.logs[a.id], c, {"build": 2, "docs": 1})
    seed_review(klass.logs[a.id], d, {"build": 2, "docs": 2})
    again_b = seed_review(klass.logs[c.id], b, {"build": 4, "docs": 3})
    _rate(by_b, 4, "Clear about the **trench**.")
    _rate(again_b, 5)
    _rate(by_c, 2, "Too short.")
    return klass


def test_standings_numbers_on_a_small_example(rated: ReviewClass) -> None:
    rows = {row.username: row for row in reviewer_standings(rated.assignment)}

    assert list(rows) == ["learner2", "learner3", "learner4"]
    assert (rows["learner2"].reviews_given, rows["learner2"].agreement) == (2, Decimal("0.8056"))
    assert (rows["learner3"].reviews_given, rows["learner3"].agreement) == (1, Decimal("0.7778"))
    assert (rows["learner4"].reviews_given, rows["learner4"].agreement) == (1, Decimal("1"))
    assert (rows["learner2"].helpfulness, rows["learner2"].ratings) == (Decimal("4.50"), 2)
    assert (rows["learner3"].helpfulness, rows["learner3"].ratings) == (Decimal("2.00"), 1)
    assert (rows["learner4"].helpfulness, rows["learner4"].ratings) == (None, 0)
    assert [one.comment for one in rows["learner2"].feedback] == ["Clear about the **trench**.", ""]
    assert all(row.reliability is None for row in rows.values())  # median: no model


def test_discarded_reviews_do_not_count_for_the_reviewer(rated: ReviewClass) -> None:
    a, b, _c, _d = rated.learners
    seed_review(rated.logs[b.id], a, {"build": 0, "docs": 0}, state="discarded")

    rows = {row.username: row for row in reviewer_standings(rated.assignment)}

    assert "learner1" not in rows


def test_model_grading_adds_each_reviewer_s_reliability(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(3, grading="model")
    learners = klass.learners
    for i, author in enumerate(learners):
        for step in (1, 2):
            reviewer = learners[(i + step) % 3]
            seed_review(klass.logs[author.id], reviewer, {"build": 2 * step, "docs": step})

    rows = reviewer_standings(klass.assignment)

    assert len(rows) == 3
    assert all(row.reliability is not None and 0 <= row.reliability <= 1 for row in rows)
    assert all(row.reviews_given == 2 and row.agreement is not None for row in rows)


def test_standings_page_for_maintainers(rated: ReviewClass, client: Any, login: Login) -> None:
    login(rated.maintainer)

    response = client.get(f"{_base(rated)}/standings")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "learner2" in html and "learner3" in html and "learner4" in html
    assert "81%" in html and "78%" in html and "100%" in html
    assert "4.5 of 5 (2 ratings)" in html and "2 of 5 (1 rating)" in html
    assert "Clear about the <strong>trench</strong>." in html
    assert "Reliability" not in html  # median grading


def test_my_reviews_shows_helpfulness_and_never_names_the_authors(
    rated: ReviewClass, client: Any, login: Login
) -> None:
    a, b, c, d = rated.learners
    seed_review(rated.logs[d.id], b, {"build": 0, "docs": 0}, state="discarded")
    login(b)

    response = client.get(f"{_base(rated)}/my-reviews")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Build log 1" in html and "Build log 2" in html and "Build log 3" in html
    assert "rated it 4 of 5" in html and "rated it 5 of 5" in html
    assert "Clear about the <strong>trench</strong>." in html
    assert "discarded this review" in html
    assert "81%" in html and "4.5 of 5 (2 ratings)" in html
    for author in (a, c, d):
        assert author.username not in html
    assert "Digester built by" not in html  # the logs' titles name their authors


def test_my_reviews_of_someone_who_reviewed_nothing(
    rated: ReviewClass, client: Any, login: Login
) -> None:
    login(rated.learners[0])

    html = client.get(f"{_base(rated)}/my-reviews").get_data(as_text=True)

    assert "You have not submitted a review for this assignment yet." in html


def test_my_reviews_needs_a_login(rated: ReviewClass, client: Any) -> None:
    response = client.get(f"{_base(rated)}/my-reviews")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_standings_page_query_count_does_not_grow_with_the_class(
    graded_class: Callable[..., ReviewClass],
    create_assignment: Callable[..., Any],
    client: Any,
    login: Login,
    count_queries: Callable[[], Any],
) -> None:
    klass = graded_class(12, grading="model")
    small = small_class_beside(klass, create_assignment, "model")
    login(klass.maintainer)

    def queries(slug: str, logs: dict[int, Any]) -> int:
        learners = [one for one in klass.learners if one.id in logs]
        for i, author in enumerate(learners):
            for step in (1, 2):
                review = seed_review(
                    logs[author.id],
                    learners[(i + step) % len(learners)],
                    {"build": 2, "docs": step},
                )
                _rate(review, step + 2, "Helpful.")
        with count_queries() as counter:
            html = client.get(f"/courses/{klass.course.slug}/a/{slug}/standings").get_data(
                as_text=True
            )
        assert all(learner.username in html for learner in learners)
        return counter.count

    assert queries(small.assignment.slug, small.logs) == queries(klass.assignment.slug, klass.logs)
