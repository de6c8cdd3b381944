"""Regrade requests: the author asks once they see a grade, a maintainer answers (with or
without a new grade), the author is notified."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.extensions import db
from peerlearn.notifications import Notification
from peerlearn.review.grading import regrades
from peerlearn.review.models import GradeOverride, RegradeRequest
from peerlearn.review.notifications import NoticeKind
from tests.fixtures.review import ReviewClass, seed_review

Login = Callable[..., Any]
#: The two-criterion class of test_grades, shared as a fixture.


def _base(klass: ReviewClass) -> str:
    return f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"


@pytest.fixture
def reviewed(graded_class: Callable[..., ReviewClass]) -> ReviewClass:
    """Three learners, each reviewed by the other two (must_review 2): all see a grade."""
    klass = graded_class(3, grading="median", title="Gas production test")
    learners = klass.learners
    for i, author in enumerate(learners):
        for step in (1, 2):
            seed_review(klass.logs[author.id], learners[(i + step) % 3], {"build": 2, "docs": 2})
    return klass


def test_author_asks_maintainer_answers_with_a_new_grade(
    reviewed: ReviewClass, client: Any, login: Login
) -> None:
    author = reviewed.learners[0]
    log = reviewed.logs[author.id]
    login(author)

    asked = client.submit(
        f"{_base(reviewed)}/regrade",
        {"reason": "The docs criterion missed my measurement table.", "next": "/elsewhere"},
    )
    again = client.submit(f"{_base(reviewed)}/regrade", {"reason": "Please, again."})

    assert asked.status_code == 302 and asked.headers["Location"].endswith("/elsewhere")
    assert again.status_code == 409
    assert "You already asked for a regrade" in again.get_data(as_text=True)
    request = db.session.scalar(select(RegradeRequest))
    assert request is not None and request.requested_by_id == author.id
    assert request.answered_at is None

    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login(reviewed.maintainer)
    listed = client.get(f"{_base(reviewed)}/gradebook?show=regrades").get_data(as_text=True)
    detail_url = f"{_base(reviewed)}/gradebook/{log.id}"
    detail = client.get(detail_url).get_data(as_text=True)
    assert "learner1" in listed and "learner2" not in listed and "Regrade requested" in listed
    assert "missed my measurement table" in detail and "Send the answer" in detail

    answered = client.submit(
        f"{detail_url}/regrade/{request.id}",
        {"answer-answer": "You are right: the table is there.", "answer-points": "8"},
    )
    twice = client.submit(
        f"{detail_url}/regrade/{request.id}", {"answer-answer": "Once more.", "answer-points": ""}
    )

    assert answered.status_code == 302
    assert twice.status_code == 409
    db.session.refresh(request)
    assert request.answer == "You are right: the table is there."
    assert request.answered_by_id == reviewed.maintainer.id
    override = db.session.scalar(select(GradeOverride))
    assert override is not None and request.override_id == override.id
    assert override.points == Decimal("8.00") and override.reason == request.answer
    notices = db.session.scalars(select(Notification)).all()
    assert [(n.user_id, n.kind) for n in notices] == [
        (author.id, NoticeKind.REGRADE_ANSWERED.value)
    ]
    assert json.loads(notices[0].params) == {"assignment": "Gas production test"}
    assert notices[0].url == f"{_base(reviewed)}/feedback"

    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login(author)
    page = client.get(f"{_base(reviewed)}/regrade").get_data(as_text=True)
    assert "the table is there" in page and "Your grade was changed" in page
    # Answered: the author may ask again.
    assert "Ask for a regrade" in page


def test_answer_without_a_grade_keeps_the_grade(
    reviewed: ReviewClass, client: Any, login: Login
) -> None:
    author = reviewed.learners[1]
    log = reviewed.logs[author.id]
    request = regrades.request_regrade(author, log, "Please look again.")
    db.session.commit()
    login(reviewed.maintainer)

    response = client.submit(
        f"{_base(reviewed)}/gradebook/{log.id}/regrade/{request.id}",
        {"answer-answer": "The reviews are fair.", "answer-points": ""},
    )

    assert response.status_code == 302
    assert db.session.scalar(select(GradeOverride.id)) is None
    db.session.refresh(request)
    assert request.answered_at is not None and request.override_id is None
    assert db.session.scalar(select(Notification.user_id)) == author.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer-answer": "", "answer-points": ""}, "Write an answer for the author."),
        ({"answer-answer": "Sure.", "answer-points": "12"}, "Enter between 0 and 10 points."),
    ],
)
def test_answer_errors_are_422_and_change_nothing(
    reviewed: ReviewClass, client: Any, login: Login, data: dict[str, str], message: str
) -> None:
    author = reviewed.learners[0]
    log = reviewed.logs[author.id]
    request = regrades.request_regrade(author, log, "Please look again.")
    db.session.commit()
    login(reviewed.maintainer)

    response = client.submit(f"{_base(reviewed)}/gradebook/{log.id}/regrade/{request.id}", data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(request)
    assert request.answered_at is None
    assert db.session.scalar(select(Notification.id)) is None


def test_no_regrade_without_a_grade(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(2)
    author = klass.learners[0]
    login(author)

    response = client.submit(f"{_base(klass)}/regrade", {"reason": "Why no grade?"})

    assert response.status_code == 409
    assert "no grade yet" in response.get_data(as_text=True)
    assert db.session.scalar(select(RegradeRequest.id)) is None


def test_no_regrade_before_giving_the_reviews_that_show_the_grade(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(3, grading="median")
    a, b, c = klass.learners
    seed_review(klass.logs[a.id], b, {"build": 2, "docs": 2})
    seed_review(klass.logs[a.id], c, {"build": 2, "docs": 2})
    login(a)  # graded, but gave no review yet

    response = client.submit(f"{_base(klass)}/regrade", {"reason": "Look again."})
    page = client.get(f"{_base(klass)}/regrade")

    assert response.status_code == 409
    assert "Give the reviews this assignment asks of you first" in response.get_data(as_text=True)
    assert page.status_code == 200 and 'name="reason"' not in page.get_data(as_text=True)


def test_a_regrade_needs_a_reason(reviewed: ReviewClass, client: Any, login: Login) -> None:
    login(reviewed.learners[0])

    response = client.submit(f"{_base(reviewed)}/regrade", {"reason": "  "})

    assert response.status_code == 422
    assert "Say why the grade should be looked at again." in response.get_data(as_text=True)
    assert db.session.scalar(select(RegradeRequest.id)) is None


def test_only_the_author_asks_for_their_own_log(
    reviewed: ReviewClass, client: Any, login: Login, create_user: Callable[..., Any]
) -> None:
    author, other, _third = reviewed.learners
    with pytest.raises(regrades.RegradeRefused) as refused:
        regrades.request_regrade(other, reviewed.logs[author.id], "Theirs is wrong.")
    assert refused.value.code == "not_author"
    db.session.rollback()

    login(create_user("visitor"))  # no build log of their own
    response = client.submit(f"{_base(reviewed)}/regrade", {"reason": "Mine?"})

    assert response.status_code == 404
    assert db.session.scalar(select(RegradeRequest.id)) is None


def test_unsafe_next_falls_back_to_the_regrade_page(
    reviewed: ReviewClass, client: Any, login: Login
) -> None:
    login(reviewed.learners[0])

    response = client.submit(
        f"{_base(reviewed)}/regrade", {"reason": "Look again.", "next": "//evil.example/x"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_base(reviewed)}/regrade")


def test_regrade_partial_shows_the_open_request(
    reviewed: ReviewClass, client: Any, login: Login
) -> None:
    author = reviewed.learners[0]
    regrades.request_regrade(author, reviewed.logs[author.id], "My table <b>was</b> there.")
    db.session.commit()
    login(author)

    html = client.get(f"{_base(reviewed)}/regrade").get_data(as_text=True)

    assert "My table &lt;b&gt;was&lt;/b&gt; there." in html
    assert "A maintainer will look at your grade again" in html
    assert 'name="reason"' not in html  # one open request at a time


def test_answer_of_another_log_s_request_is_not_found(
    reviewed: ReviewClass, client: Any, login: Login
) -> None:
    a, b, _c = reviewed.learners
    request = regrades.request_regrade(a, reviewed.logs[a.id], "Please.")
    db.session.commit()
    login(reviewed.maintainer)

    response = client.submit(
        f"{_base(reviewed)}/gradebook/{reviewed.logs[b.id].id}/regrade/{request.id}",
        {"answer-answer": "Hm."},
    )

    assert response.status_code == 404
