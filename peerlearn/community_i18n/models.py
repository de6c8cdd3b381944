"""Translators, suggested translations and the pointer to the approved text in use.

History is append-only (house rule 3): every suggestion, and every text a translator
saves directly, is a row of ``translation_suggestions`` whose words are never changed;
only its review (status, reviewer, time) is recorded once. The text in use for a message
is ``translation_overrides``, a pointer per (language, message) to the suggestion approved
most recently. ``translation_versions`` changes with every approval, so that each app
instance knows with one small query per request whether its cached overrides are stale.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User


class SuggestionStatus(StrEnum):
    #: Waiting for a translator of the language to approve or reject it.
    PENDING = "pending"
    #: Accepted by a translator (or saved directly by one); it was, or is, the text in use.
    APPROVED = "approved"
    #: Declined by a translator; kept so that the conversation about a message stays whole.
    REJECTED = "rejected"


class Translator(CreatedAtMixin, Model):
    """A user a site admin named translator for one interface language.

    Translators approve and reject suggestions for their language, save texts directly
    and export the language's ``.po`` file. Revoking deletes the row: it is a permission,
    not something the user wrote (what they approved keeps ``reviewed_by``).
    """

    __tablename__ = "translators"
    __table_args__ = (UniqueConstraint("user_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: An interface language code from ``LANGUAGES`` ("es", "sw", ...).
    locale: Mapped[str] = mapped_column(String(16), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])


class TranslationSuggestion(CreatedAtMixin, Model):
    """One proposed text for one interface message in one language.

    ``text`` is a JSON list of strings: one item for a simple message, one per plural form
    of the language (in the catalog's order) for a plural message. The message is
    identified by ``msg_key`` (see ``catalog.message_key``: context and msgid, as gettext
    looks it up); ``msgid``/``msgid_plural``/``context`` are kept so that the text can be
    layered and exported without the catalog.
    """

    __tablename__ = "translation_suggestions"
    __table_args__ = (
        Index("ix_translation_suggestions_message", "locale", "msg_key", "status"),
        Index("ix_translation_suggestions_status", "locale", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(16))
    msg_key: Mapped[str] = mapped_column(String(40))
    msgid: Mapped[str] = mapped_column(Text)
    msgid_plural: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=SuggestionStatus.PENDING.value)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def forms(self) -> tuple[str, ...]:
        """The text as a tuple: one item, or one per plural form."""
        return decode_forms(self.text)


def encode_forms(forms: list[str] | tuple[str, ...]) -> str:
    return json.dumps(list(forms), ensure_ascii=False)


def decode_forms(text: str) -> tuple[str, ...]:
    return tuple(str(form) for form in json.loads(text))


class TranslationOverride(Model):
    """The approved text in use for one message in one language: a pointer to the
    suggestion approved most recently ("latest approved wins")."""

    __tablename__ = "translation_overrides"
    __table_args__ = (UniqueConstraint("locale", "msg_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(16))
    msg_key: Mapped[str] = mapped_column(String(40))
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("translation_suggestions.id", ondelete="CASCADE")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    suggestion: Mapped[TranslationSuggestion] = relationship()


class TranslationVersion(Model):
    """Changes whenever a language's overrides change; each app instance compares it with
    the version of its cached overrides once per request.

    A random token rather than a counter: a counter could come back to a value an instance
    has cached (a restored backup, an emptied table) and leave its cache stale for good.
    """

    __tablename__ = "translation_versions"

    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
