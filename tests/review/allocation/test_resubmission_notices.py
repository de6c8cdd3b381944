"""Revise and resubmit: a new version after feedback is announced to its earlier
reviewers (and to nobody else), who are the first to review it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.notifications import Notification, message
from peerlearn.notifications.models import Channel, NotificationOptOut
from peerlearn.review.allocation import queue, queue_counts
from peerlearn.review.allocation.allocation import Pool
from peerlearn.review.models import Review
from peerlearn.review.reviewing.reviewing import ScoreInput, submit_review
from tests.fixtures.review import submit_log
from tests.review.allocation.test_resubmission import configure

WAITING = "resubmission_waiting"


def review_of(app, reviewer, assignment, author_id):
    """``reviewer`` reviews ``author_id``'s log (their pool confined to it)."""
    with app.test_request_context():
        pool = Pool(preferred=frozenset({author_id}), outside=False)
        review = queue.request_review(reviewer, assignment, pool=pool)
        scores = {"build": ScoreInput(0, "Show the trench.")}
        submit_review(reviewer, review, scores, "Please show the trench next time.")
        db.session.commit()
    return review


def resubmit(app, author, assignment):
    with app.test_request_context():
        submit_log(author, assignment, title="Digester, with the trench shown")
        db.session.commit()


def notices(app):
    with app.test_request_context():
        return {
            (n.user_id, message(n)): n.url
            for n in db.session.scalars(select(Notification).where(Notification.kind == WAITING))
        }


def test_earlier_reviewers_hear_of_a_new_version_and_nobody_else(app, review_class):
    rc = review_class(5, must_review=3, must_be_reviewed=3, grading="mean")
    configure(rc.assignment, resubmission=True)
    author, earlier, opted_out, locked, outsider = rc.learners
    for reviewer in (earlier, opted_out, locked):
        review_of(app, reviewer, rc.assignment, author.id)
    db.session.add(NotificationOptOut(user_id=opted_out.id, kind=WAITING, channel=Channel.ALL))
    locked.locked_at = utcnow()
    db.session.commit()

    resubmit(app, author, rc.assignment)

    sent = notices(app)
    # Not the author, not a classmate who never reviewed it, not one who turned these
    # notices off, not a locked account.
    assert [user_id for user_id, _text in sent] == [earlier.id]
    assert outsider.id not in {user_id for user_id, _text in sent}
    ((text, url),) = [(text, url) for (_u, text), url in sent.items()]
    assert rc.assignment.slug in url
    assert "has a new version waiting for your review" in text
    assert author.username not in text  # double-blind: the assignment only

    with app.test_request_context():  # asking hands them the new version
        review = queue.request_review(earlier, rc.assignment)
        assert (review.log_id, review.submission.version) == (rc.logs[author.id].id, 2)


def test_without_the_setting_a_new_version_announces_nothing(app, review_class):
    rc = review_class(2, must_review=1, must_be_reviewed=1, grading="mean")
    author, reviewer = rc.learners
    review_of(app, reviewer, rc.assignment, author.id)
    resubmit(app, author, rc.assignment)  # resubmission is off: one round, no notice
    assert notices(app) == {}


def test_a_version_before_any_feedback_announces_nothing(app, review_class):
    rc = review_class(2, must_review=1, must_be_reviewed=1, grading="mean")
    configure(rc.assignment, resubmission=True)
    resubmit(app, rc.learners[0], rc.assignment)  # no feedback yet: the round goes on
    assert notices(app) == {}


def held_class(app, review_class):
    """A log reviewed once (version 1), then resubmitted after that feedback: its new
    round needs one review, which is the last needed one."""
    rc = review_class(3, must_review=1, must_be_reviewed=1, grading="mean")
    configure(rc.assignment, resubmission=True)
    author, earlier, stranger = rc.learners
    review_of(app, earlier, rc.assignment, author.id)
    resubmit(app, author, rc.assignment)
    return rc, author, earlier, stranger


def ask(app, reviewer, rc, author, now=None):
    """``reviewer`` asks for a review of ``author``'s log (their pool confined to it)."""
    with app.test_request_context():
        pool = Pool(preferred=frozenset({author.id}), outside=False)
        try:
            review = queue.request_review(reviewer, rc.assignment, now=now, pool=pool)
        except queue.ReviewRefused as refused:
            db.session.rollback()
            return refused.code
        db.session.commit()
        return review.log_id, review.submission.version


def test_the_new_rounds_last_review_waits_for_an_earlier_reviewer(app, review_class):
    rc, author, earlier, stranger = held_class(app, review_class)
    log_id = rc.logs[author.id].id
    assert ask(app, stranger, rc, author) == "nothing"  # held for the earlier reviewer
    assert ask(app, earlier, rc, author) == (log_id, 2)


def test_after_the_window_anyone_may_take_it(app, review_class):
    rc, author, _earlier, stranger = held_class(app, review_class)
    later = utcnow() + timedelta(hours=app.config["RESUBMISSION_HOLD_HOURS"] + 1)
    assert ask(app, stranger, rc, author, now=later) == (rc.logs[author.id].id, 2)


def test_nothing_is_held_when_no_earlier_reviewer_can_come(app, review_class):
    rc, author, earlier, stranger = held_class(app, review_class)
    earlier.locked_at = utcnow()
    db.session.commit()
    assert ask(app, stranger, rc, author) == (rc.logs[author.id].id, 2)


def test_a_reviewer_of_the_latest_version_is_not_handed_it_again(app, review_class):
    """Whether the asker reviewed a log's latest version is read for that log, even when
    another log of the class has more versions."""
    rc = review_class(3, must_review=2, must_be_reviewed=2, grading="mean")
    configure(rc.assignment, resubmission=True)
    author, reviewer, busy = rc.learners
    review_of(app, reviewer, rc.assignment, author.id)
    resubmit(app, author, rc.assignment)
    assert ask(app, reviewer, rc, author) == (rc.logs[author.id].id, 2)
    with app.test_request_context():
        review = db.session.scalars(
            select(Review).where(Review.reviewer_id == reviewer.id, Review.state == "leased")
        ).one()
        scores = {"build": ScoreInput(2, "Now it shows.")}
        submit_review(reviewer, review, scores, "The trench is shown now, thank you.")
        db.session.commit()
    for title in ("Busy, second try", "Busy, third try"):  # more versions than the author's
        with app.test_request_context():
            submit_log(busy, rc.assignment, title=title)
            db.session.commit()
    assert ask(app, reviewer, rc, author) == "nothing"


def test_nobody_is_told_after_the_review_deadline(app, review_class):
    rc = review_class(2, must_review=1, must_be_reviewed=1, grading="mean")
    configure(rc.assignment, resubmission=True)
    author, earlier = rc.learners
    review_of(app, earlier, rc.assignment, author.id)
    configure(rc.assignment, review_deadline=utcnow() - timedelta(hours=1))
    resubmit(app, author, rc.assignment)
    assert queue_counts.counts_of(rc.logs[author.id])[0] == 0  # a new round did start
    assert notices(app) == {}
