"""The peer-review pull queue: who gets which build log, and what the counts say."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from peerlearn.assignments.models import Submission
from peerlearn.catalog.models import Enrolment
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.allocation import queue, queue_counts
from peerlearn.review.allocation.allocation import (
    UNKNOWN,
    Candidate,
    choose,
    effective_required,
    flexible_minimum,
)
from peerlearn.review.allocation.queue import ReviewRefused, request_review
from peerlearn.review.models import Review, ReviewQueue, ReviewScore
from tests.fixtures.review import submit_log

HOURS = timedelta(hours=1)
DAYS = timedelta(days=1)


def author_of(rc, review):
    return next(
        user
        for user in rc.learners
        if rc.logs.get(user.id) and rc.logs[user.id].id == review.log_id
    )


def give(rc, reviewer, *, now=None):
    """``reviewer`` asks for a review and submits it; returns the review."""
    review = request_review(reviewer, rc.assignment, now=now)
    queue.complete(review, now=now)
    db.session.commit()
    return review


def counts(rc, learner, now=None):
    return queue_counts.counts_of(rc.logs[learner.id], now=now)


# --- the pure rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("must", "floor"), [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (7, 3), (10, 3), (11, 4), (20, 6)]
)
def test_flexible_minimum_is_30_percent_rounded_up_and_at_least_one(must, floor):
    assert flexible_minimum(must) == floor


def test_effective_required_lowers_only_after_the_wait_and_never_raises():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    kw = {"must_be_reviewed": 5, "flexible_after_days": 7}
    assert effective_required(5, start, now=start + 6 * DAYS, **kw) == 5
    assert effective_required(5, start, now=start + 7 * DAYS, **kw) == 2
    assert effective_required(1, start, now=start + 8 * DAYS, **kw) == 1
    assert effective_required(5, start, now=start + 99 * DAYS, must_be_reviewed=5,
                              flexible_after_days=None) == 5  # fmt: skip


def test_choose_prefers_needed_then_fewest_then_oldest_then_lowest_id():
    t = datetime(2026, 1, 1, tzinfo=UTC)

    def c(log_id, load, minutes, required=3, author=None, team=None):
        return Candidate(log_id, author or 100 + log_id, team, t + timedelta(minutes=minutes),
                         load, required)  # fmt: skip

    pool = [c(1, 2, 0), c(2, 1, 5), c(3, 1, 1), c(4, 0, 9, required=0), c(5, 1, 1)]
    assert choose(pool, reviewer_id=1) == (pool[2], False)  # load 1, oldest, lower id
    assert choose(pool, reviewer_id=1, excluded={3, 5}) == (pool[1], False)
    assert choose([c(1, 3, 0), c(2, 4, 0)], reviewer_id=9) == (c(1, 3, 0), True)
    assert choose([c(1, 0, 0, author=9)], reviewer_id=9) is None
    teammate, other = c(1, 0, 0, team="a"), c(2, 1, 0, team="b")
    assert choose([teammate, other], reviewer_id=9, reviewer_team="a") == (other, False)
    assert choose([teammate], reviewer_id=9, reviewer_team=None) == (teammate, False)


# --- submitting ----------------------------------------------------------------------------


def test_first_submit_queues_the_log_and_a_resubmit_keeps_its_place(review_class):
    rc = review_class(2, must_be_reviewed=2, must_review=2)
    first, second = rc.learners
    row = db.session.get(ReviewQueue, rc.logs[first.id].id)
    assert (row.required, row.completed, row.leased, row.load, row.team) == (2, 0, 0, 0, None)
    since = row.first_submitted_at
    log = rc.logs[first.id]
    log.title = "Digester, second try"
    submit_log(first, rc.assignment, title="Digester, second try")
    db.session.commit()
    row = db.session.get(ReviewQueue, log.id)
    assert row.first_submitted_at == since
    review = request_review(second, rc.assignment)
    latest = db.session.scalar(
        select(Submission).where(Submission.log_id == log.id).order_by(Submission.version.desc())
    )
    assert latest.version == 2 and review.submission_id == latest.id


def test_a_submit_and_its_queue_row_are_one_transaction(review_class):
    """Peer review queues the log from assignments' ``log_submitted`` signal, inside the
    submit: rolled back together, neither the new version nor the queue row stays."""
    rc = review_class(2, submitted=1)
    log = submit_log(rc.learners[1], rc.assignment)
    log_id = log.id
    assert db.session.get(ReviewQueue, log_id) is not None  # before any commit
    db.session.rollback()
    assert db.session.get(ReviewQueue, log_id) is None
    assert db.session.scalar(select(Submission).where(Submission.log_id == log_id)) is None


# --- allocation ----------------------------------------------------------------------------


def test_fewest_reviews_first_ties_to_the_oldest_submission(review_class):
    rc = review_class(4)
    l1, l2, l3, l4 = rc.learners
    assert give(rc, l4).log_id == rc.logs[l1.id].id  # all at 0: the oldest
    assert give(rc, l3).log_id == rc.logs[l2.id].id  # l1 has one now
    assert give(rc, l1).log_id == rc.logs[l3.id].id  # l4's is newer
    assert give(rc, l2).log_id == rc.logs[l4.id].id  # the only one at 0
    assert give(rc, l4).log_id == rc.logs[l2.id].id  # all at 1: the oldest it may review


def test_never_own_never_twice_then_nothing(review_class):
    rc = review_class(2)
    first, second = rc.learners
    assert give(rc, first).log_id == rc.logs[second.id].id
    with pytest.raises(ReviewRefused) as refused:
        request_review(first, rc.assignment)
    assert refused.value.code == "nothing"


def test_alone_there_is_nothing_to_review(review_class):
    rc = review_class(1)
    with pytest.raises(ReviewRefused) as refused:
        request_review(rc.learners[0], rc.assignment)
    assert refused.value.code == "nothing"


def test_a_live_lease_is_returned_again_instead_of_a_second_one(review_class):
    rc = review_class(3)
    first = request_review(rc.learners[0], rc.assignment)
    db.session.commit()
    assert request_review(rc.learners[0], rc.assignment, now=utcnow() + 7 * HOURS).id == first.id
    assert counts(rc, author_of(rc, first)) == (0, 1, 3)


def test_teammates_never_review_each_other(review_class):
    rc = review_class(3, submitted=0)
    for learner, team in zip(rc.learners, ("red", "red", "blue"), strict=True):
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
        enrolment.team = team
        rc.logs[learner.id] = submit_log(learner, rc.assignment)
    db.session.commit()
    l1, _l2, l3 = rc.learners
    assert give(rc, l1).log_id == rc.logs[l3.id].id  # l2's is older, but a teammate's
    assert give(rc, l3).log_id == rc.logs[l1.id].id  # blue may review red
    with pytest.raises(ReviewRefused):
        request_review(l1, rc.assignment)


def test_extra_review_when_every_log_has_enough(review_class):
    rc = review_class(3, must_be_reviewed=1, must_review=1)
    l1, l2, l3 = rc.learners
    assert [give(rc, u).extra for u in (l1, l3, l2)] == [False, False, False]
    extra = give(rc, l1)
    assert extra.extra and extra.log_id == rc.logs[l3.id].id
    assert counts(rc, l3) == (2, 0, 1)
    assert queue_counts.completed_by(l1, rc.assignment) == 2  # extras count for the reviewer


def test_late_submitter_is_reviewed_first(review_class):
    rc = review_class(4, submitted=3, must_be_reviewed=2, must_review=2)
    l1, l2, l3, late = rc.learners
    for reviewer in (l1, l2, l3, l1, l2, l3):
        give(rc, reviewer)
    assert all(counts(rc, u) == (2, 0, 2) for u in (l1, l2, l3))
    rc.logs[late.id] = submit_log(late, rc.assignment)
    db.session.commit()
    review = give(rc, l2)
    assert review.log_id == rc.logs[late.id].id and not review.extra


def test_an_expired_lease_returns_the_log_to_the_pool(review_class):
    rc = review_class(4, must_be_reviewed=1, must_review=1)
    l1, l2, l3, l4 = rc.learners
    t0 = utcnow()
    stale = request_review(l4, rc.assignment, now=t0)
    db.session.commit()
    assert stale.log_id == rc.logs[l1.id].id
    assert give(rc, l2, now=t0 + HOURS).log_id == rc.logs[l3.id].id  # l1's is taken
    taken = request_review(l3, rc.assignment, now=t0 + 9 * HOURS)
    db.session.commit()
    assert taken.log_id == rc.logs[l1.id].id and not taken.extra
    assert db.session.get(Review, stale.id).state == "expired"
    assert counts(rc, l1) == (0, 1, 1)


def test_expire_leases_counts_each_lease_once(review_class):
    rc = review_class(3)
    t0 = utcnow()
    for learner in rc.learners:
        request_review(learner, rc.assignment, now=t0)
    db.session.commit()
    assert queue.expire_leases(rc.assignment, t0 + 7 * HOURS) == 0
    assert queue.expire_leases(rc.assignment, t0 + 8 * HOURS) == 3
    assert queue.expire_leases(rc.assignment, t0 + 9 * HOURS) == 0
    assert all(c == (0, 0, 3) for c in queue_counts.counts_for(rc.assignment).values())


def test_the_lease_length_comes_from_the_config(app, review_class):
    rc = review_class(2)
    t0 = utcnow()
    app.config["REVIEW_LEASE_HOURS"] = 2
    try:
        review = request_review(rc.learners[0], rc.assignment, now=t0)
    finally:
        app.config["REVIEW_LEASE_HOURS"] = 8
    assert review.lease_expires_at == t0 + 2 * HOURS


def test_an_expired_draft_goes_back_to_its_reviewer_with_its_scores(review_class):
    rc = review_class(4)
    l1, l2, l3, l4 = rc.learners
    t0 = utcnow()
    draft = request_review(l1, rc.assignment, now=t0)
    assert draft.log_id == rc.logs[l2.id].id
    db.session.add(ReviewScore(review_id=draft.id, criterion="build", points=2, comment="Neat."))
    db.session.commit()
    assert give(rc, l3, now=t0 + 9 * HOURS).log_id == rc.logs[l1.id].id
    assert give(rc, l4, now=t0 + 9 * HOURS).log_id == rc.logs[l2.id].id  # back in the pool
    again = request_review(l1, rc.assignment, now=t0 + 10 * HOURS)
    db.session.commit()
    # l3's and l4's have fewer reviews, but the reviewer's own draft goes first
    assert again.id == draft.id and again.state == "leased"
    assert again.lease_expires_at == t0 + 18 * HOURS
    assert [(s.points, s.comment) for s in again.scores] == [(2, "Neat.")]
    assert counts(rc, l2) == (1, 1, 3)


# --- completing and discarding -------------------------------------------------------------


def test_complete_and_discard_keep_the_counts(review_class):
    rc = review_class(3)
    l1, l2, _l3 = rc.learners
    review = request_review(l1, rc.assignment)
    assert counts(rc, l2) == (0, 1, 3)
    queue.complete(review)
    queue.complete(review)  # a double submit counts once
    db.session.commit()
    assert review.state == "submitted" and review.submitted_at is not None
    assert counts(rc, l2) == (1, 0, 3)
    assert queue_counts.completed_by(l1, rc.assignment) == 1
    queue.discard(review, by=rc.maintainer, reason="Rude.")
    queue.discard(review, by=rc.maintainer, reason="Rude.")
    db.session.commit()
    assert (review.state, review.discarded_by_id, review.discard_reason) == (
        "discarded", rc.maintainer.id, "Rude.")  # fmt: skip
    assert counts(rc, l2) == (0, 0, 3)
    assert queue_counts.completed_by(l1, rc.assignment) == 0
    assert give(rc, l1).log_id != rc.logs[l2.id].id  # never the same log twice


def test_discarding_a_review_that_was_not_submitted_is_refused(review_class):
    rc = review_class(2)
    review = request_review(rc.learners[0], rc.assignment)
    with pytest.raises(ValueError):
        queue.discard(review, by=rc.maintainer, reason="?")


def test_a_late_submission_of_an_expired_lease_still_counts(review_class):
    rc = review_class(3)
    l1, l2, _l3 = rc.learners
    t0 = utcnow()
    review = request_review(l1, rc.assignment, now=t0)
    queue.expire_leases(rc.assignment, t0 + 9 * HOURS)
    assert counts(rc, l2) == (0, 0, 3)
    queue.complete(review, now=t0 + 10 * HOURS)
    db.session.commit()
    assert counts(rc, l2) == (1, 0, 3)


def test_staff_review_counts_as_leased_never_expires_and_completes(review_class):
    rc = review_class(2)
    log = rc.logs[rc.learners[0].id]
    staff = queue.assign_staff_review(rc.maintainer, log)
    assert queue.assign_staff_review(rc.maintainer, log).id == staff.id
    db.session.commit()
    assert (staff.kind, staff.state, staff.lease_expires_at) == ("staff", "leased", None)
    assert queue_counts.counts_of(log) == (0, 1, 3)
    assert queue.expire_leases(rc.assignment, utcnow() + 1000 * DAYS) == 0
    queue.complete(staff)
    db.session.commit()
    assert queue_counts.counts_of(log) == (1, 0, 3)
    assert queue_counts.completed_by(rc.maintainer, rc.assignment) == 0  # not a peer review


# --- refusals ------------------------------------------------------------------------------


def test_reviewer_must_have_submitted_first(review_class):
    rc = review_class(3, submitted=2)
    with pytest.raises(ReviewRefused) as refused:
        request_review(rc.learners[2], rc.assignment)
    assert refused.value.code == "not_submitted"


def test_no_review_after_the_review_deadline(review_class):
    rc = review_class(3, review_deadline="2090-01-01T12:00:00+00:00")
    deadline = datetime(2090, 1, 1, 12, tzinfo=UTC)
    assert request_review(rc.learners[0], rc.assignment, now=deadline - HOURS)
    with pytest.raises(ReviewRefused) as refused:
        request_review(rc.learners[1], rc.assignment, now=deadline)
    assert refused.value.code == "closed"


# --- requirements --------------------------------------------------------------------------


def test_flexible_rule_lowers_the_requirement_after_the_wait(review_class):
    rc = review_class(3, must_be_reviewed=3, must_review=3, flexible_after_days=7)
    l1, l2, l3 = rc.learners
    t0 = utcnow()
    for reviewer in (l2, l3, l1):
        give(rc, reviewer, now=t0)  # every log has one review
    assert counts(rc, l1, now=t0 + 6 * DAYS) == (1, 0, 3)
    assert queue_counts.required_of(rc.logs[l1.id], now=t0 + 8 * DAYS) == 1
    assert set(queue_counts.counts_for(rc.assignment, now=t0 + 8 * DAYS).values()) == {(1, 0, 1)}
    assert not request_review(l2, rc.assignment, now=t0 + 6 * DAYS).extra
    db.session.commit()
    assert request_review(l3, rc.assignment, now=t0 + 8 * DAYS).extra


def test_set_required_lowers_one_log(review_class):
    rc = review_class(3, flexible_after_days=7)
    l1, l2, l3 = rc.learners
    queue.set_required(rc.logs[l1.id], 0)
    assert queue_counts.required_of(rc.logs[l1.id]) == 0
    assert queue_counts.required_of(rc.logs[l1.id], now=utcnow() + 30 * DAYS) == 0  # not raised
    assert give(rc, l3).log_id == rc.logs[l2.id].id  # l1's is older but needs none
    with pytest.raises(ValueError):
        queue.set_required(rc.logs[l1.id], -1)


def test_counts_for_is_one_query_whatever_the_number_of_logs(review_class, count_queries):
    rc = review_class(6)
    rc.assignment.current  # noqa: B018  (the view has it loaded)
    with count_queries() as counter:
        all_counts = queue_counts.counts_for(rc.assignment)
    assert counter.count == 1
    assert all_counts == {log.id: (0, 0, 3) for log in rc.logs.values()}


def test_leases_expiring_lists_live_leases_running_out(review_class):
    rc = review_class(2)
    t0 = utcnow()
    review = request_review(rc.learners[0], rc.assignment, now=t0)
    db.session.commit()
    assert queue_counts.leases_expiring(t0 + 9 * HOURS, now=t0 + 7 * HOURS) == [review]
    assert queue_counts.leases_expiring(t0 + 7 * HOURS, now=t0 + 6 * HOURS) == []
    assert queue_counts.leases_expiring(t0 + 20 * HOURS, now=t0 + 9 * HOURS) == []  # already out


# --- cost and agreement with the pure rule -------------------------------------------------


def test_request_review_queries_do_not_grow_with_submissions(
    review_class, create_user, count_queries
):
    rc = review_class(3)

    def measured(reviewer):
        db.session.commit()  # every request starts like a fresh one
        reviewer.id, rc.assignment.current  # noqa: B018  (loaded by the view)
        with count_queries() as counter:
            request_review(reviewer, rc.assignment)
        db.session.commit()
        return counter.count

    few = measured(rc.learners[0])
    for i in range(15):
        learner = create_user(f"more{i}")
        db.session.add(Enrolment(user_id=learner.id, course_id=rc.course.id))
        submit_log(learner, rc.assignment)
    db.session.commit()
    many = measured(rc.learners[1])
    assert many == few
    assert few <= 10  # one of them asks for the reviewer's learning circle


def test_allocation_agrees_with_the_pure_rule(review_class):
    """Random reviewers ask, submit or walk away; every pick matches ``allocation.choose``."""
    rc = review_class(7, submitted=0, must_be_reviewed=2, must_review=2)
    teams = ["a", "a", None, "b", "b", None, "c"]
    for learner, team in zip(rc.learners, teams, strict=True):
        db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id)).team = team
        rc.logs[learner.id] = submit_log(learner, rc.assignment)
    db.session.commit()
    team_of = dict(zip((u.id for u in rc.learners), teams, strict=True))
    rows = {row.log_id: row for row in db.session.scalars(select(ReviewQueue))}
    rng = random.Random(5)
    t = utcnow()
    seen: Counter[str] = Counter()
    for _step in range(60):
        t += HOURS
        reviewer = rng.choice(rc.learners)
        queue.expire_leases(rc.assignment, t)
        live = db.session.scalar(select(Review).where(
            Review.reviewer_id == reviewer.id, Review.state == "leased"))  # fmt: skip
        if live is not None and live.lease_expires_at > t:
            continue
        reviews = db.session.execute(select(Review.log_id, Review.state).where(
            Review.reviewer_id == reviewer.id)).all()  # fmt: skip
        excluded = {log_id for log_id, state in reviews if state != "expired"}
        drafts = {log_id for log_id, state in reviews if state == "expired"}
        current = queue_counts.counts_for(rc.assignment, now=t)
        certain = dict(db.session.execute(select(ReviewQueue.log_id, ReviewQueue.certainty)).all())
        pool = [
            Candidate(log_id, rows[log_id].author_id, rows[log_id].team,
                      rows[log_id].first_submitted_at, c[0] + c[1], c[2],
                      UNKNOWN - certain[log_id])
            for log_id, c in current.items()
        ]  # fmt: skip
        expected = choose(pool, reviewer_id=reviewer.id, reviewer_team=team_of[reviewer.id],
                          excluded=excluded, drafts=drafts)  # fmt: skip
        try:
            review = request_review(reviewer, rc.assignment, now=t)
        except ReviewRefused:
            assert expected is None
            seen["refused"] += 1
            continue
        assert expected is not None
        assert (review.log_id, review.extra) == (expected[0].log_id, expected[1])
        seen.update(extra=review.extra, draft=review.log_id in drafts, needed=not review.extra)
        if rng.random() < 0.7:
            queue.complete(review, now=t)
        else:  # walks away: the lease will run out
            t += 9 * HOURS
        db.session.commit()
    assert all(seen[case] for case in ("refused", "extra", "draft", "needed")), seen
