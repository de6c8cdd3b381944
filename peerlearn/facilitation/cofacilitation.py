"""Co-facilitation: a facilitator names a member co-facilitator, and steps down while
another remains.

A change of role closes the member's row and opens a new one (``left_at`` / ``joined_at``),
as leaving and joining do, so the circle's history says who facilitated when. The circle's
row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite writes one at a time), so two
facilitators stepping down at once cannot leave the circle with none.
"""

from __future__ import annotations

from sqlalchemy import func, select

from peerlearn.accounts.models import User
from peerlearn.circles.models import FACILITATOR, LEARNER, Circle, CircleMember
from peerlearn.db import utcnow
from peerlearn.extensions import db


class CoFacilitationRefused(Exception):
    """``code`` picks the sentence (``forms.REFUSALS``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _lock(circle: Circle) -> None:
    db.session.execute(select(Circle.id).where(Circle.id == circle.id).with_for_update())


def _current(circle: Circle, user_id: int) -> CircleMember | None:
    return db.session.scalar(
        select(CircleMember).where(
            CircleMember.circle_id == circle.id,
            CircleMember.user_id == user_id,
            CircleMember.left_at.is_(None),
        )
    )


def _change_role(member: CircleMember, role: str) -> CircleMember:
    now = utcnow()
    member.left_at = now
    again = CircleMember(
        circle_id=member.circle_id, user_id=member.user_id, role=role, joined_at=now
    )
    db.session.add(again)
    db.session.flush()
    return again


def promote(acting: User, circle: Circle, username: str) -> CircleMember:
    """Make the current member ``username`` a facilitator of ``circle``.

    Refused: ``not_facilitator`` (the actor), ``not_member``, ``already``."""
    _lock(circle)
    mine = _current(circle, acting.id)
    if mine is None or mine.role != FACILITATOR:
        raise CoFacilitationRefused("not_facilitator")
    user_id = db.session.scalar(select(User.id).where(User.username == username.strip().lower()))
    member = _current(circle, user_id) if user_id is not None else None
    if member is None:
        raise CoFacilitationRefused("not_member")
    if member.role == FACILITATOR:
        raise CoFacilitationRefused("already")
    return _change_role(member, FACILITATOR)


def step_down(acting: User, circle: Circle) -> CircleMember:
    """The acting facilitator becomes a learner of the circle, if another facilitator
    remains (``last_facilitator`` otherwise; ``not_facilitator`` for anyone else)."""
    _lock(circle)
    mine = _current(circle, acting.id)
    if mine is None or mine.role != FACILITATOR:
        raise CoFacilitationRefused("not_facilitator")
    others = db.session.scalar(
        select(func.count(CircleMember.id)).where(
            CircleMember.circle_id == circle.id,
            CircleMember.left_at.is_(None),
            CircleMember.role == FACILITATOR,
            CircleMember.user_id != acting.id,
        )
    )
    if not others:
        raise CoFacilitationRefused("last_facilitator")
    return _change_role(mine, LEARNER)


def facilitators(circle: Circle) -> list[User]:
    """The circle's current facilitators, by username (one query)."""
    return list(
        db.session.scalars(
            select(User)
            .join(CircleMember, CircleMember.user_id == User.id)
            .where(
                CircleMember.circle_id == circle.id,
                CircleMember.left_at.is_(None),
                CircleMember.role == FACILITATOR,
            )
            .order_by(User.username)
        )
    )
