"""What learners and maintainers see of a grade's interval and explanation (issue #17)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db
from peerlearn.review.grading.grades import grade_of, interval_widths
from tests.fixtures.review import RUBRIC_YAML, ReviewClass, seed_review

Login = Callable[[Any], None]


def _class_with_top_marks(graded_class: Callable[..., ReviewClass]) -> ReviewClass:
    """learner1's log gets the top level on both criteria from both its reviewers."""
    klass = graded_class(4, grading="model")
    a, b, c, d = klass.learners
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    seed_review(klass.logs[a.id], c, {"build": 4, "docs": 3})
    seed_review(klass.logs[b.id], c, {"build": 2, "docs": 1})
    seed_review(klass.logs[b.id], d, {"build": 3, "docs": 2})
    seed_review(klass.logs[c.id], d, {"build": 1, "docs": 0})
    seed_review(klass.logs[c.id], a, {"build": 2, "docs": 1})
    seed_review(klass.logs[d.id], a, {"build": 3, "docs": 2})
    seed_review(klass.logs[d.id], b, {"build": 2, "docs": 2})
    db.session.commit()
    return klass


def _feedback(klass: ReviewClass) -> str:
    return f"/courses/{klass.course.slug}/a/{klass.assignment.slug}/feedback"


def test_unanimous_top_marks_give_full_points_with_the_reasons(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = _class_with_top_marks(graded_class)
    a = klass.learners[0]
    grade = grade_of(klass.logs[a.id])
    assert grade is not None and grade.final == Decimal("10.00") == grade.max_total
    assert grade.low is not None and grade.low < grade.final == grade.high
    login(a)
    html = client.get(_feedback(klass)).get_data(as_text=True)
    assert "Likely between" in html and "9 times in 10" in html
    assert "Why this grade" in html
    assert "Every reviewer gave the top level for 2 criteria: they get full points." in html
    # Nothing names or numbers a reviewer in the explanation.
    why = html.split("Why this grade", 1)[1].split("</ul>", 1)[0]
    assert "Reviewer 1" not in why and "Reviewer 2" not in why


def test_a_mixed_grade_says_why_it_is_not_the_average(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = _class_with_top_marks(graded_class)
    b = klass.learners[1]
    login(b)
    html = client.get(_feedback(klass)).get_data(as_text=True)
    # build 2 and 3, docs 1 and 2 (weight 2): plain average 2.5 + 3 = 5.5.
    assert "The plain average of the scores in the reviews that count is 5.5 points." in html
    grade = grade_of(klass.logs[b.id])
    assert grade is not None and grade.explanation is not None
    assert (
        grade.explanation.plain_average + grade.explanation.reviewer_bias + (grade.explanation.rest)
        == grade.final
    )


def test_the_gradebook_shows_intervals_and_flags_uncertain_grades(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = _class_with_top_marks(graded_class)
    text = RUBRIC_YAML.format(
        key=klass.assignment.key, module=klass.assignment.module.key, grading="model",
        must_review=2,
    ).replace("grading: model\n", "grading: model\nmax_interval_width: 5\n")  # fmt: skip
    add_revision(klass.assignment, text, author=None, kind="edit")
    db.session.commit()
    widths = interval_widths(klass.assignment)
    assert len(widths) == 4
    assert all(width > Decimal("0.5") for width in widths.values())
    login(klass.maintainer)
    base = f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"
    html = client.get(f"{base}/gradebook").get_data(as_text=True)
    assert "Grades less certain than allowed" in html
    assert html.count(">Uncertain<") == 4
    only = client.get(f"{base}/gradebook?show=uncertain").get_data(as_text=True)
    assert only.count(">Uncertain<") == 4
    assert '<strong aria-current="true">only uncertain grades</strong>' in only
    body = client.get(f"{base}/gradebook.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][-2:] == [
        "Peer grade, likely lowest (9 in 10)",
        "Peer grade, likely highest (9 in 10)",
    ]
    for row in rows[1:]:
        assert Decimal(row[-2]) <= Decimal(row[2]) <= Decimal(row[-1])


def test_without_a_width_nothing_is_uncertain(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = _class_with_top_marks(graded_class)
    login(klass.maintainer)
    base = f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"
    html = client.get(f"{base}/gradebook").get_data(as_text=True)
    assert "Uncertain" not in html and "only uncertain grades" not in html
    empty = client.get(f"{base}/gradebook?show=uncertain").get_data(as_text=True)
    assert "No peer grade is less certain than this assignment allows." in empty


def test_page_views_share_one_fit_until_a_review_arrives(
    graded_class: Callable[..., ReviewClass],
) -> None:
    from peerlearn.review.grading import grade_inputs

    klass = _class_with_top_marks(graded_class)
    first = grade_inputs.grade(grade_inputs.load(klass.assignment))
    assert grade_inputs.grade(grade_inputs.load(klass.assignment)) is first
    a, d = klass.learners[0], klass.learners[3]
    seed_review(klass.logs[a.id], d, {"build": 1, "docs": 1})
    db.session.commit()
    after = grade_inputs.grade(grade_inputs.load(klass.assignment))
    assert after is not first
    assert after.results[str(klass.logs[a.id].id)].total < Decimal(10)
