"""Server-side sessions: a row per signed-in browser, so that logging out, changing the
password or an admin's "sign out everywhere" ends a session on every instance at once,
however many copies of its cookie exist.

The signed cookie carries a random token; the database keeps only its SHA-256. Checking a
request costs one query (the user and the session row together); ``last_seen_at`` is
written at most every ``SESSION_TOUCH_MINUTES``. A session unused for longer than the
idle limit (``SESSION_IDLE_DAYS``; ``ADMIN_SESSION_IDLE_HOURS`` for admins) is refused.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ScalarSelect, select, update

from peerlearn.accounts.models import User, UserSession
from peerlearn.db import utcnow
from peerlearn.extensions import db

#: The key of the session token in Flask's signed cookie.
SESSION_KEY = "_sid"

#: Figures about the signed-in user that the header of every page shows (the unread
#: notices), read in the same query as the user and the session, so that no template
#: global has to query (issue #12). A feature above accounts adds its own at import: a
#: name and a function of the ``users.id`` column giving a correlated scalar subquery.
HEADER_FIGURES: dict[str, Callable[[Any], ScalarSelect[Any]]] = {}

#: Facts about the signed-in user that the permission checks need (the courses they
#: maintain, the languages they translate), read in the same query too, so that the acting
#: user of a request (``peerlearn.web.current_actor``) costs no query of its own. Same
#: form as :data:`HEADER_FIGURES`; each subquery gives its facts as one string, comma
#: separated (``aggregate_strings``), or NULL.
USER_FACTS: dict[str, Callable[[Any], ScalarSelect[Any]]] = {}


def new_token() -> str:
    """A random token of 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token. A plain SHA-256 is enough: the token is
    random, not a password, so there is nothing to guess from a leaked hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, user_agent: str = "") -> str:
    """Record a new session for ``user``; returns the token for the cookie."""
    token = new_token()
    db.session.add(
        UserSession(
            token_hash=token_hash(token), user_id=user.id, user_agent=short_user_agent(user_agent)
        )
    )
    db.session.flush()
    return token


def load_session(
    user_id: int, token: str
) -> tuple[User, UserSession, dict[str, int], dict[str, str]] | None:
    """The user, their session, the header's figures (:data:`HEADER_FIGURES`) and the
    permission checks' facts (:data:`USER_FACTS`) for a request's cookie, in one query;
    None when the session is unknown, revoked or belongs to someone else."""
    names = list(HEADER_FIGURES)
    fact_names = list(USER_FACTS)
    row = db.session.execute(
        select(
            User,
            UserSession,
            *(HEADER_FIGURES[name](User.id).label(f"figure_{name}") for name in names),
            *(USER_FACTS[name](User.id).label(f"fact_{name}") for name in fact_names),
        )
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == token_hash(token),
            UserSession.revoked_at.is_(None),
            User.id == user_id,
        )
    ).first()
    if row is None:
        return None
    values = row[2:]
    figures = {
        name: int(value or 0) for name, value in zip(names, values[: len(names)], strict=True)
    }
    facts = {
        name: str(value or "") for name, value in zip(fact_names, values[len(names) :], strict=True)
    }
    return row[0], row[1], figures, facts


def user_facts(user_id: int) -> dict[str, str]:
    """:data:`USER_FACTS` of one user, in one query: for a request whose facts changed
    since its session was read (a maintainer added), or that signed in on the way."""
    names = list(USER_FACTS)
    if not names:
        return {}
    row = db.session.execute(
        select(*(USER_FACTS[name](User.id).label(f"fact_{name}") for name in names)).where(
            User.id == user_id
        )
    ).first()
    return {name: str(value or "") for name, value in zip(names, row or (), strict=False)}


def idle_limit(user: User) -> timedelta:
    config = current_app.config
    if user.is_admin:
        return timedelta(hours=float(config["ADMIN_SESSION_IDLE_HOURS"]))
    return timedelta(days=float(config["SESSION_IDLE_DAYS"]))


def is_idle(record: UserSession, user: User, now: datetime | None = None) -> bool:
    """Whether the session went unused for longer than ``user`` may stay signed in."""
    return (now or utcnow()) - record.last_seen_at > idle_limit(user)


def needs_touch(record: UserSession, now: datetime | None = None) -> bool:
    minutes = float(current_app.config["SESSION_TOUCH_MINUTES"])
    return (now or utcnow()) - record.last_seen_at >= timedelta(minutes=minutes)


def touch(session_id: int, now: datetime | None = None) -> None:
    """Note that the session was used; one UPDATE, no object loaded."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id)
        .values(last_seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def revoke_token(token: str) -> None:
    """End the session whose cookie carries ``token`` (logging out)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def revoke_all(user: User, keep_token: str | None = None) -> int:
    """End every session of ``user`` except the one carrying ``keep_token``; returns how
    many ended. Used after a password change or reset, and by an admin."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_token is not None:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    result = db.session.execute(
        query.values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def active_sessions(user: User, now: datetime | None = None) -> list[UserSession]:
    """``user``'s sessions still usable, most recently used first."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .where(UserSession.last_seen_at >= now - idle_limit(user))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return list(rows)


def is_current(record: UserSession, token: str | None) -> bool:
    return token is not None and secrets.compare_digest(record.token_hash, token_hash(token))


_BROWSERS = (
    ("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
)  # fmt: skip
_SYSTEMS = (
    ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
    ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
)  # fmt: skip


def short_user_agent(user_agent: str) -> str:
    """A name like "Firefox / Android": enough to recognise one's own devices in a list,
    and no more of the header (which any client sets freely) than fits in 120 characters."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    system = next((name for key, name in _SYSTEMS if key in user_agent), "")
    if browser and system:
        return f"{browser} / {system}"
    text = browser or system or re.sub(r"[^\w .;:/()-]", "", user_agent)
    return text[:120]
