"""A circle's dates: its deadline for each assignment and its weekly meetings.

A circle's deadlines are rows (``CircleDeadline``) made when the circle starts, from its
start date and the course's suggested durations, and a facilitator may then move them.
An assignment added to the course later has no row yet: its dates are derived the same
way until the facilitator saves them, so a member never meets "no deadline" by accident.

Deadlines fall at the end of the day (23:59) in the circle's own time zone: "due Friday"
means Friday where the circle meets, whoever looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from peerlearn.assignments.buildlogs import course_assignments
from peerlearn.assignments.deadlines import Deadlines
from peerlearn.assignments.deadlines import learner_deadlines as learner_deadlines_signal
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.circles.models import Circle, CircleDeadline, CircleMember
from peerlearn.db import session_memo
from peerlearn.extensions import db

#: Days to submit an assignment, counted from the previous one's deadline (or from the
#: circle's start for the first), when the bundle suggests none.
DEFAULT_SUBMIT_DAYS = 7
#: Days to review after submissions close, when the bundle suggests none.
DEFAULT_REVIEW_DAYS = 7
#: The local time of day a deadline falls at.
DEADLINE_TIME = time(23, 59)


def zone_of(circle: Circle) -> ZoneInfo:
    """The circle's time zone; UTC if its name is unknown to this machine (the form only
    offers known ones, but tzdata changes)."""
    try:
        return ZoneInfo(circle.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def end_of_day(circle: Circle, day: date) -> datetime:
    """``day`` at 23:59 in the circle's zone, as UTC."""
    return datetime.combine(day, DEADLINE_TIME, tzinfo=zone_of(circle)).astimezone(UTC)


def local_day(circle: Circle, moment: datetime) -> date:
    return moment.astimezone(zone_of(circle)).date()


def suggested_days(assignment: Assignment) -> tuple[int, int]:
    """The bundle's suggested days to submit and to review for ``assignment``, or the
    defaults."""
    spec = spec_of(assignment)
    return spec.days_to_submit or DEFAULT_SUBMIT_DAYS, spec.days_to_review or DEFAULT_REVIEW_DAYS


def schedule_order(assignments: Sequence[Assignment]) -> list[Assignment]:
    """Assignments in the order a circle takes them: by their module's place in the
    course, then by when they were added (those outside any module last)."""

    def key(assignment: Assignment) -> tuple[int, int, int]:
        module = assignment.module
        if module is None:
            return (1, 0, assignment.id)
        return (0, module.position, assignment.id)

    return sorted(assignments, key=key)


def default_deadlines(
    circle: Circle, assignments: Sequence[Assignment]
) -> dict[int, tuple[datetime, datetime]]:
    """Each assignment's derived (submit_by, review_by), by assignment id: one after the
    other from the circle's start, each taking its suggested days."""
    result: dict[int, tuple[datetime, datetime]] = {}
    day = circle.starts_on
    for assignment in schedule_order(assignments):
        submit_days, review_days = suggested_days(assignment)
        day = day + timedelta(days=submit_days)
        result[assignment.id] = (
            end_of_day(circle, day),
            end_of_day(circle, day + timedelta(days=review_days)),
        )
    return result


def create_default_deadlines(circle: Circle) -> list[CircleDeadline]:
    """Rows for every live assignment of the circle's course that has none yet (the
    caller commits)."""
    assignments = course_assignments(circle.course)
    existing = {row.assignment_id for row in circle.deadlines}
    rows = []
    for assignment_id, (submit_by, review_by) in default_deadlines(circle, assignments).items():
        if assignment_id in existing:
            continue
        row = CircleDeadline(
            circle=circle, assignment_id=assignment_id, submit_by=submit_by, review_by=review_by
        )
        db.session.add(row)
        rows.append(row)
    return rows


def deadline_row(circle: Circle, assignment: Assignment) -> CircleDeadline | None:
    return db.session.scalar(
        select(CircleDeadline).where(
            CircleDeadline.circle_id == circle.id, CircleDeadline.assignment_id == assignment.id
        )
    )


def deadlines_for(
    circle: Circle, assignment: Assignment
) -> tuple[datetime | None, datetime | None]:
    """The circle's (submit_by, review_by) for ``assignment``, as aware UTC datetimes.

    The saved row when there is one (None in it means the facilitator set no deadline);
    otherwise the dates derived from the start date and suggested durations.
    """
    row = deadline_row(circle, assignment)
    if row is not None:
        return row.submit_by, row.review_by
    derived = default_deadlines(circle, course_assignments(circle.course))
    return derived.get(assignment.id, (None, None))


@dataclass(frozen=True)
class ScheduleLine:
    """One assignment in a circle's schedule, as pages and calendars show it."""

    assignment: Assignment
    submit_by: datetime | None
    review_by: datetime | None


def circle_schedule(circle: Circle) -> list[ScheduleLine]:
    """The circle's whole schedule in course order (a fixed number of queries)."""
    assignments = schedule_order(course_assignments(circle.course))
    rows = {
        row.assignment_id: row
        for row in db.session.scalars(
            select(CircleDeadline).where(CircleDeadline.circle_id == circle.id)
        )
    }
    derived = default_deadlines(circle, assignments)
    lines = []
    for assignment in assignments:
        row = rows.get(assignment.id)
        if row is not None:
            submit_by, review_by = row.submit_by, row.review_by
        else:
            submit_by, review_by = derived[assignment.id]
        lines.append(ScheduleLine(assignment, submit_by, review_by))
    return lines


def learner_deadlines(user_id: int, course_id: int, assignment: Assignment) -> Deadlines | None:
    """The dates of ``user_id``'s current circle for ``assignment``, or None when they are
    in no circle of its course (they follow the course's own dates).

    A page lists several assignments of a course (the course page, a module's); the
    learner's circle and all its saved dates are read once, in one query, and kept for
    the request (``session_memo``), so the list costs one query however long it is. An
    assignment with no saved row (added after the circle started) gets the dates derived
    from the circle's start."""
    dates = _remembered_circle_dates(user_id, course_id)
    if dates is None:
        return None
    circle, rows = dates
    saved = rows.get(assignment.id)
    if saved is not None:
        return Deadlines(saved[0], saved[1], source="circle")
    submit_by, review_by = deadlines_for(circle, assignment)
    return Deadlines(submit_by, review_by, source="circle")


#: A learner's current circle and its saved dates: assignment id -> (submit_by, review_by).
_CircleDates = tuple[Circle, dict[int, tuple[datetime | None, datetime | None]]]


def current_circle(user_id: int, course_id: int) -> Circle | None:
    """The circle ``user_id`` is in for this course now (as ``membership.current_circle``
    says), read in the same query as its dates, once per request: the course page asks
    for both."""
    dates = _remembered_circle_dates(user_id, course_id)
    return dates[0] if dates is not None else None


def _remembered_circle_dates(user_id: int, course_id: int) -> _CircleDates | None:
    known = session_memo(db.session(), "circle_dates")
    key = (user_id, course_id)
    if known is not None and key in known:
        dates: _CircleDates | None = known[key]
    else:
        dates = _circle_dates(user_id, course_id)
        if known is not None:
            known[key] = dates
    return dates


def _circle_dates(user_id: int, course_id: int) -> _CircleDates | None:
    current = (
        select(CircleMember.circle_id)
        .join(Circle, Circle.id == CircleMember.circle_id)
        .where(
            Circle.course_id == course_id,
            CircleMember.user_id == user_id,
            CircleMember.left_at.is_(None),
        )
        .order_by(CircleMember.joined_at.desc(), CircleMember.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    found = db.session.execute(
        select(Circle, CircleDeadline)
        .outerjoin(CircleDeadline, CircleDeadline.circle_id == Circle.id)
        .where(Circle.id == current)
    ).all()
    if not found:
        return None
    rows = {
        row.assignment_id: (row.submit_by, row.review_by)
        for _circle, row in found
        if row is not None  # outer join: a circle with no saved row at all
    }
    return found[0][0], rows


def _on_learner_deadlines(assignment: Assignment, *, user_id: int, **_: object) -> Deadlines | None:
    return learner_deadlines(user_id, assignment.course_id, assignment)


def connect_receivers() -> None:
    """Hold circle members to their circle's dates wherever assignments asks
    (``assignments.deadlines.learner_deadlines``); ``create_app`` calls this once."""
    learner_deadlines_signal.connect(_on_learner_deadlines)


# --- Meetings -----------------------------------------------------------------------------

#: A circle with no last day and no deadlines still lists (and exports) this many weeks.
OPEN_ENDED_WEEKS = 12


def last_day(circle: Circle, lines: Sequence[ScheduleLine] | None = None) -> date:
    """The circle's last day: ``ends_on``, else the day of its last deadline, else
    ``OPEN_ENDED_WEEKS`` after its start."""
    if circle.ends_on is not None:
        return circle.ends_on
    moments = [
        moment
        for line in (lines if lines is not None else circle_schedule(circle))
        for moment in (line.submit_by, line.review_by)
        if moment is not None
    ]
    if moments:
        return local_day(circle, max(moments))
    return circle.starts_on + timedelta(weeks=OPEN_ENDED_WEEKS)


def meetings(circle: Circle, until: date) -> list[datetime]:
    """Every weekly meeting from the start to ``until`` (inclusive), as aware datetimes in
    the circle's zone; none when the circle sets no weekday."""
    if circle.meeting_weekday is None:
        return []
    zone = zone_of(circle)
    at = circle.meeting_time or time(0, 0)
    day = circle.starts_on + timedelta(
        days=(circle.meeting_weekday - circle.starts_on.weekday()) % 7
    )
    found = []
    while day <= until:
        found.append(datetime.combine(day, at, tzinfo=zone))
        day += timedelta(weeks=1)
    return found


def next_meeting(
    circle: Circle, now: datetime, lines: Sequence[ScheduleLine] | None = None
) -> datetime | None:
    """The first meeting that has not started by ``now``, or None (no weekday set, or
    the circle is over)."""
    if circle.meeting_weekday is None:
        return None
    end = last_day(circle, lines)
    zone = zone_of(circle)
    at = circle.meeting_time or time(0, 0)
    today = max(now.astimezone(zone).date(), circle.starts_on)
    day = today + timedelta(days=(circle.meeting_weekday - today.weekday()) % 7)
    moment = datetime.combine(day, at, tzinfo=zone)
    if moment <= now:
        moment = datetime.combine(day + timedelta(weeks=1), at, tzinfo=zone)
    return moment if moment.date() <= end else None
