from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ColumnElement, String, case, func, literal_column
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from peerlearn.db import CreatedAtMixin, UTCDateTime
from peerlearn.extensions import db
from peerlearn.i18n import _l

#: How the commons credits a person who deleted their account and chose no name.
FORMER_CONTRIBUTOR = _l("a former contributor")


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
    #: Set by a site admin: the account cannot log in and its sessions stop working.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "Show my learning activity on my profile"; private unless the person says so.
    activity_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: Set when the person deleted their account. The row stays only as the anchor of what
    #: they gave to the commons (revisions, proposals, translations), stripped of personal
    #: data (see accounts/deletion.py and docs/accounts.md).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The name a deleted account's contributions are credited to; None means
    #: "a former contributor" in the reader's language.
    credit_name: Mapped[str | None] = mapped_column(String(80))

    @property
    def is_active(self) -> bool:  # type: ignore[override]
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
