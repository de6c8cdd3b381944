from __future__ import annotations

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from peerlearn.db import CreatedAtMixin
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
