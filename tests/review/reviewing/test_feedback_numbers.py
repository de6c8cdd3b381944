"""The learner's feedback page rounds points as the gradebook does (never "1.333333 / 2")
and writes them the way the learner's language writes numbers."""

from __future__ import annotations

from peerlearn.extensions import db
from peerlearn.review.allocation import queue
from peerlearn.review.reviewing import reviewing
from peerlearn.review.reviewing.reviewing import ScoreInput


def _everyone_reviews(rc) -> None:
    """Each learner reviews three logs; learner 2 gives learner 1's log no point, every
    other review gives two, so learner 1's mean is 4/3."""
    first = rc.learners[0]
    for _round in range(3):
        for reviewer in rc.learners:
            review = queue.request_review(reviewer, rc.assignment)
            low = reviewer.id == rc.learners[1].id and review.log.user_id == first.id
            reviewing.submit_review(
                reviewer, review, {"build": ScoreInput(points=0 if low else 2, comment="ok")},
                "Clear log.",
            )  # fmt: skip
            db.session.commit()


def test_feedback_page_rounds_points_like_the_gradebook(client, login, review_class):
    rc = review_class(4, must_review=3, must_be_reviewed=3, grading="mean")
    _everyone_reviews(rc)
    login(rc.learners[0])
    page = client.get(f"/courses/{rc.course.slug}/a/{rc.assignment.slug}/feedback")
    html = page.get_data(as_text=True)
    assert "1.33 of 2 points" in html
    assert "1.33 / 2" in html
    assert "1.333" not in html


def test_feedback_numbers_follow_the_learners_language(client, login, review_class):
    rc = review_class(4, must_review=3, must_be_reviewed=3, grading="mean")
    _everyone_reviews(rc)
    rc.learners[0].locale = "es"
    db.session.commit()
    login(rc.learners[0])
    html = client.get(f"/courses/{rc.course.slug}/a/{rc.assignment.slug}/feedback").get_data(
        as_text=True
    )
    assert "1,33" in html and "1.333" not in html and "1.333" not in html
