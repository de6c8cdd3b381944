"""Teams: a maintainer groups learners, and teammates never review each other."""

from __future__ import annotations

from peerlearn.catalog.models import Enrolment
from peerlearn.extensions import db
from peerlearn.review.allocation import queue
from peerlearn.review.models import ReviewQueue


def _enrolment(rc, learner) -> Enrolment:
    return db.session.scalar(
        db.select(Enrolment).where(
            Enrolment.user_id == learner.id, Enrolment.course_id == rc.course.id
        )
    )


def test_a_maintainer_sets_teams_and_teammates_are_never_handed_each_others_logs(
    client, login, review_class
):
    rc = review_class(3)
    first, second, third = rc.learners
    login(rc.maintainer)
    page = client.get(f"/courses/{rc.course.slug}/teams").get_data(as_text=True)
    assert "never review each other" in page and first.username in page

    response = client.submit(
        f"/courses/{rc.course.slug}/teams",
        {f"team-{_enrolment(rc, first).id}": "Blue", f"team-{_enrolment(rc, second).id}": " Blue "},
    )

    assert response.status_code == 302
    assert "2 teams changed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _enrolment(rc, second).team == "Blue"
    # The queue's copy follows, although the logs were submitted before the teams existed.
    teams = set(db.session.scalars(db.select(ReviewQueue.team)))
    assert teams == {"Blue", None}
    for _ in range(2):
        review = queue.request_review(first, rc.assignment)
        assert review.log_id != rc.logs[second.id].id
        assert review.log_id == rc.logs[third.id].id
        db.session.commit()


def test_only_maintainers_see_or_change_teams(client, login, review_class):
    rc = review_class(2)
    login(rc.learners[0])
    assert client.get(f"/courses/{rc.course.slug}/teams").status_code == 403
    enrolment = _enrolment(rc, rc.learners[1])
    response = client.submit(f"/courses/{rc.course.slug}/teams", {f"team-{enrolment.id}": "X"})
    assert response.status_code == 403
    assert _enrolment(rc, rc.learners[1]).team is None
