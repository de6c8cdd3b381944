"""Flags: an author reports a review they received; a maintainer discards or keeps it."""

from __future__ import annotations

import pytest
from flask import render_template
from sqlalchemy import func, select

from peerlearn.assignments.models import Submission
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.flags import flags
from peerlearn.review.models import Review, ReviewFlag, ReviewQueue, ReviewScore
from tests.review.allocation.test_stuck import base

REASON = "It only says that my photos are ugly."


def received_review(rc, author, reviewer, *, kind="peer", state="submitted") -> Review:
    """A review of ``author``'s log by ``reviewer``, counted in the queue like a real one."""
    log = rc.logs[author.id]
    submission = db.session.scalar(select(Submission).where(Submission.log_id == log.id))
    review = Review(
        assignment_id=rc.assignment.id,
        log_id=log.id,
        submission_id=submission.id,
        reviewer_id=reviewer.id,
        kind=kind,
        state=state,
        submitted_at=utcnow() if state == "submitted" else None,
        overall_comment="Your photos are ugly and so is the trench.",
    )
    review.scores.append(ReviewScore(criterion="build", points=0, comment="Bad framing."))
    db.session.add(review)
    if state == "submitted" and kind in ("peer", "staff"):
        row = db.session.get(ReviewQueue, log.id)
        row.completed += 1
        row.load += 1
    db.session.commit()
    return review


@pytest.fixture
def flagged_class(review_class):
    def make(**settings):
        rc = review_class(3, must_be_reviewed=1, **settings)
        author, reviewer = rc.learners[0], rc.learners[1]
        return rc, author, reviewer, received_review(rc, author, reviewer)

    return make


def flag(client, review, reason=REASON, **extra):
    return client.submit(f"/reviews/{review.id}/flag", {"reason": reason, **extra})


def flagged_for_maintainer(client, login, rc, author, review) -> ReviewFlag:
    """The author flags ``review`` and signs out; the maintainer signs in. The new flag."""
    login(author)
    flag(client, review)
    flag_row = db.session.scalars(select(ReviewFlag)).one()
    client.submit("/logout")
    login(rc.maintainer)
    return flag_row


def test_the_author_flags_a_review_once(client, login, flagged_class):
    rc, author, _reviewer, review = flagged_class()
    login(author)

    response = flag(client, review)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(base(rc) + f"/feedback#review-{review.id}")
    row = db.session.scalars(select(ReviewFlag)).one()
    assert (row.review_id, row.flagged_by_id, row.reason) == (review.id, author.id, REASON)
    assert row.resolved_at is None

    again = flag(client, review, "Again, louder.")
    assert again.status_code == 409
    assert "You have already reported this review" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ReviewFlag.id))) == 1


def test_the_flag_returns_to_the_page_it_came_from_but_never_elsewhere(
    client, login, flagged_class
):
    _rc, author, _reviewer, review = flagged_class()
    login(author)
    response = flag(client, review, next="https://evil.example/")
    assert response.headers["Location"].endswith(f"/feedback#review-{review.id}")


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say what is wrong with this review, so that a maintainer can judge it."),
        ("   ", "Say what is wrong with this review, so that a maintainer can judge it."),
        ("x" * 2001, "Use at most 2000 characters."),
    ],
)
def test_a_flag_without_a_usable_reason_is_refused(client, login, flagged_class, reason, message):
    _rc, author, _reviewer, review = flagged_class()
    login(author)

    response = flag(client, review, reason)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if len(reason) > 100:
        assert reason in page  # what was typed is kept
    assert db.session.scalar(select(func.count(ReviewFlag.id))) == 0


def test_only_the_author_flags_and_only_received_reviews(client, login, flagged_class, create_user):
    rc, author, reviewer, review = flagged_class()
    login(reviewer)
    assert flag(client, review).status_code == 403
    client.submit("/logout")
    login(rc.maintainer)
    assert flag(client, review).status_code == 403

    client.submit("/logout")
    login(author)
    leased = received_review(rc, author, rc.learners[2], state="leased")
    practice = received_review(rc, author, rc.learners[2], kind="calibration")
    assert flag(client, leased).status_code == 404
    assert flag(client, practice).status_code == 404
    assert client.submit("/reviews/999999/flag", {"reason": REASON}).status_code == 404
    assert db.session.scalar(select(func.count(ReviewFlag.id))) == 0


def test_maintainers_see_open_flags_with_the_review_and_the_reviewer(client, login, flagged_class):
    rc, author, reviewer, review = flagged_class()
    login(author)
    flag(client, review)
    client.submit("/logout")

    login(rc.learners[2])
    assert client.get(base(rc) + "/flags").status_code == 403
    client.submit("/logout")

    login(rc.maintainer)
    page = client.get(base(rc) + "/flags").get_data(as_text=True)
    assert "1 open report" in page
    assert REASON in page
    assert "Your photos are ugly and so is the trench." in page and "Bad framing." in page
    assert reviewer.username in page and author.username in page


def test_discarding_a_flagged_review_sends_the_log_back_to_the_pool(client, login, flagged_class):
    rc, author, _reviewer, review = flagged_class()
    flag_row = flagged_for_maintainer(client, login, rc, author, review)
    assert "learner1" not in client.get(base(rc) + "/waiting").get_data(as_text=True)

    response = client.submit(
        base(rc) + f"/flags/{flag_row.id}",
        {"decision": "discarded", "note": "Not a review of the work."},
    )

    assert response.status_code == 302
    db.session.refresh(flag_row)
    db.session.refresh(review)
    assert flag_row.resolution == "discarded" and flag_row.resolved_by_id == rc.maintainer.id
    assert flag_row.resolved_at is not None
    assert flag_row.resolution_note == "Not a review of the work."
    assert review.state == "discarded" and review.discarded_by_id == rc.maintainer.id
    assert review.overall_comment.startswith("Your photos")  # the text is kept
    assert db.session.get(ReviewQueue, review.log_id).completed == 0
    assert "learner1" in client.get(base(rc) + "/waiting").get_data(as_text=True)
    page = client.get(base(rc) + "/flags").get_data(as_text=True)
    assert "0 open reports" in page and "Discarded" in page


def test_keeping_a_flagged_review_keeps_it_counting(client, login, flagged_class):
    rc, author, _reviewer, review = flagged_class()
    flag_row = flagged_for_maintainer(client, login, rc, author, review)

    response = client.submit(
        base(rc) + f"/flags/{flag_row.id}", {"decision": "kept", "note": "Blunt but fair."}
    )

    assert response.status_code == 302
    db.session.refresh(flag_row)
    assert flag_row.resolution == "kept" and flag_row.resolution_note == "Blunt but fair."
    assert db.session.get(Review, review.id).state == "submitted"
    assert db.session.get(ReviewQueue, review.log_id).completed == 1

    again = client.submit(
        base(rc) + f"/flags/{flag_row.id}", {"decision": "discarded", "note": "Changed my mind"}
    )
    assert again.status_code == 409
    assert "already resolved" in again.get_data(as_text=True)
    assert db.session.get(Review, review.id).state == "submitted"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "Fine."}, "Choose whether to discard or keep the review."),
        ({"decision": "burn", "note": "Fine."}, "Choose whether to discard or keep the review."),
        ({"decision": "kept"}, "Write a short note: the author reads it with your decision."),
        ({"decision": "kept", "note": "x" * 2001}, "Use at most 2000 characters."),
    ],
)
def test_a_decision_without_its_parts_is_refused(client, login, flagged_class, data, message):
    rc, author, _reviewer, review = flagged_class()
    flag_row = flagged_for_maintainer(client, login, rc, author, review)

    response = client.submit(base(rc) + f"/flags/{flag_row.id}", data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(flag_row)
    assert flag_row.resolved_at is None and flag_row.resolution == ""
    assert db.session.get(Review, review.id).state == "submitted"


def test_flags_of_another_assignment_are_not_found(client, login, flagged_class, create_assignment):
    rc, author, _reviewer, review = flagged_class()
    flag_row = flagged_for_maintainer(client, login, rc, author, review)
    other = create_assignment(rc.course)
    url = f"/courses/{rc.course.slug}/a/{other.slug}/flags/{flag_row.id}"
    assert client.submit(url, {"decision": "kept", "note": "x"}).status_code == 404


def test_the_partial_shows_the_form_then_the_outcome(app, flagged_class):
    rc, author, _reviewer, review = flagged_class()

    def render(flag_row):
        with app.test_request_context("/courses/x/a/y/feedback"):
            return render_template("review/_flag.html", review=review, flag=flag_row)

    assert "Report this review as inappropriate" in render(None)
    assert 'name="next" value="/courses/x/a/y/feedback#review-' in render(None)

    flag_row = flags.flag_review(author, review, REASON)
    db.session.commit()
    assert "You reported this review on" in render(flag_row)
    assert flags.flags_by_review([review.id, 12345]) == {review.id: flag_row}

    flags.resolve_flag(rc.maintainer, flag_row, flags.Resolution.KEPT, "Blunt but **fair**.")
    db.session.commit()
    kept = render(flag_row)
    assert "kept this review" in kept and "<strong>fair</strong>" in kept

    flag_row.resolution = "discarded"
    assert "discarded this review" in render(flag_row)


def test_the_partial_offers_no_form_for_reviews_an_author_cannot_report(app, flagged_class):
    rc, author, _reviewer, _review = flagged_class()
    leased = received_review(rc, author, rc.learners[2], state="leased")
    with app.test_request_context("/"):
        html = render_template("review/_flag.html", review=leased, flag=None)
    assert "Report this review" not in html


def test_the_partial_finds_its_flag_in_a_page_wide_dict(app, flagged_class):
    _rc, author, _reviewer, review = flagged_class()
    flags.flag_review(author, review, REASON)
    db.session.commit()
    with app.test_request_context("/"):
        by_review = flags.flags_by_review([review.id])
        html = render_template("review/_flag.html", review=review, flags=by_review)
    assert "You reported this review on" in html


def test_the_flags_page_costs_the_same_queries_for_2_or_4_flags(
    client, login, review_class, count_queries
):
    rc = review_class(5, must_be_reviewed=1)
    authors, reviewers = rc.learners[:4], rc.learners[1:]
    reviews = [received_review(rc, a, r) for a, r in zip(authors, reviewers, strict=True)]

    def flag_and_resolve(open_one: int, resolved_one: int) -> None:
        flags.flag_review(authors[open_one], reviews[open_one], REASON)
        flagged = flags.flag_review(authors[resolved_one], reviews[resolved_one], REASON)
        flags.resolve_flag(rc.maintainer, flagged, flags.Resolution.KEPT, "Fair.")
        db.session.commit()

    flag_and_resolve(0, 1)
    login(rc.maintainer)
    with count_queries() as two:
        assert client.get(base(rc) + "/flags").status_code == 200
    flag_and_resolve(2, 3)
    with count_queries() as four:
        page = client.get(base(rc) + "/flags").get_data(as_text=True)

    assert "2 open reports" in page and page.count("Fair.") == 2
    assert four.count == two.count, four.statements
