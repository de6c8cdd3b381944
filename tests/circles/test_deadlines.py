"""A circle's dates are its members' deadlines: on the assignment page, the course page,
the dashboard, and when they start or submit a build log. Self-paced learners keep the
course's own dates."""

from __future__ import annotations

from datetime import date, timedelta

from peerlearn.assignments import buildlogs
from peerlearn.assignments.deadlines import deadlines_of
from peerlearn.circles.schedule import deadlines_for
from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.db import utcnow
from peerlearn.extensions import db

COURSE_DEADLINE = "2026-01-15T12:00:00+00:00"  # long past


def _circle(user, course, starts_on, name="Circle", **kw):
    circle = start_circle(
        user, course, CircleDetails(name=name, language="en", starts_on=starts_on, **kw)
    )
    db.session.commit()
    return circle


def test_two_circles_of_one_course_each_see_their_own_deadline(
    client, login, create_user, create_course, create_assignment
):
    course = create_course()
    assignment = create_assignment(course, slug="trench", submission_deadline=COURSE_DEADLINE)
    today = utcnow().date()
    early = _circle(create_user("ana"), course, today, name="Early")
    late = _circle(create_user("bea"), course, today + timedelta(days=21), name="Late")
    cam, dee, eve = create_user("cam"), create_user("dee"), create_user("eve")
    join_circle(cam, early)
    join_circle(dee, late)
    db.session.commit()

    early_due = (today + timedelta(days=7)).strftime("%b %-d, %Y")
    late_due = (today + timedelta(days=28)).strftime("%b %-d, %Y")
    seen = {}
    for user in (cam, dee, eve):
        login(user)
        seen[user.username] = client.get(f"/courses/{course.slug}/a/trench").get_data(as_text=True)
        client.submit("/logout")
    assert early_due in seen["cam"] and "your circle" in seen["cam"]
    assert late_due in seen["dee"] and early_due not in seen["dee"]
    assert "Jan 15, 2026" in seen["eve"]  # self-paced: the course's date
    assert deadlines_for(early, assignment) != deadlines_for(late, assignment)


def test_submitting_follows_the_circle_not_the_course(
    create_user, create_course, create_assignment
):
    course = create_course()
    assignment = create_assignment(course, submission_deadline=COURSE_DEADLINE)
    circle = _circle(create_user("ana"), course, utcnow().date())
    bea, eve = create_user("bea"), create_user("eve")
    join_circle(bea, circle)
    db.session.commit()
    # The course's deadline passed, the circle's has not: the member may start a log.
    assert deadlines_of(bea.id, assignment).source == "circle"
    buildlogs.start_log(bea, assignment)
    try:
        buildlogs.start_log(eve, assignment)
    except buildlogs.BuildLogRefused as refused:
        assert str(refused) == "closed"
    else:
        raise AssertionError("a self-paced learner was let past the course's deadline")


def test_a_facilitator_moves_the_dates_and_members_see_them(
    client, login, create_user, create_course, create_assignment
):
    course = create_course()
    assignment = create_assignment(course, slug="trench", title="Dig the trench")
    ana, bea = create_user("ana"), create_user("bea")
    circle = _circle(ana, course, date(2027, 1, 4), timezone="Africa/Kigali")
    join_circle(bea, circle)
    db.session.commit()
    login(ana)
    form = client.get(f"/circles/{circle.id}/schedule").get_data(as_text=True)
    assert 'value="2027-01-11"' in form and 'value="2027-01-18"' in form
    wrong = client.submit(
        f"/circles/{circle.id}/schedule",
        {f"submit-{assignment.id}": "2027-02-10", f"review-{assignment.id}": "2027-02-01"},
    )
    assert wrong.status_code == 400
    assert "Reviews end on or after the submission day." in wrong.get_data(as_text=True)
    saved = client.submit(
        f"/circles/{circle.id}/schedule",
        {f"submit-{assignment.id}": "2027-02-10", f"review-{assignment.id}": "2027-02-17"},
    )
    assert saved.status_code == 302
    submit_by, review_by = deadlines_for(circle, assignment)
    assert submit_by.isoformat() == "2027-02-10T21:59:00+00:00"  # 23:59 in Kigali (UTC+2)
    assert review_by.isoformat() == "2027-02-17T21:59:00+00:00"
    client.submit("/logout")
    login(bea)
    page = client.get(f"/courses/{course.slug}/a/trench").get_data(as_text=True)
    assert "Feb 10, 2027" in page


def test_the_dashboard_shows_my_circles_next_meeting_and_what_is_due(
    client, login, create_user, create_course, create_assignment
):
    course = create_course()
    create_assignment(course, title="Dig the trench")
    today = utcnow().date()
    circle = _circle(create_user("ana"), course, today, name="Tuesday circle", meeting_weekday=1)
    bea = create_user("bea")
    join_circle(bea, circle)
    db.session.commit()
    login(bea)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "My learning circles" in page and "Tuesday circle" in page
    assert "Next meeting:" in page and "Tuesday" in page
    due = (today + timedelta(days=7)).strftime("%b %-d, %Y")
    assert "Submit “Dig the trench” by" in page and due in page
    assert "/circles/calendar.ics" in page
