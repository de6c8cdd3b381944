"""Who is in which circle. Other features (review allocation, the facilitator's view,
discussions, deadlines) ask these questions, so they live in one small module with no
view code.

A membership is current while ``left_at`` is None. A person has at most one current
circle per course (joining checks it): a course has one schedule for each learner.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from peerlearn.circles.models import FACILITATOR, Circle, CircleMember
from peerlearn.extensions import db


def current_circle(user_id: int | None, course_id: int) -> Circle | None:
    """The circle ``user_id`` is in for this course now, or None (self-paced, or signed
    out). One query."""
    if user_id is None:
        return None
    return db.session.scalar(
        select(Circle)
        .join(CircleMember, CircleMember.circle_id == Circle.id)
        .where(
            Circle.course_id == course_id,
            CircleMember.user_id == user_id,
            CircleMember.left_at.is_(None),
        )
        .order_by(CircleMember.joined_at.desc(), CircleMember.id.desc())
        .limit(1)
    )


def membership(user_id: int | None, circle: Circle) -> CircleMember | None:
    """``user_id``'s current membership row in ``circle``, or None."""
    if user_id is None:
        return None
    return db.session.scalar(
        select(CircleMember)
        .where(
            CircleMember.circle_id == circle.id,
            CircleMember.user_id == user_id,
            CircleMember.left_at.is_(None),
        )
        .limit(1)
    )


def member_ids(circle: Circle) -> list[int]:
    """The user ids of the circle's current members (facilitators included), in the
    order they joined. One query."""
    return list(
        db.session.scalars(
            select(CircleMember.user_id)
            .where(CircleMember.circle_id == circle.id, CircleMember.left_at.is_(None))
            .order_by(CircleMember.joined_at, CircleMember.id)
        )
    )


def current_members(circle: Circle) -> list[CircleMember]:
    """The circle's current membership rows, users loaded (one query)."""
    return list(
        db.session.scalars(
            select(CircleMember)
            .where(CircleMember.circle_id == circle.id, CircleMember.left_at.is_(None))
            # Joined, not selectin: selectin loads 500 ids a query, so a circle of 501
            # members would cost one query more than a circle of 5.
            .options(joinedload(CircleMember.user))
            .order_by(CircleMember.joined_at, CircleMember.id)
        )
    )


def members_page(circle: Circle, page: int, per_page: int) -> list[CircleMember]:
    """One page of the circle's current membership rows, users loaded (one query however
    big the circle): facilitators first, then in the order people joined, so the page a
    visitor opens first says who runs the circle."""
    return list(
        db.session.scalars(
            select(CircleMember)
            .where(CircleMember.circle_id == circle.id, CircleMember.left_at.is_(None))
            .options(joinedload(CircleMember.user))
            .order_by((CircleMember.role != FACILITATOR), CircleMember.joined_at, CircleMember.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )


def member_count(circle: Circle) -> int:
    return (
        db.session.scalar(
            select(func.count(CircleMember.id)).where(
                CircleMember.circle_id == circle.id, CircleMember.left_at.is_(None)
            )
        )
        or 0
    )


def is_member(user_id: int | None, circle: Circle) -> bool:
    return membership(user_id, circle) is not None


def is_facilitator(user_id: int | None, circle: Circle) -> bool:
    """Whether ``user_id`` currently facilitates ``circle`` (co-facilitators too)."""
    member = membership(user_id, circle)
    return member is not None and member.role == FACILITATOR
