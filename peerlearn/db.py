"""Declarative base, constraint naming and small column helpers shared by all models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, DateTime, MetaData, Result, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints make Alembic migrations reproducible on every database backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (pass the function, never its result)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always returns aware datetimes, even from SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


#: The largest id the database stores: primary keys are INTEGER columns, 32-bit signed on
#: PostgreSQL, which refuses a larger number in a query instead of finding nothing.
MAX_ID = 2**31 - 1


def as_id(value: object) -> int | None:
    """``value`` (a URL or form string, or an int) as a positive whole number the database
    can store, or None for anything else: missing, not a number, zero, negative, or beyond
    ``MAX_ID``. Look ids from requests up through this, so that ``?from=99999999999999999999``
    finds nothing instead of raising "integer out of range" on PostgreSQL."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isdigit() or len(text) > len(str(MAX_ID)):
            return None
        try:
            number = int(text)
        except ValueError:  # digits int() does not read (superscripts)
            return None
    return number if 0 < number <= MAX_ID else None


def rowcount(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE behind ``result`` matched. ``Session.execute`` is
    typed to return any Result; for those statements it is a CursorResult, the one that
    counts rows."""
    assert isinstance(result, CursorResult)
    return result.rowcount


# --- Answers kept for one database session ---------------------------------------------

#: The key of :func:`session_memo`'s answers in ``Session.info``.
_MEMO = "peerlearn.db.memo"


def session_memo(session: Session, name: str) -> dict[Any, Any] | None:
    """A dict, named ``name``, in which a read may keep answers that only a write can
    change (is this user a maintainer of that course? this learner's deadlines), so that
    the several parts of one page that ask cost one query. The session is one per
    request, so are the answers; they are forgotten at every flush, commit and rollback.
    None while the session holds changes not flushed yet: ask the database then (its
    autoflush sees them)."""
    if session.new or session.dirty or session.deleted:
        return None
    memo: dict[str, dict[Any, Any]] = session.info.setdefault(_MEMO, {})
    return memo.setdefault(name, {})


def _forget_memo(session: Session, *_: Any) -> None:
    session.info.pop(_MEMO, None)


for _moment in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _moment, _forget_memo)
