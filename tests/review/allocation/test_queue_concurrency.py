"""Many reviewers asking at the same moment: nobody gets a log twice, no log gets more
reviewers than it needs while another still needs one, and the counts stay true.

Each thread runs in its own app context, so it has its own session and connection, and
commits its own work like a request would. The threads use a second app on the same
database whose pool holds a connection for every thread (the default pool of 5 + 10
would make the extra threads wait for a connection instead of racing). The ``db``
fixture empties the tables afterwards as usual.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from peerlearn import create_app
from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.extensions import db
from peerlearn.review.allocation import queue, queue_counts
from peerlearn.review.allocation.queue import ReviewRefused
from peerlearn.review.models import Review, ReviewQueue

THREADS = 24


@dataclass(frozen=True)
class Handed:
    reviewer_id: int
    log_id: int
    review_id: int
    extra: bool


@pytest.fixture
def threaded_app(app: Flask) -> Iterator[Flask]:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options: dict[str, Any] = {"pool_size": THREADS + 2, "max_overflow": 0}
    if url.startswith("sqlite"):
        # SQLite makes writers take turns, polling with sleeps of up to 100 ms; two dozen
        # at once can wait longer than pysqlite's default 5 s busy timeout on a slow box.
        options["connect_args"] = {"timeout": 60}
    other = create_app(
        {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )
    yield other
    with other.app_context():
        db.engine.dispose()  # no connection left to hold up the table cleanup


def at_once(app: Flask, assignment_id: int, reviewer_ids: list[int], complete_first: bool):
    """Every reviewer asks at the same moment (having submitted the review they hold first,
    if ``complete_first``); returns what each got."""
    barrier = threading.Barrier(len(reviewer_ids))
    handed: list[Handed] = []
    errors: list[BaseException] = []

    def work(reviewer_id: int) -> None:
        try:
            with app.app_context():
                reviewer = db.session.get(User, reviewer_id)
                assignment = db.session.get(Assignment, assignment_id)
                assert reviewer is not None and assignment is not None
                assignment.current  # noqa: B018  (loaded, like a view would)
                if complete_first:  # submitted in a request of its own, as in the views
                    for review in db.session.scalars(
                        select(Review).where(
                            Review.reviewer_id == reviewer_id, Review.state == "leased"
                        )
                    ):
                        queue.complete(review)
                    db.session.commit()
                    reviewer.id, assignment.current  # noqa: B018
                barrier.wait(timeout=60)
                review = queue.request_review(reviewer, assignment)
                got = Handed(reviewer_id, review.log_id, review.id, review.extra)
                db.session.commit()
                handed.append(got)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(rid,)) for rid in reviewer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reviewer is stuck"
    if errors:
        raise errors[0]
    return handed


def check_invariants(assignment: Assignment, handed: list[Handed]) -> None:
    db.session.expire_all()
    reviews = db.session.execute(
        select(Review.reviewer_id, Review.log_id, Review.state, Review.extra).where(
            Review.assignment_id == assignment.id
        )
    ).all()
    # no reviewer-log pair handed out twice
    pairs = Counter((r.reviewer_id, r.log_id) for r in reviews)
    assert max(pairs.values()) == 1
    # each reviewer holds at most one live lease
    live = Counter(r.reviewer_id for r in reviews if r.state == "leased")
    assert max(live.values(), default=0) <= 1
    # the queue's counts are the real counts
    rows = db.session.execute(
        select(ReviewQueue).where(ReviewQueue.assignment_id == assignment.id)
    ).scalars()
    queue_rows = {row.log_id: row for row in rows}
    for log_id, row in queue_rows.items():
        completed = sum(1 for r in reviews if r.log_id == log_id and r.state == "submitted")
        leased = sum(1 for r in reviews if r.log_id == log_id and r.state == "leased")
        assert (row.completed, row.leased, row.load) == (completed, leased, completed + leased)
    # never more than needed while a log the reviewer could take still needed one. Loads
    # only grow here (nothing expires), so a log still short now was short then too.
    author = {log_id: row.author_id for log_id, row in queue_rows.items()}
    reviewed = {(r.reviewer_id, r.log_id) for r in reviews}
    short = {log_id for log_id, row in queue_rows.items() if row.load < row.required}
    for got in handed:
        if got.extra:
            could = {
                log_id
                for log_id in short
                if author[log_id] != got.reviewer_id and (got.reviewer_id, log_id) not in reviewed
            }
            assert not could, f"reviewer {got.reviewer_id} got an extra while {could} needed one"
    # a review that is not extra was handed out while its log needed one, so no log has
    # more of them than it needs
    needed = Counter(r.log_id for r in reviews if not r.extra)
    assert all(needed[log_id] <= row.required for log_id, row in queue_rows.items())


def test_a_class_asking_at_once_is_served_fairly(review_class, threaded_app):
    rc = review_class(THREADS, must_be_reviewed=3, must_review=3)
    ids = [learner.id for learner in rc.learners]
    handed = []
    for round_ in range(3):
        got = at_once(threaded_app, rc.assignment.id, ids, complete_first=round_ > 0)
        assert len(got) == THREADS
        handed += got
        check_invariants(rc.assignment, handed)
    loads = db.session.scalars(select(ReviewQueue.load)).all()
    assert sum(loads) == 3 * THREADS
    assert sum(1 for got in handed if got.extra) <= 2  # only a reviewer left with no choice


def test_scarce_logs_go_to_one_reviewer_each(review_class, threaded_app):
    """Every log needs one review and everyone asks at once: the crowd fights for the head
    of the queue, yet each log is leased once and extras only go to those left without."""
    rc = review_class(THREADS, must_be_reviewed=1, must_review=1)
    handed = at_once(threaded_app, rc.assignment.id, [u.id for u in rc.learners], False)
    check_invariants(rc.assignment, handed)
    assert sum(1 for got in handed if not got.extra) >= THREADS - 1


def test_the_last_needed_logs_go_to_one_reviewer_each(review_class, threaded_app):
    """All but three logs already have their review; two dozen reviewers ask at once. The
    three go to three of them, everyone else waits for those locks and gets an extra."""
    rc = review_class(THREADS, must_be_reviewed=1, must_review=1)
    for reviewer in rc.learners[:-3]:  # one after the other
        queue.complete(queue.request_review(reviewer, rc.assignment))
        db.session.commit()
    for reviewer in rc.learners[:-3]:  # done: they now hold nothing
        assert queue_counts.completed_by(reviewer, rc.assignment) == 1
    short = db.session.scalar(select(func.count()).where(ReviewQueue.load < 1))
    assert short == 3
    handed = at_once(threaded_app, rc.assignment.id, [u.id for u in rc.learners], False)
    check_invariants(rc.assignment, handed)
    assert sum(1 for got in handed if not got.extra) == 3


def test_one_reviewer_clicking_many_times_gets_one_lease(review_class, threaded_app):
    rc = review_class(4)
    reviewer = rc.learners[0]
    handed = at_once(threaded_app, rc.assignment.id, [reviewer.id] * 20, False)
    assert len({got.review_id for got in handed}) == 1
    check_invariants(rc.assignment, handed)
    assert db.session.scalar(select(func.sum(ReviewQueue.load))) == 1


def test_a_refusal_leaves_nothing_behind(review_class, threaded_app):
    rc = review_class(2, submitted=1)
    with pytest.raises(ReviewRefused):
        at_once(threaded_app, rc.assignment.id, [rc.learners[1].id], False)
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_a_circle_asking_at_once_stays_inside_and_fair(review_class, threaded_app):
    """Half the class is a learning circle (review inside it first): everyone asks at once,
    three rounds. The same guarantees hold, and in the first round, when every circle log
    still has slots to spare, every member gets one of their circle's logs."""
    from datetime import date

    from peerlearn.circles.models import Circle, CircleMember

    rc = review_class(THREADS, must_be_reviewed=3, must_review=3)
    members = rc.learners[: THREADS // 2]
    circle = Circle(course_id=rc.course.id, name="Library", language="sw",
                    starts_on=date.today(), invite_code="race", created_by_id=members[0].id,
                    review_min_pool=4, review_fallback=True)  # fmt: skip
    db.session.add(circle)
    db.session.flush()
    db.session.add_all(CircleMember(circle_id=circle.id, user_id=u.id, role="learner")
                       for u in members)  # fmt: skip
    db.session.commit()
    inside = {u.id for u in members}
    ids = [learner.id for learner in rc.learners]
    handed = []
    for round_ in range(3):
        got = at_once(threaded_app, rc.assignment.id, ids, complete_first=round_ > 0)
        assert len(got) == THREADS
        handed += got
        check_invariants(rc.assignment, handed)
    db.session.expire_all()
    author = dict(db.session.execute(select(ReviewQueue.log_id, ReviewQueue.author_id)).all())
    first_round = handed[:THREADS]
    # 12 circle logs x 3 slots = 36 >= 24 askers: a member never has to go outside
    assert all(author[got.log_id] in inside for got in first_round if got.reviewer_id in inside)
    assert not any(got.extra for got in first_round)
    assert sum(db.session.scalars(select(ReviewQueue.load))) == 3 * THREADS
