"""What each person chose to receive: an email mode, and the kinds they turned off.

Read in bulk (one query per table for any number of recipients), because a reply in a
thread with a thousand followers asks about a thousand people at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from peerlearn.extensions import db
from peerlearn.notifications.kinds import BY_NAME
from peerlearn.notifications.models import (
    Channel,
    EmailMode,
    NotificationOptOut,
    NotificationSettings,
)


@dataclass
class Preferences:
    """One person's choices; the defaults when they never chose."""

    email_mode: EmailMode = EmailMode.IMMEDIATE
    #: kind name -> what is turned off for it.
    off: dict[str, Channel] = field(default_factory=dict)

    def channel(self, kind: str) -> Channel | None:
        return self.off.get(kind)


def email_modes(user_ids: Iterable[int]) -> dict[int, EmailMode]:
    """The email mode of each of ``user_ids`` that chose one other than the default."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(NotificationSettings.user_id, NotificationSettings.email_mode).where(
            NotificationSettings.user_id.in_(ids)
        )
    )
    return {row.user_id: EmailMode(row.email_mode) for row in rows}


def opt_outs(user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], Channel]:
    """(user id, kind) -> what is turned off, for ``user_ids`` and ``kinds``."""
    ids, names = list(set(user_ids)), list(set(kinds))
    if not ids or not names:
        return {}
    rows = db.session.execute(
        select(
            NotificationOptOut.user_id, NotificationOptOut.kind, NotificationOptOut.channel
        ).where(NotificationOptOut.user_id.in_(ids), NotificationOptOut.kind.in_(names))
    )
    return {(row.user_id, row.kind): Channel(row.channel) for row in rows}


def preferences_of(user_id: int) -> Preferences:
    mode = email_modes([user_id]).get(user_id, EmailMode.IMMEDIATE)
    rows = db.session.execute(
        select(NotificationOptOut.kind, NotificationOptOut.channel).where(
            NotificationOptOut.user_id == user_id
        )
    )
    return Preferences(mode, {row.kind: Channel(row.channel) for row in rows})


def save_preferences(user_id: int, email_mode: EmailMode, off: dict[str, Channel]) -> None:
    """Replace ``user_id``'s choices (kinds not in the list are ignored); flushes only."""
    settings = db.session.get(NotificationSettings, user_id)
    if settings is None:
        settings = NotificationSettings(user_id=user_id)
        db.session.add(settings)
    settings.email_mode = email_mode.value
    db.session.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user_id))
    db.session.add_all(
        NotificationOptOut(user_id=user_id, kind=kind, channel=channel.value)
        for kind, channel in sorted(off.items())
        if kind in BY_NAME
    )
    db.session.flush()
