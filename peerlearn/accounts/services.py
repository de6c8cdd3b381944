"""Account operations. Services take the acting user explicitly and flush; views commit."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from peerlearn.accounts.models import User
from peerlearn.accounts.passwords import needs_rehash
from peerlearn.extensions import db

# A hash of a random password, checked when no user matches so that a wrong username
# costs the same time as a wrong password and does not reveal who has an account.
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username == username.lower())) is not None


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email.lower())) is not None


def register_user(
    username: str, email: str, password: str, locale: str, timezone: str = "UTC"
) -> User:
    user = User(
        username=username.lower(),
        email=email.lower(),
        password_hash=hash_password(password),
        locale=locale,
        timezone=timezone,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The user whose username or email is ``login`` and whose password matches."""
    login = login.strip().lower()
    user = db.session.scalar(
        select(User).where(or_(User.username == login, func.lower(User.email) == login))
    )
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("not-a-real-password", method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash, current_app.config["PASSWORD_HASH_METHOD"]):
        # The only moment the password is known: store it at today's cost.
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def set_preferences(user: User, locale: str | None = None, timezone: str | None = None) -> None:
    if locale is not None:
        user.locale = locale
    if timezone is not None:
        user.timezone = timezone
    db.session.flush()
