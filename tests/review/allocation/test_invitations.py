"""The last to submit in a class that submits one after another: their log still needs
reviews after they gave theirs, so learners who are done are invited to give one more,
and that review counts for them."""

from __future__ import annotations

from sqlalchemy import select

from peerlearn.assignments.models import Submission
from peerlearn.extensions import db
from peerlearn.notifications import Notification
from peerlearn.review.allocation import queue, queue_counts
from peerlearn.review.allocation.invitations import waiting_for
from peerlearn.review.models import Review, ReviewQueue, ReviewScore
from peerlearn.review.reviewing.reviewing import ScoreInput, submit_review
from tests.fixtures.review import submit_log

INVITATION = "One more review helps a classmate"
FORM = {"level-build": "2", "comment-build": "Neat.", "overall": "Clear photos, good work."}


def review_fully(app, reviewer, assignment):
    """``reviewer`` asks for a log and submits a complete review, as the form would."""
    with app.test_request_context():
        review = queue.request_review(reviewer, assignment)
        submit_review(reviewer, review, {"build": ScoreInput(2, "Neat.")}, "Clear photos, good.")
        db.session.commit()
    return review


def invitees(rc):
    return set(db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "review_invited")
    ))  # fmt: skip


def test_the_last_submitter_gets_reviews_from_classmates_who_are_done(
    app, client, login, review_class
):
    rc = review_class(4, submitted=3, must_review=2, must_be_reviewed=2)
    *early, last = rc.learners
    for reviewer in early + early:  # the first three review each other and are done
        review_fully(app, reviewer, rc.assignment)
    assert invitees(rc) == set()  # every log had its reviews when its author was done
    rc.logs[last.id] = submit_log(last, rc.assignment)
    db.session.commit()
    review_fully(app, last, rc.assignment)
    assert invitees(rc) == set()  # not done yet
    review_fully(app, last, rc.assignment)
    assert queue_counts.counts_of(rc.logs[last.id]) == (0, 0, 2)  # nobody left owes a review
    assert invitees(rc) == {u.id for u in early}  # up to two per missing review

    helper = early[0]
    login(helper)
    page = client.get(f"/courses/{rc.course.slug}/a/{rc.assignment.slug}").get_data(as_text=True)
    assert INVITATION in page
    response = client.submit(f"/courses/{rc.course.slug}/a/{rc.assignment.slug}/reviews/next")
    review_id = int(response.headers["Location"].rsplit("/", 1)[1])
    review = db.session.get(Review, review_id)
    assert review.log_id == rc.logs[last.id].id
    assert (review.invited, review.extra) == (True, False)
    client.submit(f"/reviews/{review_id}", {**FORM, "action": "submit"})
    assert queue_counts.completed_by(helper, rc.assignment) == 3  # it counts for them
    page = client.get(f"/courses/{rc.course.slug}/a/{rc.assignment.slug}").get_data(as_text=True)
    assert INVITATION not in page  # they reviewed the one waiting log

    review_fully(app, early[1], rc.assignment)
    assert queue_counts.counts_of(rc.logs[last.id])[0] == 2
    client.submit("/logout")
    login(early[2])
    page = client.get(f"/courses/{rc.course.slug}/a/{rc.assignment.slug}").get_data(as_text=True)
    assert INVITATION not in page  # nothing waits any more


def test_a_log_whose_author_has_not_reviewed_yet_invites_nobody(app, review_class):
    rc = review_class(4, submitted=3, must_review=2, must_be_reviewed=2)
    *early, last = rc.learners
    for reviewer in early + early:
        review_fully(app, reviewer, rc.assignment)
    rc.logs[last.id] = submit_log(last, rc.assignment)
    db.session.commit()
    assert not waiting_for(early[0], rc.assignment)
    review_fully(app, last, rc.assignment)
    review_fully(app, last, rc.assignment)
    assert waiting_for(early[0], rc.assignment)
    assert not waiting_for(last, rc.assignment)  # never their own


def test_the_certainty_of_a_grade_follows_its_reviews(app, review_class):
    """Two reviews that disagree leave a grade less certain than two that agree; among
    equally reviewed logs the next reviewer is sent to the less certain one."""
    rc = review_class(5, must_review=3, must_be_reviewed=3)
    l1, l2, l3, l4, l5 = rc.learners
    rows = {row.author_id: row for row in db.session.scalars(select(ReviewQueue))}
    assert {row.certainty for row in rows.values()} == {0}
    plan = [(l3, l1, 2), (l4, l1, 2), (l3, l2, 0), (l4, l2, 2)]  # agree / disagree
    plan += [(l1, l3, 1), (l5, l3, 1), (l2, l4, 1), (l5, l4, 1)]  # the others at 2 too
    for reviewer, author, points in plan:
        log = rc.logs[author.id]
        submission = db.session.scalar(select(Submission.id).where(Submission.log_id == log.id))
        review = Review(assignment_id=rc.assignment.id, log_id=log.id, submission_id=submission,
                        reviewer_id=reviewer.id, kind="peer", state="leased")  # fmt: skip
        db.session.add(review)
        db.session.flush()
        db.session.add(ReviewScore(review_id=review.id, criterion="build", points=points))
        queue._bump([log.id], leased=1)
        queue.complete(review)
    db.session.commit()
    db.session.expire_all()
    loads = {a: rows[a.id].load for a in rc.learners}
    assert loads == {l1: 2, l2: 2, l3: 2, l4: 2, l5: 0}
    agree, disagree = rows[l1.id], rows[l2.id]
    assert disagree.certainty < agree.certainty
    # the only log at 0 is l5's own; at 2, l2's is the least certain (l1's is older)
    assert queue.request_review(l5, rc.assignment).log_id == rc.logs[l2.id].id
