"""The notice: one row per thing a user should know about, from any feature."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
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
