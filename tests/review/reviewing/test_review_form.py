"""Writing a review as a learner would: ask for one, save a draft, fix what the form
says, submit once, and what the author then sees."""

from __future__ import annotations

from sqlalchemy import func, select

from peerlearn.extensions import db
from peerlearn.notifications import Notification
from peerlearn.review.models import Review, ReviewFeedback, ReviewScore

COMPLETE = {
    "level-build": "2",
    "comment-build": "Neat trench.",
    "overall": "Clear photos, good work.",
}


def _base(rc) -> str:
    return f"/courses/{rc.course.slug}/a/{rc.assignment.slug}"


def _ask(client, rc) -> int:
    response = client.submit(_base(rc) + "/reviews/next")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _switch(client, login, user) -> None:
    client.submit("/logout")
    login(user)


def test_a_learner_reviews_a_classmate_and_the_author_sees_reviewer_1(client, login, review_class):
    rc = review_class(3, must_review=1, must_be_reviewed=1)
    reviewer, author_of = rc.learners[0], {}
    login(reviewer)
    review_id = _ask(client, rc)
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Review a build log" in page and "Build quality" in page

    response = client.submit(f"/reviews/{review_id}", {**COMPLETE, "action": "submit"})

    assert response.status_code == 302
    review = db.session.get(Review, review_id)
    assert review.state == "submitted"
    author_of[review.log.user_id] = review.log
    author = next(u for u in rc.learners if u.id == review.log.user_id)
    _switch(client, login, author)
    received = client.get(_base(rc) + "/feedback").get_data(as_text=True)
    assert "Reviewer 1" in received and "Clear photos, good work." in received
    assert reviewer.username not in received
    notices = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == author.id)
    ).all()
    assert "review_received" in notices


def test_a_review_missing_a_level_is_refused_and_keeps_what_was_typed(client, login, review_class):
    rc = review_class(2)
    login(rc.learners[0])
    review_id = _ask(client, rc)

    response = client.submit(
        f"/reviews/{review_id}",
        {"comment-build": "Trench looks deep.", "overall": "A careful build.", "action": "submit"},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a level for this criterion." in page
    assert "Trench looks deep." in page and "A careful build." in page
    assert db.session.get(Review, review_id).state == "leased"
    reloaded = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Trench looks deep." in reloaded


def test_a_short_overall_comment_is_refused_with_a_message(client, login, review_class):
    rc = review_class(2)
    login(rc.learners[0])
    review_id = _ask(client, rc)
    response = client.submit(
        f"/reviews/{review_id}", {"level-build": "2", "overall": "ok", "action": "submit"}
    )
    assert response.status_code == 422
    assert "Write a few sentences for the author" in response.get_data(as_text=True)


def test_a_level_not_in_the_rubric_is_refused(client, login, review_class):
    rc = review_class(2)
    login(rc.learners[0])
    review_id = _ask(client, rc)
    response = client.submit(
        f"/reviews/{review_id}", {**COMPLETE, "level-build": "7", "action": "submit"}
    )
    assert response.status_code == 422
    assert "Choose one of the levels listed" in response.get_data(as_text=True)


def test_a_draft_is_saved_and_shown_again(client, login, review_class):
    rc = review_class(2)
    login(rc.learners[0])
    review_id = _ask(client, rc)
    response = client.submit(
        f"/reviews/{review_id}", {"level-build": "0", "overall": "Half done", "action": "save"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft saved." in page and "Half done" in page
    assert 'value="0" checked' in page


def test_a_review_submitted_twice_is_stored_once(client, login, review_class):
    rc = review_class(2, must_be_reviewed=1, must_review=1)
    login(rc.learners[0])
    review_id = _ask(client, rc)
    first = client.submit(f"/reviews/{review_id}", {**COMPLETE, "action": "submit"})
    second = client.submit(
        f"/reviews/{review_id}", {**COMPLETE, "overall": "Changed my mind!!", "action": "submit"}
    )
    assert first.status_code == second.status_code == 302
    review = db.session.get(Review, review_id)
    assert review.overall_comment == COMPLETE["overall"]
    assert db.session.scalar(select(func.count(ReviewScore.id))) == 1
    received = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == "review_received")
    )
    assert received == 1


def test_another_learner_cannot_open_or_write_my_review(client, login, review_class):
    rc = review_class(3)
    login(rc.learners[0])
    review_id = _ask(client, rc)
    _switch(client, login, rc.learners[1])
    assert client.get(f"/reviews/{review_id}").status_code == 403
    assert (
        client.submit(f"/reviews/{review_id}", {**COMPLETE, "action": "submit"}).status_code == 403
    )
    assert db.session.get(Review, review_id).state == "leased"


def test_asking_twice_returns_the_same_review(client, login, review_class):
    rc = review_class(4)
    login(rc.learners[0])
    assert _ask(client, rc) == _ask(client, rc)
    assert db.session.scalar(select(func.count(Review.id))) == 1


def test_a_learner_who_has_not_submitted_is_told_to_submit_first(client, login, review_class):
    rc = review_class(3, submitted=2)
    login(rc.learners[2])
    response = client.submit(_base(rc) + "/reviews/next")
    assert response.status_code == 409
    assert "Submit your own build log first" in response.get_data(as_text=True)


def test_the_grade_shows_only_after_giving_enough_reviews(client, login, review_class):
    rc = review_class(3, must_review=2, must_be_reviewed=1)
    me = rc.learners[0]
    login(me)
    for _ in range(2):
        review_id = _ask(client, rc)
        client.submit(f"/reviews/{review_id}", {**COMPLETE, "action": "submit"})
    # Someone reviews me.
    _switch(client, login, rc.learners[1])
    hidden = client.get(_base(rc) + "/feedback").get_data(as_text=True)
    assert "more review to see your grade" in hidden or "more reviews to see your grade" in hidden
    _switch(client, login, me)
    page = client.get(_base(rc) + "/feedback").get_data(as_text=True)
    assert "more reviews to see your grade" not in page


def test_the_author_rates_a_review_once_and_a_missing_rating_keeps_the_comment(
    client, login, review_class
):
    rc = review_class(2, must_review=1, must_be_reviewed=1)
    login(rc.learners[0])
    review_id = _ask(client, rc)
    client.submit(f"/reviews/{review_id}", {**COMPLETE, "action": "submit"})
    author = next(u for u in rc.learners if u.id == db.session.get(Review, review_id).log.user_id)
    _switch(client, login, author)

    missing = client.submit(f"/reviews/{review_id}/helpfulness", {"comment": "Useful tips"})
    assert missing.status_code == 422
    assert "Useful tips" in missing.get_data(as_text=True)
    assert (
        client.submit(
            f"/reviews/{review_id}/helpfulness", {"rating": "4", "comment": "Useful tips"}
        ).status_code
        == 302
    )
    client.submit(f"/reviews/{review_id}/helpfulness", {"rating": "1"})
    ratings = db.session.scalars(select(ReviewFeedback.rating)).all()
    assert ratings == [4]
    _switch(client, login, rc.learners[0])
    assert client.submit(f"/reviews/{review_id}/helpfulness", {"rating": "5"}).status_code == 403


def test_self_assessment_is_shown_beside_but_not_counted(client, login, review_class):
    rc = review_class(2, self_assessment=True, must_review=1, must_be_reviewed=1)
    me = rc.learners[0]
    login(me)
    response = client.submit(_base(rc) + "/self-assessment")
    assert response.status_code == 302
    self_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/reviews/{self_id}").get_data(as_text=True)
    assert "Assess your own build log" in page
    client.submit(f"/reviews/{self_id}", {**COMPLETE, "level-build": "0", "action": "submit"})
    assert db.session.get(Review, self_id).state == "submitted"
    # The self-assessment does not count as a review received.
    received = client.get(_base(rc) + "/feedback").get_data(as_text=True)
    assert "0 reviews received" in received
