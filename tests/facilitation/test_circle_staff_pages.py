"""The gradebook and the waiting list, per circle, for its facilitators (issue 13, part 3):
the same pages as the maintainers', showing only the circle's learners and never who
reviewed whom."""

from __future__ import annotations

from peerlearn.catalog.models import Enrolment
from peerlearn.extensions import db
from tests.fixtures.facilitation import review_once, start
from tests.fixtures.review import submit_log


def _scene(circle_scene, create_user):
    """learner001 and learner002 in the circle (learner001 reviewed learner002's log),
    outsider001 submitted too but is in no circle."""
    scene = circle_scene(2, submitted=2)
    review_once(scene.learners[0], scene.assignment)
    outsider = create_user("outsider001")
    db.session.add(Enrolment(user_id=outsider.id, course_id=scene.course.id))
    db.session.flush()
    outsider_log = submit_log(outsider, scene.assignment)
    db.session.commit()
    return scene, outsider_log


def _base(scene) -> str:
    return f"/courses/{scene.course.slug}/a/{scene.assignment.slug}"


def test_a_facilitator_sees_the_gradebook_of_their_circle_only(
    client, login, circle_scene, create_user
):
    scene, _outsider_log = _scene(circle_scene, create_user)
    login(scene.facilitator)

    page = client.get(_base(scene) + "/gradebook").get_data(as_text=True)
    assert "learner001" in page and "learner002" in page
    assert "outsider001" not in page
    assert "Only the learners of your circle are shown." in page

    export = client.get(_base(scene) + "/gradebook.csv").get_data(as_text=True)
    assert "learner002" in export and "outsider001" not in export

    client.submit("/logout")
    login(scene.maintainer)
    assert "outsider001" in client.get(_base(scene) + "/gradebook").get_data(as_text=True)


def test_a_facilitator_reads_a_grade_without_the_reviewers_names(
    client, login, circle_scene, create_user
):
    scene, outsider_log = _scene(circle_scene, create_user)
    log = scene.learners[1]  # learner002's log, reviewed by learner001
    from peerlearn.assignments.buildlogs import log_of

    log_id = log_of(log, scene.assignment).id
    login(scene.facilitator)

    page = client.get(f"{_base(scene)}/gradebook/{log_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Reviewer 1" in html and "learner001" not in html
    assert client.get(f"{_base(scene)}/gradebook/{outsider_log.id}").status_code == 404

    client.submit("/logout")
    login(scene.maintainer)
    assert "learner001" in client.get(f"{_base(scene)}/gradebook/{log_id}").get_data(as_text=True)


def test_a_facilitator_sees_the_waiting_list_of_their_circle_only(
    client, login, circle_scene, create_user
):
    scene, outsider_log = _scene(circle_scene, create_user)
    login(scene.facilitator)

    page = client.get(_base(scene) + "/waiting").get_data(as_text=True)
    assert "learner001" in page and "outsider001" not in page
    refused = client.submit(
        f"{_base(scene)}/waiting/{outsider_log.id}/requirement", {"required": 1}
    )
    assert refused.status_code == 404


def test_learners_and_other_circles_facilitators_are_refused(
    client, login, circle_scene, create_user, create_course
):
    scene, _outsider_log = _scene(circle_scene, create_user)
    elsewhere = create_user("elsewhere")
    start(elsewhere, create_course(), name="Another course's circle")
    db.session.commit()

    for who in (scene.learners[0], elsewhere):
        login(who)
        for path in ("/gradebook", "/gradebook.csv", "/waiting", "/flags", "/standings"):
            assert client.get(_base(scene) + path).status_code == 403, (who.username, path)
        client.submit("/logout")
    login(scene.facilitator)
    # Reviewer standings rank reviewers by name: still the maintainers' alone.
    assert client.get(_base(scene) + "/standings").status_code == 403


def test_a_facilitator_decides_reports_about_their_circle_without_reviewers_names(
    client, login, circle_scene, create_user
):
    from sqlalchemy import select

    from peerlearn.review.models import Review, ReviewFlag
    from tests.fixtures.world import _review

    scene, outsider_log = _scene(circle_scene, create_user)
    review = db.session.scalar(select(Review).where(Review.state == "submitted"))
    mine = ReviewFlag(review_id=review.id, flagged_by_id=scene.learners[1].id, reason="Rude.")
    other = _review(outsider_log, create_user("outsider002"), "peer")  # outside the circle
    theirs = ReviewFlag(review_id=other.id, flagged_by_id=outsider_log.user_id, reason="Rude.")
    db.session.add_all([mine, theirs])
    db.session.commit()
    login(scene.facilitator)

    page = client.get(_base(scene) + "/flags").get_data(as_text=True)
    assert "A review of learner002&#39;s build log" in page
    assert "learner001" not in page and "outsider001" not in page
    assert (
        client.submit(
            f"{_base(scene)}/flags/{theirs.id}", {"decision": "kept", "note": "Fine."}
        ).status_code
        == 404
    )
    decided = client.submit(f"{_base(scene)}/flags/{mine.id}", {"decision": "kept", "note": "Ok."})
    assert decided.status_code == 302


def _calibration_scene(circle_scene, create_user):
    """The circle's two learners practised on one example (outsider001's log): learner001
    chose the reference's level, learner002 the lowest; outsider002, in no circle, too."""
    from peerlearn.review.calibration import calibration_examples, calibration_practice
    from tests.fixtures.world import _submit

    scene = circle_scene(2, submitted=2, calibration_examples=1)
    outsiders = []
    for name in ("outsider001", "outsider002"):
        outsider = create_user(name)
        db.session.add(Enrolment(user_id=outsider.id, course_id=scene.course.id))
        outsiders.append(outsider)
    db.session.flush()
    example_log = submit_log(outsiders[0], scene.assignment)
    example, reference = calibration_examples.add_example(
        scene.maintainer, scene.assignment, example_log.id
    )
    _submit(reference, points=2)
    for who, points in ((scene.learners[0], 2), (scene.learners[1], 0), (outsiders[1], 2)):
        _submit(calibration_practice.start_practice(who, scene.assignment, example.id), points)
    db.session.commit()
    return scene


def test_a_facilitator_sees_the_calibration_results_of_their_circle_only(
    client, login, circle_scene, create_user
):
    scene = _calibration_scene(circle_scene, create_user)
    url = _base(scene) + "/calibration/results"
    login(scene.facilitator)
    overview = client.get(f"/circles/{scene.circle.id}/facilitate").get_data(as_text=True)
    assert f'href="{url}"' in overview

    page = client.get(url)

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<tr><td>learner001</td><td>1</td><td>100%</td></tr>" in html
    assert "<tr><td>learner002</td><td>1</td><td>0%</td></tr>" in html
    assert "outsider002" not in html  # not in the circle
    assert "outsider001" not in html  # the example's author is never named
    assert "Example 1" in html and "Only the learners of your circle are shown." in html

    client.submit("/logout")
    login(scene.maintainer)
    everyone = client.get(url).get_data(as_text=True)
    assert "<tr><td>outsider002</td><td>1</td><td>100%</td></tr>" in everyone
    assert "<td>Example 1</td><td>3</td><td>67%</td>" in everyone
    assert "outsider001" not in everyone


def test_learners_and_other_facilitators_may_not_read_calibration_results(
    client, login, circle_scene, create_user, create_course
):
    scene = _calibration_scene(circle_scene, create_user)
    elsewhere = create_user("elsewhere")
    start(elsewhere, create_course(), name="Another course's circle")
    db.session.commit()
    url = _base(scene) + "/calibration/results"

    assert client.get(url).status_code == 302  # to the login page
    for who in (scene.learners[0], elsewhere):
        login(who)
        assert client.get(url).status_code == 403, who.username
        client.submit("/logout")
    login(scene.facilitator)
    assert client.get(url + "?page=2").status_code == 404


def test_calibration_results_cost_the_same_queries_for_2_or_30_practising_learners(
    client, login, circle_scene, create_user, count_queries
):
    from peerlearn.circles.services import join_circle
    from peerlearn.review.calibration import calibration_practice
    from peerlearn.review.models import CalibrationExample
    from tests.fixtures.world import _submit

    scene = _calibration_scene(circle_scene, create_user)
    example = db.session.scalars(db.select(CalibrationExample)).one()
    url = _base(scene) + "/calibration/results"
    login(scene.facilitator)
    client.get(url)  # warm-up: caches of a running site
    with count_queries() as small:
        assert client.get(url).status_code == 200

    for n in range(28):
        learner = create_user(f"practised{n:02d}")
        join_circle(learner, scene.circle)
        _submit(calibration_practice.start_practice(learner, scene.assignment, example.id), 1)
    db.session.commit()
    with count_queries() as large:
        page = client.get(url)

    assert "practised27" in page.get_data(as_text=True)
    assert large.count == small.count, large.statements
