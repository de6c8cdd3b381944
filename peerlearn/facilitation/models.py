"""A facilitator's message to their circle.

The message is stored once; each current member gets a notice that links to it (the
notice holds no text of its own), so a message of a 500-member circle is one row here and
the fan-out happens in a job, after the request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User


class CircleMessage(CreatedAtMixin, Model):
    """Never edited (history is append-only); the author may be gone (SET NULL)."""

    __tablename__ = "circle_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Markdown, rendered through the one sanitizer.
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()
