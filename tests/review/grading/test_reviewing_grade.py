"""The grade for reviewing: the formula (pure), weight 0 changing no grade, a weight
changing the final grade exactly as docs/peer-review.md says, and where learners and
maintainers see it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from peerlearn.extensions import db
from peerlearn.review.grading.grades import assignment_grades
from peerlearn.review.grading.reviewing_grade import blended, reviewing_grade
from peerlearn.review.models import ReviewFeedback
from tests.fixtures.review import ReviewClass, seed_review
from tests.review.allocation.test_resubmission import configure

# --- The formula -------------------------------------------------------------------------


def test_accuracy_alone_when_nobody_rated_the_reviews() -> None:
    assert reviewing_grade(Decimal("0.8"), [], given=2, must_review=2) == Decimal("80.00")


def test_helpfulness_is_a_quarter_of_the_quality() -> None:
    # 0.75 * 0.8 + 0.25 * (4.5 - 1) / 4 = 0.81875
    assert reviewing_grade(Decimal("0.8"), [4, 5], given=2, must_review=2) == Decimal("81.88")


def test_fewer_reviews_than_asked_earn_a_share_and_extra_ones_never_exceed_100() -> None:
    assert reviewing_grade(Decimal(1), [5], given=1, must_review=4) == Decimal("25.00")
    assert reviewing_grade(Decimal(1), [5], given=6, must_review=4) == Decimal("100.00")


def test_no_review_given_is_zero_and_nothing_comparable_yet_is_not_a_grade() -> None:
    assert reviewing_grade(None, [], given=0, must_review=3) == Decimal("0.00")
    assert reviewing_grade(None, [3], given=2, must_review=3) is None


@pytest.mark.parametrize(
    ("peer", "reviewing", "weight", "expected"),
    [
        (Decimal("7.00"), Decimal(50), 0, Decimal("7.00")),  # weight 0: the peers' grade
        (Decimal("7.00"), None, 20, Decimal("7.00")),  # no reviewing grade yet
        (None, Decimal(50), 20, None),  # not graded yet stays not graded
        (Decimal("7.00"), Decimal(50), 20, Decimal("6.60")),  # 0.8 * 7 + 0.2 * 0.5 * 10
        (Decimal("7.00"), Decimal(100), 100, Decimal("10.00")),
    ],
)
def test_the_final_grade_blends_by_the_weight(
    peer: Decimal | None, reviewing: Decimal | None, weight: int, expected: Decimal | None
) -> None:
    assert blended(peer, reviewing, weight, Decimal(10)) == expected


# --- In the application ------------------------------------------------------------------


def _reviewed(klass: ReviewClass) -> None:
    """Everyone reviews the next two classmates; learner 0 also gives an extra review."""
    learners = klass.learners
    n = len(learners)
    for i, author in enumerate(learners):
        for step in (1, 2):
            reviewer = learners[(i + step) % n]
            seed_review(klass.logs[author.id], reviewer, {"build": 2 * step, "docs": step})
    seed_review(klass.logs[learners[1].id], learners[0], {"build": 4, "docs": 3}, extra=True)


def test_weight_0_changes_no_grade_and_a_weight_changes_them_as_documented(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="model")
    _reviewed(klass)
    before = {log_id: g.final for log_id, g in assignment_grades(klass.assignment).logs.items()}

    configure(klass.assignment, reviewing_weight=0)
    at_zero = assignment_grades(klass.assignment)
    assert {log_id: g.final for log_id, g in at_zero.logs.items()} == before
    assert all(g.final == g.peer_total for g in at_zero.logs.values())
    assert all(g.reviewing is not None for g in at_zero.logs.values())

    configure(klass.assignment, reviewing_weight=25)
    weighted = assignment_grades(klass.assignment)
    for log_id, grade in weighted.logs.items():
        assert grade.peer_total == before[log_id]  # the peers' grade itself is unchanged
        assert grade.reviewing is not None and grade.peer_total is not None
        expected = Decimal("0.75") * grade.peer_total + Decimal("0.25") * grade.reviewing / 100 * 10
        assert grade.final == expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert any(weighted.logs[i].final != before[i] for i in before)


def test_extra_reviews_and_helpfulness_count_towards_the_reviewing_grade(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="median")
    a, b, c, _d = klass.learners
    review = seed_review(klass.logs[b.id], a, {"build": 4, "docs": 3})
    seed_review(klass.logs[b.id], c, {"build": 4, "docs": 3})
    first = assignment_grades(klass.assignment).logs[klass.logs[a.id].id].reviewing
    assert first == Decimal("50.00")  # full agreement, one review of the two asked

    seed_review(klass.logs[c.id], a, {"build": 4, "docs": 3})
    seed_review(klass.logs[c.id], b, {"build": 4, "docs": 3})
    seed_review(klass.logs[_d.id], a, {"build": 4, "docs": 3}, extra=True)
    assert assignment_grades(klass.assignment).logs[klass.logs[a.id].id].reviewing == 100
    db.session.add(ReviewFeedback(review_id=review.id, author_id=b.id, rating=1))
    db.session.commit()
    # 0.75 * 1 + 0.25 * 0 = 0.75
    assert assignment_grades(klass.assignment).logs[klass.logs[a.id].id].reviewing == 75


def test_my_reviews_and_the_gradebook_show_the_reviewing_grade(
    graded_class: Callable[..., ReviewClass], client: Any, login: Any
) -> None:
    klass = graded_class(3, grading="median")
    a, b, c = klass.learners
    seed_review(klass.logs[b.id], a, {"build": 4, "docs": 3})
    seed_review(klass.logs[b.id], c, {"build": 4, "docs": 3})
    configure(klass.assignment, reviewing_weight=10)
    base = f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"

    login(a)
    page = client.get(f"{base}/my-reviews").get_data(as_text=True)
    assert "Your reviewing grade" in page and "50 of 100" in page
    assert "It is 10 % of your grade for this assignment." in page
    client.submit("/logout")
    login(klass.maintainer)
    book = client.get(f"{base}/gradebook").get_data(as_text=True)
    assert "Reviewing grade" in book and "<td>50</td>" in book


def test_the_reviewer_standings_show_each_reviewing_grade(
    graded_class: Callable[..., ReviewClass], client: Any, login: Any
) -> None:
    klass = graded_class(3, grading="median")
    a, b, c = klass.learners
    seed_review(klass.logs[b.id], a, {"build": 4, "docs": 3})
    seed_review(klass.logs[b.id], c, {"build": 4, "docs": 3})
    login(klass.maintainer)

    page = client.get(f"/courses/{klass.course.slug}/a/{klass.assignment.slug}/standings")

    html = page.get_data(as_text=True)
    assert "Reviewing grade" in html and html.count("<td>50</td>") == 2
