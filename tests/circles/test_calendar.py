"""The .ics files parse, and hold the circle's meetings and each assignment's deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar

from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.extensions import db


def _circle(user, course, **kw):
    fields = {
        "name": "Sorata, martes; 18h, biblioteca",
        "language": "es",
        "starts_on": date(2027, 1, 4),  # a Monday
        "meeting_place": "Biblioteca municipal, 2º piso; sala \\ B",
        "meeting_weekday": 1,  # Tuesdays
        "meeting_time": time(18, 0),
        "timezone": "America/La_Paz",
        "ends_on": date(2027, 2, 28),
        **kw,
    }
    circle = start_circle(user, course, CircleDetails(**fields))
    db.session.commit()
    return circle


def _events(body: bytes):
    calendar = Calendar.from_ical(body)
    return calendar, list(calendar.walk("VEVENT"))


def test_a_circle_calendar_has_its_weekly_meetings_and_deadlines(
    client, create_user, create_course, create_assignment
):
    course = create_course()
    first = create_assignment(course, title="Dig the trench")
    create_assignment(course, title="Measure the gas")
    circle = _circle(create_user("ana"), course)
    response = client.get(f"/circles/{circle.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data()
    assert b"\r\n" in body and all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar, events = _events(body)
    assert calendar["VERSION"] == "2.0" and calendar.get("PRODID")

    meetings = [e for e in events if str(e["SUMMARY"]).startswith("Circle meeting")]
    assert len(meetings) == 1
    meeting = meetings[0]
    assert str(meeting["SUMMARY"]) == "Circle meeting: Sorata, martes; 18h, biblioteca"
    assert str(meeting["LOCATION"]) == "Biblioteca municipal, 2º piso; sala \\ B"
    start = meeting.decoded("DTSTART")
    assert start == datetime(2027, 1, 5, 18, 0, tzinfo=ZoneInfo("America/La_Paz"))
    # Tuesdays from 5 January to the last day, 28 February: eight meetings.
    assert meeting["RRULE"]["FREQ"] == ["WEEKLY"] and meeting["RRULE"]["COUNT"] == [8]
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["America/La_Paz"]

    deadlines = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in events if e is not meeting}
    # A week each, in order, ending 23:59 in La Paz (UTC-4).
    assert deadlines == {
        "Submit: Dig the trench": datetime(2027, 1, 12, 3, 59, tzinfo=UTC),
        "Reviews due: Dig the trench": datetime(2027, 1, 19, 3, 59, tzinfo=UTC),
        "Submit: Measure the gas": datetime(2027, 1, 19, 3, 59, tzinfo=UTC),
        "Reviews due: Measure the gas": datetime(2027, 1, 26, 3, 59, tzinfo=UTC),
    }
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(e.get("DTSTAMP") for e in events)
    assert f"circle-{circle.id}-a{first.id}-submit@" in " ".join(uids)


def test_a_learner_calendar_has_all_their_circles(
    client, login, create_user, create_course, create_assignment
):
    bea = create_user("bea")
    names = []
    for name in ("Biogas circle", "Solar circle"):
        course = create_course()
        create_assignment(course, title=f"{name} task")
        circle = _circle(create_user(), course, name=name, meeting_weekday=3)
        join_circle(bea, circle)
        names.append(name)
    db.session.commit()
    assert client.get("/circles/calendar.ics").status_code == 302  # to log in
    login(bea)
    _calendar, events = _events(client.get("/circles/calendar.ics").get_data())
    summaries = {str(event["SUMMARY"]) for event in events}
    assert {f"Circle meeting: {name}" for name in names} <= summaries
    assert {f"Submit: {name} task" for name in names} <= summaries


def test_a_circle_by_invitation_keeps_its_calendar_to_its_members(
    client, login, create_user, create_course
):
    course = create_course()
    circle = _circle(create_user("ana"), course, open=False)
    assert client.get(f"/circles/{circle.id}/calendar.ics").status_code == 404
    bea = create_user("bea")
    join_circle(bea, circle, code=circle.invite_code)
    db.session.commit()
    login(bea)
    assert client.get(f"/circles/{circle.id}/calendar.ics").status_code == 200
