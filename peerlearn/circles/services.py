"""Starting, joining and leaving circles. Views call these; so do other features' tests
(``start_circle`` and ``join_circle`` are the way to make a circle with members).

Joining locks the circle's row (and the joiner's) for the rest of the transaction, so
that two people taking the last seat at once cannot both get it, and one person
double-clicking two circles of a course ends up in one.
"""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.catalog.services import AlreadyEnrolled, enrol, is_enrolled
from peerlearn.circles.membership import current_circle, member_count, membership
from peerlearn.circles.models import FACILITATOR, LEARNER, Circle, CircleMember
from peerlearn.circles.schedule import create_default_deadlines
from peerlearn.content.models import Course
from peerlearn.db import utcnow
from peerlearn.extensions import db

#: Seats in a circle unless its facilitator says otherwise; P2PU circles are 6 to 12 people.
DEFAULT_CAPACITY = 12
MAX_CAPACITY = 500


class JoinRefused(Exception):
    """Why a join did not happen; ``reason`` is one of the constants below."""

    FULL = "full"
    CLOSED = "closed"  # by invitation, and no (right) code
    FINISHED = "finished"
    ALREADY_HERE = "already-here"
    OTHER_CIRCLE = "other-circle"

    def __init__(self, reason: str, other: Circle | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.other = other


class NotAMember(Exception):
    pass


@dataclass(frozen=True)
class CircleDetails:
    """What the facilitator says about the circle when starting or editing it."""

    name: str
    language: str
    starts_on: date
    meeting_place: str = ""
    meeting_weekday: int | None = None
    meeting_time: time | None = None
    timezone: str = "UTC"
    capacity: int = DEFAULT_CAPACITY
    open: bool = True
    ends_on: date | None = None


def new_invite_code() -> str:
    """32 random bytes, URL-safe: unguessable, so a circle by invitation stays closed."""
    return secrets.token_urlsafe(32)


def _apply(circle: Circle, details: CircleDetails) -> None:
    circle.name = details.name
    circle.language = details.language
    circle.starts_on = details.starts_on
    circle.meeting_place = details.meeting_place
    circle.meeting_weekday = details.meeting_weekday
    circle.meeting_time = details.meeting_time
    circle.timezone = details.timezone
    circle.capacity = details.capacity
    circle.open = details.open
    circle.ends_on = details.ends_on


def start_circle(user: User, course: Course, details: CircleDetails) -> Circle:
    """A new circle with ``user`` as its facilitator and its deadlines derived from its
    start date (the caller commits). The facilitator is enrolled in the course, and
    leaves any other current circle of it (one schedule per learner and course)."""
    circle = Circle(
        course=course, created_by_id=user.id, invite_code=new_invite_code(),
        review_min_pool=4, review_fallback=True,
    )  # fmt: skip
    _apply(circle, details)
    db.session.add(circle)
    other = current_circle(user.id, course.id)
    if other is not None:
        leave_circle(user, other)
    db.session.add(CircleMember(circle=circle, user_id=user.id, role=FACILITATOR))
    _ensure_enrolled(user, course)
    db.session.flush()
    create_default_deadlines(circle)
    db.session.flush()
    return circle


def update_circle(circle: Circle, details: CircleDetails) -> None:
    """Change what the facilitator says about the circle. Saved deadlines stay: moving
    the start date does not silently move dates members already plan around."""
    _apply(circle, details)
    db.session.flush()


def _ensure_enrolled(user: User, course: Course) -> None:
    if not is_enrolled(user, course):
        with suppress(AlreadyEnrolled):  # a parallel request enrolled them
            enrol(user, course)


def join_circle(
    user: User,
    circle: Circle,
    code: str | None = None,
    today: date | None = None,
    role: str = LEARNER,
) -> CircleMember:
    """Make ``user`` a current member, or raise ``JoinRefused`` saying why.

    An open circle needs no code; one by invitation needs its ``invite_code``. A finished
    or full circle takes nobody. Someone in another circle of the course must leave it
    first (the page offers that), so nobody swaps schedules by accident.
    """
    locked = db.session.scalar(select(Circle).where(Circle.id == circle.id).with_for_update())
    assert locked is not None
    db.session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    if membership(user.id, circle) is not None:
        raise JoinRefused(JoinRefused.ALREADY_HERE)
    if circle.finished_on(today or utcnow().date()):
        raise JoinRefused(JoinRefused.FINISHED)
    if not circle.open and not (code and secrets.compare_digest(code, circle.invite_code)):
        raise JoinRefused(JoinRefused.CLOSED)
    other = current_circle(user.id, circle.course_id)
    if other is not None and other.id != circle.id:
        raise JoinRefused(JoinRefused.OTHER_CIRCLE, other)
    if member_count(circle) >= circle.capacity:
        raise JoinRefused(JoinRefused.FULL)
    member = CircleMember(circle_id=circle.id, user_id=user.id, role=role)
    db.session.add(member)
    _ensure_enrolled(user, circle.course)
    db.session.flush()
    return member


def leave_circle(user: User, circle: Circle) -> None:
    """End ``user``'s membership. Their build logs, submissions and reviews stay: they
    belong to the course, and the learner goes on self-paced (or joins another circle)."""
    member = membership(user.id, circle)
    if member is None:
        raise NotAMember
    member.left_at = utcnow()
    db.session.flush()


def new_code(circle: Circle) -> None:
    """A fresh invitation code: the old link (and printed QR codes) stop working."""
    circle.invite_code = new_invite_code()
    db.session.flush()
