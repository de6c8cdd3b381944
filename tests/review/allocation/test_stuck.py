"""Stuck submissions: the maintainers' waiting list, "review it myself" and lowering what
one build log needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.models import RequirementChange, Review, ReviewQueue


def set_queue(log, **values) -> None:
    row = db.session.get(ReviewQueue, log.id)
    for key, value in values.items():
        setattr(row, key, value)
    if "completed" in values or "leased" in values:
        row.load = row.completed + row.leased
    db.session.commit()


def base(rc) -> str:
    return f"/courses/{rc.course.slug}/a/{rc.assignment.slug}"


@pytest.fixture
def stuck_class(review_class, login):
    def make(n=3, **settings):
        rc = review_class(n, **settings)
        login(rc.maintainer)
        return rc

    return make


def test_the_waiting_list_shows_the_oldest_first_with_their_counts(client, stuck_class):
    rc = stuck_class(3, must_be_reviewed=3)
    first, second, third = (rc.logs[learner.id] for learner in rc.learners)
    now = utcnow()
    set_queue(first, first_submitted_at=now - timedelta(days=2), completed=1, leased=1)
    set_queue(second, first_submitted_at=now - timedelta(days=5))
    set_queue(third, first_submitted_at=now - timedelta(days=1), completed=3)

    response = client.get(base(rc) + "/waiting")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("learner2") < page.index("learner1")
    assert "learner3" not in page  # it has all three reviews
    assert "5 days" in page and "2 days" in page
    assert "1 of 3" in page and "0 of 3" in page
    assert "2 submitted build logs have fewer reviews than they need" in page
    assert "The flexible rule is off" in page
    assert "Review it myself" in page and "Lower the requirement for this one" in page


def test_the_flexible_rule_is_explained_and_applied(client, stuck_class):
    rc = stuck_class(3, must_be_reviewed=3, flexible_after_days=3)
    old, young, _ = (rc.logs[learner.id] for learner in rc.learners)
    now = utcnow()
    set_queue(old, first_submitted_at=now - timedelta(days=4), completed=1)
    set_queue(young, first_submitted_at=now - timedelta(days=1), completed=1)

    page = client.get(base(rc) + "/waiting").get_data(as_text=True)

    assert "The flexible rule is on" in page
    assert "waited 3 days, it needs only 1 of its 3 reviews" in page
    assert "learner2" in page  # waited one day: still needs three
    assert "learner1" not in page  # waited four days: one review is enough now


def test_the_waiting_list_costs_the_same_queries_for_3_or_12_logs(
    client, stuck_class, count_queries
):
    from tests.fixtures.review import submit_log

    rc = stuck_class(12, submitted=3)
    with count_queries() as small:
        assert client.get(base(rc) + "/waiting").status_code == 200

    for learner in rc.learners[3:]:
        rc.logs[learner.id] = submit_log(learner, rc.assignment)
    db.session.commit()
    for log in list(rc.logs.values())[:5]:
        db.session.add(RequirementChange(log_id=log.id, required=2, reason="slow class"))
    db.session.commit()
    with count_queries() as large:
        page = client.get(base(rc) + "/waiting")

    assert page.status_code == 200
    assert page.get_data(as_text=True).count('<tr id="log-') == 12
    assert large.count == small.count, large.statements


def test_only_maintainers_see_the_waiting_list(client, review_class, login):
    rc = review_class(2)
    login(rc.learners[0])
    assert client.get(base(rc) + "/waiting").status_code == 403
    assert (
        client.submit(base(rc) + f"/waiting/{rc.logs[rc.learners[1].id].id}/review").status_code
        == 403
    )
    client.submit("/logout")
    response = client.get(base(rc) + "/waiting")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_review_it_myself_leases_a_staff_review_once(client, stuck_class):
    rc = stuck_class(2)
    log = rc.logs[rc.learners[0].id]

    first = client.submit(base(rc) + f"/waiting/{log.id}/review")
    second = client.submit(base(rc) + f"/waiting/{log.id}/review")

    assert first.status_code == 302 and first.headers["Location"].startswith("/reviews/")
    assert second.headers["Location"] == first.headers["Location"]
    review = db.session.scalars(select(Review).where(Review.log_id == log.id)).one()
    assert (review.kind, review.state, review.reviewer_id) == ("staff", "leased", rc.maintainer.id)
    assert review.lease_expires_at is None
    assert db.session.get(ReviewQueue, log.id).leased == 1
    page = client.get(base(rc) + "/waiting").get_data(as_text=True)
    assert "Continue your review" in page


def test_a_maintainer_cannot_review_their_own_log(client, stuck_class):
    from tests.fixtures.review import submit_log

    rc = stuck_class(1)
    own = submit_log(rc.maintainer, rc.assignment)
    db.session.commit()

    response = client.submit(base(rc) + f"/waiting/{own.id}/review")

    assert response.status_code == 409
    assert "cannot review your own build log" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_lowering_the_requirement_is_recorded_and_takes_the_log_off_the_list(client, stuck_class):
    rc = stuck_class(2, must_be_reviewed=3)
    log = rc.logs[rc.learners[0].id]
    set_queue(log, completed=1)

    response = client.submit(
        base(rc) + f"/waiting/{log.id}/requirement", {"required": "1", "reason": "Late joiner"}
    )

    assert response.status_code == 302
    assert db.session.get(ReviewQueue, log.id).required == 1
    change = db.session.scalars(select(RequirementChange)).one()
    assert (change.log_id, change.required, change.reason) == (log.id, 1, "Late joiner")
    assert change.created_by_id == rc.maintainer.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "learner1&#39;s build log now needs 1 review." in page
    assert f'id="log-{log.id}"' not in page
    assert db.session.get(ReviewQueue, log.id).completed == 1  # nothing was lost


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"required": "0"}, "Enter a whole number of reviews from 1 to 3."),
        ({"required": "4"}, "Enter a whole number of reviews from 1 to 3."),
        ({"required": "3"}, "already needs that many reviews"),
        ({"required": "two"}, "Not a valid integer value."),
        ({}, "Enter how many reviews this build log needs."),
        ({"required": "2", "reason": "x" * 2001}, "Use at most 2000 characters."),
    ],
)
def test_a_bad_requirement_is_refused_and_changes_nothing(client, stuck_class, data, message):
    rc = stuck_class(2, must_be_reviewed=3)
    log = rc.logs[rc.learners[0].id]

    response = client.submit(base(rc) + f"/waiting/{log.id}/requirement", data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="log-{log.id}"' in page
    assert db.session.get(ReviewQueue, log.id).required == 3
    assert db.session.scalar(select(func.count(RequirementChange.id))) == 0


def test_lowering_a_log_of_another_assignment_is_not_found(client, stuck_class, create_assignment):
    rc = stuck_class(2)
    other = create_assignment(rc.course)
    log = rc.logs[rc.learners[0].id]
    url = f"/courses/{rc.course.slug}/a/{other.slug}/waiting/{log.id}/requirement"
    assert client.submit(url, {"required": "1"}).status_code == 404
    assert client.submit(base(rc) + "/waiting/999999/review").status_code == 404


def test_a_learner_cannot_lower_a_requirement(client, review_class, login):
    rc = review_class(2, must_be_reviewed=3)
    log = rc.logs[rc.learners[1].id]
    login(rc.learners[0])
    response = client.submit(base(rc) + f"/waiting/{log.id}/requirement", {"required": "1"})
    assert response.status_code == 403
    assert db.session.get(ReviewQueue, log.id).required == 3


def test_a_staff_review_written_in_the_review_form_counts_for_the_log(client, stuck_class):
    rc = stuck_class(2, must_be_reviewed=1)
    log = rc.logs[rc.learners[0].id]
    review_url = client.submit(base(rc) + f"/waiting/{log.id}/review").headers["Location"]

    response = client.submit(
        review_url,
        {"level-build": "2", "overall": "Solid work, well documented.", "action": "submit"},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(base(rc) + "/waiting")
    assert db.session.get(ReviewQueue, log.id).completed == 1
    page = client.get(base(rc) + "/waiting").get_data(as_text=True)
    assert f'id="log-{log.id}"' not in page


def test_pages_that_do_not_exist_are_404(client, stuck_class):
    rc = stuck_class(2)
    assert client.get(base(rc) + "/waiting?page=0").status_code == 404
    assert client.get(base(rc) + "/waiting?page=2").status_code == 404
    assert client.get(base(rc) + "/waiting?page=x").status_code == 200  # read as page 1
    assert client.get(f"/courses/{rc.course.slug}/a/nope/waiting").status_code == 404
    assert client.get("/courses/nope/a/nope/waiting").status_code == 404
