from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import db


class User(UserMixin, CreatedAtMixin, db.Model):  # type: ignore[name-defined,misc]
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

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserSession(CreatedAtMixin, db.Model):  # type: ignore[name-defined]
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


class AccountToken(CreatedAtMixin, db.Model):  # type: ignore[name-defined]
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
