"""Circles' meetings and deadlines as iCalendar (RFC 5545), so that phones show them.

Built with the ``icalendar`` library, which writes what the RFC asks for and is easy to
get wrong by hand: CRLF line ends, lines folded at 75 octets, commas, semicolons and
backslashes escaped in text, a VTIMEZONE for every zone used. Meetings are one weekly
series in the circle's own zone (so a phone keeps them at 18:00 across a clock change);
deadlines are short events at the moment they fall, in UTC.

Each event's UID is stable (circle, assignment, kind, and the site's host), so a
calendar that imports the file again updates its events instead of doubling them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from peerlearn.assignments.revisions import spec_of
from peerlearn.circles.models import Circle
from peerlearn.circles.schedule import ScheduleLine, last_day, meetings

#: How long a meeting lasts in calendars: the form asks only when it starts.
MEETING_LENGTH = timedelta(hours=2)
PRODID = "-//peerlearn//learning circles//EN"


@dataclass(frozen=True)
class CalendarTexts:
    """What the events say, in the reader's language (the view translates)."""

    meeting: Callable[[Circle], str]
    submit: Callable[[str], str]
    review: Callable[[str], str]


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def add_circle(
    calendar: Calendar,
    circle: Circle,
    lines: Sequence[ScheduleLine],
    texts: CalendarTexts,
    *,
    host: str,
    url: str,
    place: str,
    now: datetime,
) -> None:
    """The circle's weekly meetings (one series) and each assignment's deadlines."""
    found = meetings(circle, last_day(circle, lines))
    if found:
        event = _event(f"circle-{circle.id}-meetings@{host}", now)
        event.add("summary", texts.meeting(circle))
        if circle.meeting_time is None:  # a day, no hour: an all-day event
            event.add("dtstart", found[0].date())
        else:
            event.add("dtstart", found[0])
            event.add("duration", MEETING_LENGTH)
        event.add("rrule", {"freq": "weekly", "count": len(found)})
        if place:
            event.add("location", place)
        event.add("url", url)
        calendar.add_component(event)
    for line in lines:
        title = _title(line)
        for kind, moment, say in (
            ("submit", line.submit_by, texts.submit),
            ("review", line.review_by, texts.review),
        ):
            if moment is None:
                continue
            event = _event(f"circle-{circle.id}-a{line.assignment.id}-{kind}@{host}", now)
            event.add("summary", say(title))
            event.add("dtstart", moment.astimezone(UTC))
            event.add("dtend", moment.astimezone(UTC) + timedelta(minutes=1))
            event.add("url", url)
            calendar.add_component(event)


def finish(calendar: Calendar) -> bytes:
    """The file's bytes, with a VTIMEZONE for each zone the events use."""
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(uid: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    return event


def _title(line: ScheduleLine) -> str:
    return spec_of(line.assignment).title
