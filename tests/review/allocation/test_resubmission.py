"""Revise and resubmit, as learners and a maintainer live it: a version after feedback is
reviewed again (an earlier reviewer gets it first), the grade follows the latest graded
version, and every version keeps its reviews and grade."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select, update

from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_writer import dump_assignment
from peerlearn.content.revisions import add_revision
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.allocation import queue, queue_counts
from peerlearn.review.grading.grades import grade_of
from peerlearn.review.models import Review, ReviewQueue
from tests.fixtures.review import ReviewClass


def configure(assignment: Assignment, **settings: Any) -> None:
    """A new revision of the assignment with ``settings`` changed, as a maintainer saves."""
    spec = dataclasses.replace(spec_of(assignment), **settings)
    add_revision(assignment, dump_assignment(spec), author=None, kind="edit")
    db.session.commit()


def _base(rc: ReviewClass) -> str:
    return f"/courses/{rc.course.slug}/a/{rc.assignment.slug}"


def _ask(client: Any, rc: ReviewClass) -> Review:
    response = client.submit(_base(rc) + "/reviews/next")
    assert response.status_code == 302, response.get_data(as_text=True)
    review = db.session.get(Review, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert review is not None
    return review


def _review(client: Any, review: Review, points: int, comment: str) -> None:
    response = client.submit(
        f"/reviews/{review.id}",
        {
            "level-build": str(points),
            "comment-build": comment,
            "overall": comment,
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _as(client: Any, login: Any, user: Any) -> None:
    client.submit("/logout")
    login(user)


def test_a_resubmitted_log_is_reviewed_again_first_by_an_earlier_reviewer(
    client, login, review_class
):
    rc = review_class(3, must_review=1, must_be_reviewed=1, grading="mean")
    configure(rc.assignment, resubmission=True)
    author, earlier, _other = rc.learners
    log = rc.logs[author.id]

    # Version 1: the earlier reviewer is handed the oldest log, the author's.
    login(earlier)
    first = _ask(client, rc)
    assert first.log_id == log.id
    _review(client, first, 0, "Show the trench, please.")
    _as(client, login, author)
    _review(client, _ask(client, rc), 2, "Good work.")  # give to get
    page = client.get(_base(rc) + "/feedback").get_data(as_text=True)
    assert "Show the trench, please." in page and "Review of version 1" in page
    assert "submit a new version" in page
    assert grade_of(log).final == 0
    assignment_page = client.get(_base(rc)).get_data(as_text=True)
    assert "it will be reviewed again" in assignment_page

    # The author revises after the feedback and submits version 2.
    client.submit(_base(rc) + "/log", {"title": "Digester, with the trench shown"})
    response = client.submit(_base(rc) + "/log/submit")
    assert response.status_code == 302
    assert queue_counts.counts_of(log)[0] == 0  # a new round: version 2 needs its review again
    # Without the preference the other learner's log (older) would be handed out first.
    db.session.execute(
        update(ReviewQueue).where(ReviewQueue.log_id == log.id).values(first_submitted_at=utcnow())
    )
    db.session.commit()

    _as(client, login, earlier)
    second = _ask(client, rc)
    assert (second.log_id, second.extra) == (log.id, False)
    assert second.submission.version == 2
    assert "trench shown" in client.get(f"/reviews/{second.id}").get_data(as_text=True)
    _review(client, second, 2, "Now I can see it. Well built.")

    # The grade follows version 2; version 1 keeps its review and its grade.
    grade = grade_of(log)
    assert grade.final == 2 and grade.graded_version == 2
    assert [(v.version, v.peer_total, v.reviews) for v in grade.versions] == [(1, 0, 1), (2, 2, 1)]
    _as(client, login, author)
    page = client.get(_base(rc) + "/feedback").get_data(as_text=True)
    assert "Review of version 1" in page and "Review of version 2" in page
    assert "Show the trench, please." in page and "Now I can see it." in page
    assert earlier.username not in page  # still double-blind
    _as(client, login, rc.maintainer)
    detail = client.get(f"{_base(rc)}/gradebook/{log.id}").get_data(as_text=True)
    assert "Versions" in detail and "Version 1" in detail and "Version 2" in detail
    assert "Show the trench, please." in detail and "Now I can see it." in detail
    reviews = db.session.scalars(
        select(Review).where(Review.log_id == log.id, Review.reviewer_id == earlier.id)
    ).all()
    assert sorted(r.submission.version for r in reviews) == [1, 2]


def test_a_version_before_any_feedback_continues_the_round_and_moves_the_lease(
    client, login, review_class
):
    rc = review_class(2, must_review=1, must_be_reviewed=1, grading="mean")
    configure(rc.assignment, resubmission=True)
    author, reviewer = rc.learners
    log = rc.logs[author.id]
    login(reviewer)
    lease = _ask(client, rc)
    _as(client, login, author)
    client.submit(_base(rc) + "/log", {"title": "Second try"})
    client.submit(_base(rc) + "/log/submit")

    db.session.refresh(lease)
    assert lease.submission.version == 2  # the reviewer now reviews what is current
    assert queue_counts.counts_of(log)[:2] == (0, 1)


def test_without_the_setting_an_earlier_reviewer_never_gets_the_log_again(
    client, login, review_class
):
    rc = review_class(2, must_review=1, must_be_reviewed=1, grading="mean")
    author, reviewer = rc.learners
    login(reviewer)
    _review(client, _ask(client, rc), 2, "Fine work, well documented.")
    _as(client, login, author)
    client.submit(_base(rc) + "/log", {"title": "Second try"})
    client.submit(_base(rc) + "/log/submit")
    assert queue_counts.counts_of(rc.logs[author.id])[0] == 1  # the count stays: one grade per log

    _as(client, login, reviewer)
    assert client.submit(_base(rc) + "/reviews/next").status_code == 409  # nothing to review
    assert grade_of(rc.logs[author.id]).versions == ()


def test_discarding_a_review_of_an_earlier_version_keeps_the_new_rounds_count(
    client, login, review_class
):
    rc = review_class(2, must_review=1, must_be_reviewed=1, grading="mean")
    configure(rc.assignment, resubmission=True)
    author, reviewer = rc.learners
    log = rc.logs[author.id]
    login(reviewer)
    first = _ask(client, rc)
    _review(client, first, 0, "Please show the trench.")
    _as(client, login, author)
    client.submit(_base(rc) + "/log", {"title": "Second try"})
    client.submit(_base(rc) + "/log/submit")
    staff = queue.assign_staff_review(rc.maintainer, log)
    assert staff.submission.version == 2
    db.session.commit()
    assert queue_counts.counts_of(log)[:2] == (0, 1)

    queue.discard(db.session.get(Review, first.id), by=rc.maintainer, reason="Rude.")
    db.session.commit()

    assert queue_counts.counts_of(log)[:2] == (0, 1)  # version 1's review was not in this round
    assert grade_of(log).versions[0].reviews == 0
