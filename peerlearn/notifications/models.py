"""The notice: one row per thing a user should know about, from any feature; and what
each person chose to receive."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from peerlearn.db import CreatedAtMixin, UTCDateTime
from peerlearn.extensions import Model


class Notification(CreatedAtMixin, Model):
    """An in-app notice. The text is built when shown, in the reader's language, from
    ``kind`` and ``params`` (JSON), so a notice written today reads right after the user
    switches language.

    The row is also the truth about its email: ``sent_at`` is None until it went out (or
    was refused for good), so a failed attempt never loses it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[str] = mapped_column(Text, default="{}")
    url: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the email went out (or was written to the log); None while not sent.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailMode(StrEnum):
    #: Each notice by email as it happens (through the job queue).
    IMMEDIATE = "immediate"
    #: One email a day with everything not sent yet (``peerlearn notifications digest``).
    DAILY = "daily"
    #: Notices in the app only.
    NEVER = "never"


class Channel(StrEnum):
    """What a person turned off for one kind (no row: in the app and by email)."""

    #: In the app, but never by email.
    EMAIL = "email"
    #: Not at all: no notice is recorded.
    ALL = "all"


class NotificationSettings(Model):
    """How a person wants their notices by email. No row means the defaults (each notice
    by email at once), so existing accounts need no data migration."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email_mode: Mapped[str] = mapped_column(String(16), default=EmailMode.IMMEDIATE.value)
    #: When the last daily digest went out: a second run the same day sends nothing.
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationOptOut(Model):
    """A kind a person turned off, by email only or altogether (see ``Channel``)."""

    __tablename__ = "notification_opt_outs"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
