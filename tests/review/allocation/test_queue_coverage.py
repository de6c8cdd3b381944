"""Whole classes through the SQL queue, in and out of a learning circle: every pick is the
pure rule's (``allocation.choose`` with the circle's pool and the stored certainty), and
every submission reaches its required reviews once everyone did their quota and the
invited ones gave one more. The pure rule's own property tests run over circles of 2 to
50 (``test_allocation_coverage.py``); these few classes run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from peerlearn.catalog.models import Enrolment
from peerlearn.circles.models import Circle, CircleMember
from peerlearn.extensions import db
from peerlearn.review.allocation import queue, queue_counts
from peerlearn.review.allocation.allocation import UNKNOWN, Candidate, choose, circle_pool
from peerlearn.review.allocation.invitations import waiting_for
from peerlearn.review.allocation.queue import ReviewRefused
from peerlearn.review.models import Review, ReviewQueue
from peerlearn.review.reviewing.reviewing import ScoreInput, submit_review
from tests.fixtures.review import submit_log

CLASSES = [
    # circle members, learners outside it, min_pool, fallback, arrival, seed
    pytest.param(0, 5, 4, True, "one after another", 1, id="no-circle-one-after-another"),
    pytest.param(5, 3, 4, True, "one after another", 2, id="circle-of-5-and-3-outside"),
    pytest.param(2, 4, 4, True, "shuffled", 3, id="circle-of-2-falls-back"),
    pytest.param(3, 2, 4, False, "one after another", 4, id="circle-of-3-no-fallback"),
    pytest.param(8, 0, 3, True, "all first", 5, id="circle-of-8-alone"),
]


def ask(app, reviewer, assignment, rng, course_state):
    """``reviewer`` asks for a review; the queue's pick is checked against the pure rule
    and then submitted with a score (so certainty varies). False if nothing came."""
    expected = expected_pick(reviewer, assignment, course_state)
    with app.test_request_context():
        try:
            review = queue.request_review(reviewer, assignment)
        except ReviewRefused:
            assert expected is None
            db.session.rollback()
            return False
        assert expected is not None
        assert (review.log_id, review.extra) == (expected[0].log_id, expected[1])
        submit_review(reviewer, review, {"build": ScoreInput(rng.choice([0, 2]), "Ok.")},
                      "Clear enough, thanks.")  # fmt: skip
        db.session.commit()
    return True


def expected_pick(reviewer, assignment, state):
    rows = db.session.scalars(
        select(ReviewQueue).where(ReviewQueue.assignment_id == assignment.id)
    ).all()
    mine = db.session.execute(
        select(Review.log_id, Review.state).where(Review.reviewer_id == reviewer.id)
    ).all()
    excluded = {log_id for log_id, st in mine if st != "expired"}
    pool = state["pool"](reviewer.id, [row.author_id for row in rows])
    candidates = [
        Candidate(row.log_id, row.author_id, row.team, row.first_submitted_at, row.load,
                  row.required, UNKNOWN - row.certainty)
        for row in rows
    ]  # fmt: skip
    return choose(candidates, reviewer_id=reviewer.id, excluded=excluded, pool=pool)


@pytest.mark.parametrize(("members", "outside", "min_pool", "fallback", "arrival", "seed"),
                         CLASSES)  # fmt: skip
def test_a_class_reaches_its_reviews_in_and_out_of_a_circle(
    app, review_class, members, outside, min_pool, fallback, arrival, seed
):
    rng = random.Random(seed)
    must = 2
    rc = review_class(members + outside, submitted=0, must_review=must, must_be_reviewed=must)
    circle_ids = frozenset(u.id for u in rc.learners[:members])
    if members:
        circle = Circle(course_id=rc.course.id, name="Village hall", language="es",
                        starts_on=date.today(), invite_code=f"code{seed}",
                        created_by_id=rc.learners[0].id, review_min_pool=min_pool,
                        review_fallback=fallback)  # fmt: skip
        db.session.add(circle)
        db.session.flush()
        for i, learner in enumerate(rc.learners[:members]):
            role = "facilitator" if i == 0 else "learner"
            db.session.add(CircleMember(circle_id=circle.id, user_id=learner.id, role=role))
        db.session.commit()

    def pool(reviewer_id, authors):
        if reviewer_id not in circle_ids:
            return circle_pool((), (), min_pool=0, fallback=True)  # the whole course
        return circle_pool(circle_ids, authors, min_pool=min_pool, fallback=fallback)

    state = {"pool": pool}
    order = list(rc.learners)
    if arrival == "shuffled":
        rng.shuffle(order)
    arrived = []

    def quota(learner):
        while queue_counts.completed_by(learner, rc.assignment) < must:
            if not ask(app, learner, rc.assignment, rng, state):
                return

    for learner in order:
        rc.logs[learner.id] = submit_log(learner, rc.assignment)
        db.session.commit()
        arrived.append(learner)
        if arrival != "all first":
            for present in arrived:
                quota(present)
    for learner in order:
        quota(learner)
    for _round in range(len(order) * must):  # the invited answer, one review each
        helpers = [u for u in order if queue_counts.completed_by(u, rc.assignment) >= must
                   and waiting_for(u, rc.assignment)]  # fmt: skip
        if not helpers:
            break
        assert ask(app, helpers[0], rc.assignment, rng, state)

    reviewers_of = {
        learner.id: sum(1 for other in order if other is not learner
                        and (pool(other.id, [u.id for u in order]).outside
                             or learner.id in (pool(other.id, [u.id for u in order]).preferred
                                               or ())))
        for learner in order
    }  # fmt: skip
    for learner in order:
        if reviewers_of[learner.id] >= must:
            assert queue_counts.counts_of(rc.logs[learner.id])[0] >= must, learner.username
    reviews = db.session.execute(
        select(Review.reviewer_id, Review.log_id, Review.invited, Review.extra)
    ).all()
    author_of = {log.id: user_id for user_id, log in rc.logs.items()}
    if members and not fallback:  # a circle without fallback never reviews outside
        for reviewer_id, log_id, _invited, _extra in reviews:
            if reviewer_id in circle_ids:
                assert author_of[log_id] in circle_ids
    if arrival == "one after another" and members + outside > must + 1:
        assert any(invited for *_r, invited, _e in reviews)  # the last needed helpers
    assert all(not (invited and extra) for *_r, invited, extra in reviews)
    db.session.execute(select(Enrolment))  # the class is still readable as a whole
