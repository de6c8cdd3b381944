"""The facilitator's view as a service: each learner's stage, and who is stuck."""

from __future__ import annotations

from datetime import timedelta

from peerlearn.circles.services import join_circle, leave_circle
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.facilitation.roster import LogState, idle_days_arg, roster
from tests.fixtures.facilitation import review_once
from tests.fixtures.review import submit_log


def test_each_learner_shows_the_stage_of_their_build_log(circle_scene, create_user):
    scene = circle_scene(5, submitted=3)
    from peerlearn.assignments import buildlogs

    buildlogs.start_log(scene.learners[4], scene.assignment)  # a draft
    # Two learners give a review each: logs get reviewed, reviewers earn their grade.
    review_once(scene.learners[0], scene.assignment)
    review_once(scene.learners[2], scene.assignment)
    db.session.commit()

    rows = {row.username: row for row in roster(scene.circle, scene.assignment).rows}

    assert list(rows) == [learner.username for learner in scene.learners]
    assert rows["learner004"].state is LogState.NONE
    assert rows["learner005"].state is LogState.DRAFT
    for name in ("learner001", "learner002", "learner003"):
        row = rows[name]
        if row.received < row.required:
            assert row.state is LogState.SUBMITTED
        elif row.given >= 1:
            assert row.state is LogState.GRADED
        else:
            assert row.state is LogState.REVIEWED
    assert {rows[n].state for n in ("learner001", "learner002", "learner003")} >= {LogState.GRADED}
    assert sum(rows[n].received for n in rows) == 2
    assert rows["learner001"].given == 1 and rows["learner002"].given == 0


def test_who_is_stuck_depends_on_the_days_asked_for(circle_scene):
    scene = circle_scene(3, submitted=1)
    later = utcnow() + timedelta(days=10)

    now = roster(scene.circle, scene.assignment, 7)
    assert now.stuck == 0

    after = roster(scene.circle, scene.assignment, 7, now=later)
    assert after.stuck == 3
    assert all(row.idle and row.idle_days == 10 for row in after.rows)
    waiting = {row.username: row.waiting_days for row in after.rows}
    assert waiting == {"learner001": 10, "learner002": None, "learner003": None}

    patient = roster(scene.circle, scene.assignment, 30, now=later)
    assert patient.stuck == 0


def test_activity_keeps_a_learner_off_the_stuck_list(circle_scene):
    scene = circle_scene(2, submitted=0)
    past = utcnow() - timedelta(days=20)
    for member in scene.circle.members:
        member.joined_at = past
    db.session.commit()
    submit_log(scene.learners[0], scene.assignment)  # learner001 is active today
    db.session.commit()

    rows = {row.username: row for row in roster(scene.circle, scene.assignment, 7).rows}

    assert not rows["learner001"].idle
    assert rows["learner002"].idle and rows["learner002"].idle_days == 20


def test_facilitators_and_those_who_left_are_not_rows(circle_scene, create_user):
    scene = circle_scene(2)
    leave_circle(scene.learners[1], scene.circle)
    join_circle(create_user("newcomer"), scene.circle)
    db.session.commit()

    found = roster(scene.circle, scene.assignment)

    assert [row.username for row in found.rows] == ["learner001", "newcomer"]
    assert found.members == 2


def test_the_days_argument_is_kept_to_a_sensible_number():
    assert idle_days_arg(None) == 7
    assert idle_days_arg("abc") == 7
    assert idle_days_arg("0") == 1
    assert idle_days_arg("14") == 14
    assert idle_days_arg("99999") == 365
    assert idle_days_arg("9" * 40) == 7
    assert idle_days_arg("900") == 365


def test_calibration_practice_shows_when_the_assignment_asks_for_it(client, login, circle_scene):
    from peerlearn.review.calibration import calibration_examples, calibration_practice
    from tests.fixtures.world import _submit

    scene = circle_scene(3, submitted=2, calibration_examples=1)
    from peerlearn.assignments.buildlogs import log_of

    log_id = log_of(scene.learners[0], scene.assignment).id
    example, reference = calibration_examples.add_example(
        scene.maintainer, scene.assignment, log_id
    )
    _submit(reference)
    practice = calibration_practice.start_practice(scene.learners[1], scene.assignment, example.id)
    _submit(practice, points=0)
    db.session.commit()

    rows = {row.username: row for row in roster(scene.circle, scene.assignment).rows}
    assert [rows[name].practised for name in ("learner001", "learner002", "learner003")] == [
        0,
        1,
        0,
    ]
    login(scene.facilitator)
    html = client.get(f"/circles/{scene.circle.id}/facilitate").get_data(as_text=True)
    assert '<th scope="col">Calibration</th>' in html and "<td>1/1</td>" in html
