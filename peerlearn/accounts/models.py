from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    case,
    func,
    literal_column,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model
from peerlearn.i18n import _l

#: How the commons credits a person who deleted their account and chose no name.
FORMER_CONTRIBUTOR = _l("a former contributor")
#: The longest name a deleted account may choose to be credited by.
CREDIT_NAME_MAX = 80


class User(UserMixin, CreatedAtMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lowercase, so "Maria" and "maria" cannot both register.
    username: Mapped[str] = mapped_column(String(40), unique=True)
    #: Stored lowercase; used for login and (later) notifications, never shown to peers.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Set by a site admin: the account cannot log in and its sessions stop working.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "Show my learning activity on my profile"; private unless the person says so.
    activity_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: Set when the person deleted their account. The row stays only as the anchor of what
    #: they gave to the commons (revisions, proposals, translations), stripped of personal
    #: data (see personal_data/deletion.py and docs/accounts.md).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The name a deleted account's contributions are credited to; None means
    #: "a former contributor" in the reader's language.
    credit_name: Mapped[str | None] = mapped_column(String(CREDIT_NAME_MAX))

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to log in an inactive user: locked or deleted accounts."""
        return self.locked_at is None and self.deleted_at is None

    @hybrid_property
    def display_name(self) -> str:
        """The name shown wherever the person is credited: their username, or for a deleted
        account the name they chose (or "a former contributor")."""
        if self.deleted_at is None:
            return self.username
        return self.credit_name or str(FORMER_CONTRIBUTOR)

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls) -> ColumnElement[str]:
        # In SQL (credits computed in one query) the default is the English wording.
        return case(
            (
                cls.deleted_at.is_not(None),
                # A constant in the SQL text, not a bound parameter, so that the same
                # expression in SELECT and GROUP BY is the same expression to PostgreSQL.
                func.coalesce(cls.credit_name, literal_column("'a former contributor'")),
            ),
            else_=cls.username,
        )

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserSession(CreatedAtMixin, Model):
    """One signed-in browser. The signed cookie carries a random token; only its SHA-256
    is stored, so a copy of the database signs nobody in. Logging out, changing the
    password or an admin's "sign out everywhere" sets ``revoked_at``; every request
    checks it, so a copied cookie stops working on every instance at once."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: Updated at most every few minutes (``SESSION_TOUCH_MINUTES``), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The browser as the person will recognise it in their list ("Firefox on Android").
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccountToken(CreatedAtMixin, Model):
    """A single-use link sent by email: a password reset, or the confirmation of a new
    account. Only the token's SHA-256 is stored. A confirmation carries the account it
    will create (``payload``, JSON with the password already hashed) instead of a user,
    so that nothing — not even the username — is taken before the address is proven."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: "reset" or "confirm" (see ``peerlearn.accounts.reset.TokenPurpose``).
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
