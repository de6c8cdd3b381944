"""Circles, their members and their own deadlines.

A circle is a run of a course (Open edX's "course run", P2PU's learning circle): the
course's content is shared, the dates are the circle's. Membership is never deleted when
a learner leaves (``left_at``): their build logs and reviews belong to the course, and
the circle's history (who took part) stays readable after it finishes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.assignments.models import Assignment
    from peerlearn.content.models import Course


#: The two roles in a circle. A facilitator hosts the meetings and sets the dates; they
#: are a member like any other (and may take the course themselves).
FACILITATOR = "facilitator"
LEARNER = "learner"
ROLES = (FACILITATOR, LEARNER)


class Circle(CreatedAtMixin, Model):
    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The locale the circle meets in (one of the interface languages' codes).
    language: Mapped[str] = mapped_column(String(20), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    #: Where it meets, as the facilitator says it: "village hall", "WhatsApp group".
    meeting_place: Mapped[str] = mapped_column(String(300), default="")
    #: 0 = Monday … 6 = Sunday; None when the circle has no regular meeting.
    meeting_weekday: Mapped[int | None] = mapped_column(Integer)
    meeting_time: Mapped[time | None] = mapped_column(Time)
    #: The IANA zone the meeting time is in (the circle's local time, not the viewer's).
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    capacity: Mapped[int] = mapped_column(Integer, default=12)
    #: True: anyone signed in may join; False: only with the invitation code.
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The secret in the invitation link (random, URL-safe).
    invite_code: Mapped[str] = mapped_column(String(43), unique=True)
    #: Fewest active members with a submission before peer review stays inside the circle.
    review_min_pool: Mapped[int] = mapped_column(Integer, default=4)
    #: Whether review falls back to the whole course while the circle is below that.
    review_fallback: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The last day of the circle; after it the circle is finished (read-only, not gone).
    ends_on: Mapped[date | None] = mapped_column(Date)

    course: Mapped[Course] = relationship()
    created_by: Mapped[User | None] = relationship()
    members: Mapped[list[CircleMember]] = relationship(
        back_populates="circle",
        order_by="CircleMember.joined_at, CircleMember.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    deadlines: Mapped[list[CircleDeadline]] = relationship(
        back_populates="circle", cascade="all, delete-orphan", passive_deletes=True
    )

    def finished_on(self, today: date) -> bool:
        """Whether the circle has ended by ``today`` (a date in the circle's own zone)."""
        return self.ends_on is not None and self.ends_on < today


class CircleMember(Model):
    """One person's membership of one circle. Leaving sets ``left_at``; joining again
    later makes a new row, so the history says who was there when."""

    __tablename__ = "circle_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=LEARNER)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    circle: Mapped[Circle] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def current(self) -> bool:
        return self.left_at is None


class CircleDeadline(Model):
    """A circle's own dates for one assignment, which replace the bundle's for its
    members. Either may be None: no deadline for that step."""

    __tablename__ = "circle_deadlines"
    __table_args__ = (UniqueConstraint("circle_id", "assignment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    submit_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_by: Mapped[datetime | None] = mapped_column(UTCDateTime())

    circle: Mapped[Circle] = relationship(back_populates="deadlines")
    assignment: Mapped[Assignment] = relationship()
