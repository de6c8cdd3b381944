"""The maintainers' gradebook: the list, one log's detail, overrides, the CSV export, and
who may see any of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.extensions import db
from peerlearn.review.gradebook import gradebook
from peerlearn.review.gradebook.gradebook import csv_cell
from peerlearn.review.grading.overrides import override_grade
from peerlearn.review.models import GradeOverride, RegradeRequest, ReviewFeedback, ReviewKind
from tests.fixtures.review import ReviewClass, seed_review, small_class_beside

Login = Callable[..., Any]
#: The two-criterion class of test_grades, shared as a fixture.


def _base(klass: ReviewClass) -> str:
    return f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"


def _reviewed(klass: ReviewClass) -> None:
    """Every learner reviewed by the next two: build 2, docs 1 and 3 (median/mean 2)."""
    learners = klass.learners
    n = len(learners)
    for i, author in enumerate(learners):
        for step, docs in ((1, 1), (2, 3)):
            seed_review(klass.logs[author.id], learners[(i + step) % n], {"build": 2, "docs": docs})


def test_gradebook_lists_every_submitted_log_with_its_grade(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(4, submitted=3, grading="mean")
    a, b, c, _drafter = klass.learners
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    seed_review(klass.logs[a.id], c, {"build": 2, "docs": 1})
    seed_review(klass.logs[a.id], a, {"build": 4, "docs": 3}, kind=ReviewKind.SELF.value)
    override_grade(klass.maintainer, klass.logs[b.id], Decimal("8.5"), "Checked in person.")
    db.session.add(RegradeRequest(log_id=klass.logs[c.id].id, requested_by_id=c.id, reason="?"))
    db.session.commit()
    login(klass.maintainer)

    html = client.get(f"{_base(klass)}/gradebook").get_data(as_text=True)

    assert "learner1" in html and "learner2" in html and "learner3" in html
    assert "learner4" not in html  # never submitted
    assert "7 / 10" in html  # a: build 3, docs 2 -> 3 + 4
    assert "10 / 10" in html  # a's self-assessment, beside
    assert "8.5 / 10" in html and "Set by a maintainer" in html
    assert "Regrade requested" in html
    assert "Not graded yet" in html
    assert "2 of 3" in html  # reviews received of those the queue requires
    assert "Build quality" in html and "Documentation" in html
    assert f"{_base(klass)}/gradebook/{klass.logs[a.id].id}" in html


def test_gradebook_numbers_follow_the_reader_s_language(
    graded_class: Callable[..., ReviewClass],
    client: Any,
    login: Login,
) -> None:
    klass = graded_class(3, grading="median")
    override_grade(klass.maintainer, klass.logs[klass.learners[0].id], Decimal("7.5"), "Ok.")
    klass.maintainer.locale = "es"
    db.session.commit()
    login(klass.maintainer)

    html = client.get(f"{_base(klass)}/gradebook").get_data(as_text=True)

    assert "7,5" in html


def test_gradebook_filters_open_regrade_requests_and_pages(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(5, grading="median")
    waiting = klass.learners[3]
    db.session.add(
        RegradeRequest(log_id=klass.logs[waiting.id].id, requested_by_id=waiting.id, reason="?")
    )
    db.session.commit()

    first = gradebook.gradebook_page(klass.assignment, 1, per_page=2)
    last = gradebook.gradebook_page(klass.assignment, 3, per_page=2)
    only = gradebook.gradebook_page(klass.assignment, 1, only_open=True, per_page=2)

    assert [row.username for row in first.rows] == ["learner1", "learner2"]
    assert first.pages == 3 and first.submitted == 5 and first.open_regrades == 1
    assert [row.username for row in last.rows] == ["learner5"]
    assert [row.username for row in only.rows] == ["learner4"] and only.pages == 1


def test_gradebook_pages_past_the_end_are_not_found(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(2)
    login(klass.maintainer)

    assert client.get(f"{_base(klass)}/gradebook?page=2").status_code == 404
    assert client.get(f"{_base(klass)}/gradebook?page=0").status_code == 404
    assert client.get(f"{_base(klass)}/gradebook?show=regrades").status_code == 200


def test_gradebook_query_count_does_not_grow_with_the_class(
    graded_class: Callable[..., ReviewClass],
    create_assignment: Callable[..., Assignment],
    client: Any,
    login: Login,
    count_queries: Callable[[], Any],
) -> None:
    klass = graded_class(12, grading="model")
    small_class = small_class_beside(klass, create_assignment, "model")
    login(klass.maintainer)

    def queries(which: ReviewClass) -> int:
        _reviewed(which)
        first = which.learners[0]
        seed_review(which.logs[first.id], first, {"build": 4, "docs": 3}, kind="self")
        override_grade(which.maintainer, which.logs[which.learners[1].id], Decimal(9), "Ok.")
        db.session.add(
            RegradeRequest(log_id=which.logs[first.id].id, requested_by_id=first.id, reason="?")
        )
        db.session.commit()
        with count_queries() as counter:
            response = client.get(f"{_base(which)}/gradebook")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert all(learner.username in html for learner in which.learners)
        return counter.count

    assert queries(small_class) == queries(klass)


# --- The detail of one log ---------------------------------------------------------------


def test_detail_shows_reviewers_scores_comments_and_helpfulness(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(3, grading="median")
    a, b, c = klass.learners
    log = klass.logs[a.id]
    review = seed_review(
        log,
        b,
        {"build": 4, "docs": 2},
        overall="**Great** trench. <script>alert(1)</script>",
        comments={"docs": "Add the _gas_ readings."},
    )
    seed_review(log, c, {"build": 2, "docs": 2}, state="discarded")
    db.session.add(ReviewFeedback(review_id=review.id, author_id=a.id, rating=4, comment="Useful!"))
    db.session.commit()
    login(klass.maintainer)

    response = client.get(f"{_base(klass)}/gradebook/{log.id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "learner2" in html and "learner3" in html and "Discarded" in html
    assert "<strong>Great</strong>" in html and "<script>" not in html
    assert "<em>gas</em>" in html
    assert "rated this review 4 of 5" in html and "Useful!" in html
    assert "Excellent" in html  # the level's title


def test_detail_of_another_assignment_s_log_is_not_found(
    graded_class: Callable[..., ReviewClass],
    create_assignment: Callable[..., Assignment],
    client: Any,
    login: Login,
) -> None:
    klass = graded_class(2)
    other = create_assignment(klass.course, slug="other")
    login(klass.maintainer)
    log_id = klass.logs[klass.learners[0].id].id

    elsewhere = f"/courses/{klass.course.slug}/a/{other.slug}/gradebook/{log_id}"
    assert client.get(elsewhere).status_code == 404
    assert client.get(f"{_base(klass)}/gradebook/999999").status_code == 404


# --- Overrides ---------------------------------------------------------------------------


def test_maintainer_overrides_a_grade_with_a_reason(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(3, grading="median")
    log = klass.logs[klass.learners[0].id]
    login(klass.maintainer)
    url = f"{_base(klass)}/gradebook/{log.id}"

    response = client.submit(
        f"{url}/override", {"override-points": "7.5", "override-reason": "Photos show it."}
    )
    client.submit(f"{url}/override", {"override-points": "9", "override-reason": "Rechecked."})

    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    rows = db.session.scalars(select(GradeOverride).order_by(GradeOverride.id)).all()
    assert [(row.points, row.reason) for row in rows] == [
        (Decimal("7.50"), "Photos show it."),
        (Decimal("9.00"), "Rechecked."),
    ]
    assert rows[0].created_by_id == klass.maintainer.id
    html = client.get(url).get_data(as_text=True)
    assert "Photos show it." in html and "Rechecked." in html and "9 / 10" in html


def test_override_points_are_read_in_the_maintainer_s_language(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(2)
    klass.maintainer.locale = "es"
    db.session.commit()
    log = klass.logs[klass.learners[0].id]
    login(klass.maintainer)

    client.submit(
        f"{_base(klass)}/gradebook/{log.id}/override",
        {"override-points": "7,25", "override-reason": "Revisado."},
    )

    assert db.session.scalar(select(GradeOverride.points)) == Decimal("7.25")


@pytest.mark.parametrize(
    ("points", "reason", "message"),
    [
        ("11", "Too generous.", "Enter between 0 and 10 points."),
        ("-1", "Negative.", "Enter between 0 and 10 points."),
        ("seven", "Words.", "Enter a number of points"),
        ("7.555", "Fine.", "Use at most two decimal places."),
        ("", "Nothing.", "Enter the grade in points."),
        ("7", "", "Give the reason for the new grade"),
    ],
)
def test_override_form_errors_are_422_with_the_message(
    graded_class: Callable[..., ReviewClass],
    client: Any,
    login: Login,
    points: str,
    reason: str,
    message: str,
) -> None:
    klass = graded_class(2)
    log = klass.logs[klass.learners[0].id]
    login(klass.maintainer)

    response = client.submit(
        f"{_base(klass)}/gradebook/{log.id}/override",
        {"override-points": points, "override-reason": reason},
    )

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(GradeOverride.id)) is None


# --- CSV ---------------------------------------------------------------------------------


def test_csv_has_one_row_per_log_and_defuses_formulas(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(3, grading="median")
    a, b, c = klass.learners
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    seed_review(klass.logs[a.id], c, {"build": 2, "docs": 1})
    override_grade(
        klass.maintainer, klass.logs[b.id], Decimal("6.5"), '=HYPERLINK("http://x.example","y")'
    )
    override_grade(klass.maintainer, klass.logs[c.id], Decimal(3), "Seen, «très» bien")
    db.session.commit()
    login(klass.maintainer)

    response = client.get(f"{_base(klass)}/gradebook.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Username",
        "Final grade",
        "Peer grade",
        "Build quality (peers)",
        "Documentation (peers)",
        "Reviews",
        "Override reason",
        "Reviewing grade",
        "Peer grade, likely lowest (9 in 10)",
        "Peer grade, likely highest (9 in 10)",
    ]
    # learner1 gave no review (reviewing grade 0); learner2 and learner3 each gave one of
    # the two asked, equally far from the median (agreement 0.6944, completion 1/2). The
    # median gives no interval: those two columns stay empty.
    assert rows[1] == ["learner1", "7.00", "7.00", "3.00", "2.00", "2", "", "0.00", "", ""]
    assert rows[2] == [
        *("learner2", "6.50", "", "", "", "0", '\'=HYPERLINK("http://x.example","y")', "34.72"),
        "", "",
    ]  # fmt: skip
    assert rows[3] == ["learner3", "3.00", "", "", "", "0", "Seen, «très» bien", "34.72", "", ""]
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("fine = ok", "fine = ok"),
    ],
)
def test_csv_cells_never_start_a_formula(text: str, expected: str) -> None:
    assert csv_cell(text) == expected


# --- Who may see it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", "/gradebook"),
        ("get", "/gradebook.csv"),
        ("get", "/gradebook/{log}"),
        ("post", "/gradebook/{log}/override"),
        ("post", "/gradebook/{log}/regrade/{regrade}"),
        ("get", "/standings"),
    ],
)
def test_learners_may_not_see_or_change_the_gradebook(
    graded_class: Callable[..., ReviewClass],
    client: Any,
    login: Login,
    method: str,
    suffix: str,
) -> None:
    klass = graded_class(2)
    learner: User = klass.learners[0]
    log = klass.logs[learner.id]
    regrade = RegradeRequest(log_id=log.id, requested_by_id=learner.id, reason="Please.")
    db.session.add(regrade)
    db.session.commit()
    url = _base(klass) + suffix.format(log=log.id, regrade=regrade.id)
    data = {"override-points": "10", "override-reason": "Mine.", "answer-answer": "Yes."}

    anonymous = client.get(url) if method == "get" else client.submit(url, data)
    login(learner)
    response = client.get(url) if method == "get" else client.submit(url, data)

    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert response.status_code == 403
    assert db.session.scalar(select(GradeOverride.id)) is None
