"""Single-use links sent by email: resetting a forgotten password, and finishing a
registration (proving the address before the account exists).

Only a token's SHA-256 is stored; the token itself exists in the email alone. A link
works once, until it expires (``PASSWORD_RESET_HOURS``, ``REGISTRATION_CONFIRM_HOURS``).

The emails go out through the site's mailer (``peerlearn.review.mail``, SMTP or the log)
by the ``account_email`` signal: accounts sits below the features and may not import
them. A view sends the signal after its commit, so a link is only mailed when its token
is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from blinker import Namespace
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from peerlearn.accounts.models import AccountToken, User
from peerlearn.accounts.services import email_taken, hash_password, username_taken
from peerlearn.accounts.sessions import new_token, revoke_all, token_hash
from peerlearn.db import utcnow
from peerlearn.extensions import db

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.local import LocalProxy

_signals = Namespace()
#: Sent with ``email=AccountEmail(...)``; ``peerlearn.review.mail`` delivers it.
account_email = _signals.signal("account-email")


class TokenPurpose(StrEnum):
    RESET = "reset"  #: sets a new password for ``user_id``
    CONFIRM = "confirm"  #: creates the account described by ``payload``


class TokenState(StrEnum):
    VALID = "valid"  #: may be used now
    USED = "used"  #: used already (or replaced by a newer link)
    EXPIRED = "expired"  #: too old
    UNKNOWN = "unknown"  #: never issued, or mistyped


@dataclass(frozen=True)
class AccountEmail:
    """An email about the account itself, written in the recipient's language.

    ``kind`` is logged instead of the text when no SMTP server is configured: the text
    holds a secret link, which must not land in a log file."""

    to: str
    subject: str
    body: str
    locale: str
    kind: str
    user_id: int | None = None


def send_account_email(email: AccountEmail) -> None:
    """Hand ``email`` to the mailer (call after the commit that stored its token)."""
    # The app itself, not the proxy, is the sender receivers connect to. Flask types
    # ``current_app`` as the app; at runtime it is the LocalProxy that can unwrap it.
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()
    account_email.send(app, email=email)


def _issue(purpose: TokenPurpose, hours: float, **fields: Any) -> str:
    token = new_token()
    db.session.add(
        AccountToken(
            token_hash=token_hash(token),
            purpose=purpose.value,
            expires_at=utcnow() + timedelta(hours=hours),
            **fields,
        )
    )
    db.session.flush()
    return token


def find_token(token: str, purpose: TokenPurpose) -> tuple[AccountToken | None, TokenState]:
    """The stored token for a link, and whether it may be used."""
    record = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose.value
        )
    )
    if record is None:
        return None, TokenState.UNKNOWN
    if record.used_at is not None:
        return record, TokenState.USED
    if record.expires_at <= utcnow():
        return record, TokenState.EXPIRED
    return record, TokenState.VALID


def _use(record: AccountToken) -> bool:
    """Mark ``record`` used, unless a concurrent request did first (then False)."""
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


# --- Password reset -----------------------------------------------------------------------


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def issue_reset(user: User) -> str:
    """A reset token for ``user``, valid ``PASSWORD_RESET_HOURS``; returns the token."""
    return _issue(
        TokenPurpose.RESET, float(current_app.config["PASSWORD_RESET_HOURS"]), user_id=user.id
    )


def reset_password(record: AccountToken, new_password: str) -> User | None:
    """Set the password of the reset token's user, use the token up (and every other
    reset link of that user), and end all their sessions. None when the token was used
    meanwhile."""
    user = db.session.get(User, record.user_id) if record.user_id is not None else None
    if user is None or not _use(record):
        return None
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.RESET.value,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    user.password_hash = hash_password(new_password)
    revoke_all(user)
    db.session.flush()
    return user


# --- Registration confirmed by email ------------------------------------------------------


def confirmation_required() -> bool:
    """Whether a new account waits for its address to be confirmed (see the setting
    ``REGISTRATION_CONFIRM_EMAIL``)."""
    setting = current_app.config.get("REGISTRATION_CONFIRM_EMAIL")
    if setting is None:
        return bool(current_app.config.get("SMTP_HOST"))
    return bool(setting)


def issue_confirmation(username: str, email: str, password: str, locale: str) -> str:
    """A token that creates this account when its link is opened; nothing is reserved
    until then, so the form's answer is the same whether the address is known or not."""
    payload = {
        "username": username.lower(),
        "email": email.lower(),
        "password_hash": hash_password(password),
        "locale": locale,
    }
    return _issue(
        TokenPurpose.CONFIRM,
        float(current_app.config["REGISTRATION_CONFIRM_HOURS"]),
        payload=json.dumps(payload),
    )


def confirm_registration(record: AccountToken) -> User | None:
    """Create the account of a confirmation token. None when the token was used
    meanwhile, or its username or address was taken since (the person registers again)."""
    try:
        data = json.loads(record.payload)
    except ValueError:
        return None
    if username_taken(data["username"]) or email_taken(data["email"]) or not _use(record):
        return None
    user = User(
        username=data["username"],
        email=data["email"],
        password_hash=data["password_hash"],
        locale=data["locale"],
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        return None
    return user
