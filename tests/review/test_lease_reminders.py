"""Reminders of review leases running out, made by ``flask peerlearn notify``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import BuildLog, Submission
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.notifications import Notification, params_of
from peerlearn.review.models import Review, ReviewKind, ReviewState
from peerlearn.review.notifications import NoticeKind
from tests.fixtures.notices import add_notices, notices_of


def lease(reviewer: User, log: BuildLog, expires_in: timedelta, state: str = "leased") -> Review:
    submission = db.session.scalar(
        select(Submission).where(Submission.log_id == log.id).order_by(Submission.version.desc())
    )
    assert submission is not None
    review = Review(
        assignment_id=log.assignment_id,
        log_id=log.id,
        submission_id=submission.id,
        reviewer_id=reviewer.id,
        kind=ReviewKind.PEER.value,
        state=state,
        leased_at=utcnow() - timedelta(hours=7),
        lease_expires_at=utcnow() + expires_in,
    )
    db.session.add(review)
    db.session.commit()
    return review


def test_cli_reminds_expiring_leases_once_and_sends_pending_notices(review_class, runner, smtp):
    klass = review_class(4, title="Gas production test")
    one, two, three, four = klass.learners
    logs = [klass.logs[learner.id] for learner in klass.learners]
    soon = lease(one, logs[1], timedelta(minutes=30))
    lease(two, logs[2], timedelta(hours=3))  # not yet
    lease(three, logs[3], timedelta(minutes=-5))  # already over: the allocator's job
    lease(four, logs[0], timedelta(minutes=20), state=ReviewState.SUBMITTED.value)
    [pending] = add_notices(klass.maintainer, 1)

    result = runner.invoke(args=["peerlearn", "notify"])
    assert result.exit_code == 0, result.output
    assert "1 lease reminders created; 2 notices sent" in result.output
    [reminder] = notices_of(one)
    assert reminder.kind == NoticeKind.LEASE_EXPIRING
    assert params_of(reminder) == {
        "assignment": "Gas production test", "hours": 1, "review": soon.id
    }  # fmt: skip
    assert reminder.url == f"/reviews/{soon.id}"
    assert reminder.sent_at is not None
    assert db.session.get(Notification, pending.id).sent_at is not None
    assert notices_of(two) == notices_of(three) == notices_of(four) == []
    assert sorted(e["To"] for e in smtp.sent) == ["learner1@example.org", "maintainer@example.org"]
    reminder_email = next(e for e in smtp.sent if e["To"] == "learner1@example.org")
    assert "Your review for “Gas production test” expires in 1 hour." in reminder_email["Subject"]

    again = runner.invoke(args=["peerlearn", "notify"])
    assert again.exit_code == 0, again.output
    assert "0 lease reminders created; 0 notices sent" in again.output
    assert len(notices_of(one)) == 1 and len(smtp.sent) == 2


def test_a_review_leased_again_gets_a_reminder_for_its_new_lease(review_class, runner, no_smtp):
    klass = review_class(2)
    one, two = klass.learners
    review = lease(one, klass.logs[two.id], timedelta(minutes=30))
    assert runner.invoke(args=["peerlearn", "notify"]).exit_code == 0
    assert runner.invoke(args=["peerlearn", "notify"]).exit_code == 0
    assert len(notices_of(one)) == 1
    review.leased_at = utcnow() + timedelta(seconds=1)  # handed out again later
    review.lease_expires_at = utcnow() + timedelta(minutes=50)
    db.session.commit()
    result = runner.invoke(args=["peerlearn", "notify"])
    assert "1 lease reminders created" in result.output
    assert len(notices_of(one)) == 2
