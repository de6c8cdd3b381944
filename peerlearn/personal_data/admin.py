"""Site administration of accounts: naming admins, locking accounts, removing a course's
maintainer. Services take the acting admin (None for the command line) and flush; the
caller checks permission (peerlearn/permissions.py) and commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from peerlearn.accounts import sessions
from peerlearn.accounts.models import User
from peerlearn.content.models import Course, CourseMaintainer
from peerlearn.db import rowcount, utcnow
from peerlearn.extensions import db


class AdminError(Exception):
    """Refused: ``code`` is unknown_user, deleted_user, last_admin, self or not_maintainer."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def user_by_username(username: str) -> User:
    """The live account called ``username``; deleted accounts are no one."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or user.deleted_at is not None:
        raise AdminError("unknown_user")
    return user


def admins() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.is_admin.is_(True), User.deleted_at.is_(None))
            .order_by(User.username)
        )
    )


def grant_admin(username: str) -> User:
    user = user_by_username(username)
    user.is_admin = True
    db.session.flush()
    return user


def revoke_admin(username: str) -> User:
    """Take admin rights away. The last admin stays: someone must be able to unlock."""
    user = user_by_username(username)
    if user.is_admin and [admin.id for admin in admins()] == [user.id]:
        raise AdminError("last_admin")
    user.is_admin = False
    db.session.flush()
    return user


def lock_account(actor: User | None, user: User, now: datetime | None = None) -> None:
    """Lock ``user`` out: no login, and every session they have stops working (the user
    loader refuses locked accounts). An admin cannot lock themself out."""
    if actor is not None and actor.id == user.id:
        raise AdminError("self")
    if user.deleted_at is not None:
        raise AdminError("deleted_user")
    if user.locked_at is None:
        user.locked_at = now or utcnow()
    sessions.revoke_all(user)  # ended for good: unlocking does not bring them back
    db.session.flush()


def unlock_account(actor: User | None, user: User) -> None:
    user.locked_at = None
    db.session.flush()


def remove_maintainer(actor: User | None, course: Course, user: User) -> None:
    """Take ``user`` off ``course``'s maintainers (a site admin's step, for an abandoned or
    abusive maintainer). The course may be left without one; admins can name another."""
    removed = rowcount(
        db.session.execute(
            delete(CourseMaintainer).where(
                CourseMaintainer.course_id == course.id, CourseMaintainer.user_id == user.id
            )
        )
    )
    if not removed:
        raise AdminError("not_maintainer")
    db.session.flush()
