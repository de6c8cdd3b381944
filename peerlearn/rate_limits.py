"""Rate limits: how often one address may try a password or register, and how often one
account may post or upload.

Why: every login attempt costs about 120 ms of scrypt, so unthrottled logins are both a
password-guessing channel and a cheap way to load the server; posting and photo uploads are
throttled so that one account cannot flood a course or fill the disk.

A view says *which* limit applies with a marker (``login_limit``, ``register_limit``,
``reset_limit``, ``upload_limit``, ``post_limit``); :func:`setup_rate_limits` gives each app
its own Flask-Limiter and wraps the marked view functions of that app. One limiter per app,
not a module-level singleton, because Flask-Limiter keeps its storage and its on/off switch
on the instance: with a singleton, an app with limits off (the test suite's) and one with
limits on, or two apps on different storages, would overwrite each other's.

Only POSTs are counted; GETs never are. The numbers are settings read on every request
(``RATELIMIT_LOGIN`` and friends in :mod:`peerlearn.config`, limit strings such as
``"10/minute;50/hour"``; an empty string turns one off). Counts live in this process by
default (``memory://``, so ``make run`` needs nothing); ``PEERLEARN_RATELIMIT_STORAGE_URI``
or ``PEERLEARN_REDIS_URL`` (``redis://host:6379/0``) makes every app instance share them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_login import current_user
from werkzeug.wrappers import Response

View = TypeVar("View", bound=Callable[..., Any])

#: The attribute a marker leaves on a view function (functools.wraps copies it outwards).
_MARK = "_peerlearn_rate_limits"
#: Where the app's limiter lives in ``app.extensions``.
EXTENSION = "peerlearn_rate_limiter"
#: What a 429 says when the limiter cannot tell when the window ends.
DEFAULT_RETRY_SECONDS = 60


# --- Who is counted ------------------------------------------------------------------------


def client_address() -> str:
    """The client's address as the app sees it.

    Behind a reverse proxy this is the proxy's address unless ProxyFix
    (``PEERLEARN_PROXY_FIX``) rewrote it from ``X-Forwarded-For``; the header itself is
    never read here, since any client can set it and so pick a fresh bucket per request.
    """
    return request.remote_addr or "unknown"


def attempted_account() -> str:
    """The username or email a login or reset request names, normalised the way
    ``accounts.services.authenticate`` looks it up, so "Amina" and "amina" share a count.

    Hashed: the storage (Redis) then holds no email addresses, and a megabyte typed into
    the field makes a key of the usual size. Empty when the form names no account.
    """
    value = (request.form.get("login") or request.form.get("email") or "").strip().lower()
    return hashlib.sha256(value.encode()).hexdigest() if value else ""


def acting_user() -> str:
    """The signed-in account (its count follows it from address to address); the address
    for an anonymous request, which ``login_required`` turns away right after anyway."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"address:{client_address()}"


def _no_account_named() -> bool:
    return not attempted_account()


def _no_file_sent() -> bool:
    return not any(upload.filename for upload in request.files.values())


def _form_refused(response: Response) -> bool:
    """A login counts against the limits only when it failed: the views answer a refused
    form with 422. A class signing in together from one school address is not held up by
    its own successful logins; a guesser's failures all count."""
    return response.status_code == 422


# --- The limits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One limit: the setting that holds its limit string, the bucket it counts in (shared
    by every view with the rule), whom it counts, and which requests it skips or forgives."""

    setting: str
    scope: str
    key: Callable[[], str]
    deduct_when: Callable[[Response], bool] | None = None
    exempt_when: Callable[[], bool] | None = None

    def limit_string(self) -> str:
        return str(current_app.config.get(self.setting) or "")


LOGIN_PER_ADDRESS = Rule("RATELIMIT_LOGIN", "login-address", client_address, _form_refused)
LOGIN_PER_ACCOUNT = Rule(
    "RATELIMIT_LOGIN_ACCOUNT", "login-account", attempted_account, _form_refused,
    exempt_when=_no_account_named,
)  # fmt: skip
REGISTER_PER_ADDRESS = Rule("RATELIMIT_REGISTER", "register", client_address)
RESET_PER_ADDRESS = Rule("RATELIMIT_RESET", "reset-address", client_address)
RESET_PER_ACCOUNT = Rule(
    "RATELIMIT_RESET_ACCOUNT", "reset-account", attempted_account, exempt_when=_no_account_named
)
UPLOAD_PER_USER = Rule("RATELIMIT_UPLOAD", "upload", acting_user, exempt_when=_no_file_sent)
POST_PER_USER = Rule("RATELIMIT_POST", "post", acting_user)


def _marker(*rules: Rule) -> Callable[[View], View]:
    def mark(view: View) -> View:
        setattr(view, _MARK, (*getattr(view, _MARK, ()), *rules))
        return view

    return mark


#: Failed logins, per client address and per username or email tried (the ``login`` field).
#: Use it on any other form that checks a password: only its refused (422) answers count.
login_limit = _marker(LOGIN_PER_ADDRESS, LOGIN_PER_ACCOUNT)
#: Registration POSTs per client address.
register_limit = _marker(REGISTER_PER_ADDRESS)
#: Password-reset requests (each sends an email), per client address and per address asked
#: for (the form's ``email`` or ``login`` field). Also applied to ``accounts.reset_request``
#: when that endpoint exists and carries no marker of its own.
reset_limit = _marker(RESET_PER_ADDRESS, RESET_PER_ACCOUNT)
#: Requests that carry a photo, per user, in one bucket for every upload route.
upload_limit = _marker(UPLOAD_PER_USER)
#: Creating content (entries, reviews, proposals, comments, translations), per user, in
#: one bucket for every posting route.
post_limit = _marker(POST_PER_USER)

#: Limits for endpoints other packages own and may add, applied when they exist unmarked.
ENDPOINT_RULES: dict[str, tuple[Rule, ...]] = {
    "accounts.reset_request": (RESET_PER_ADDRESS, RESET_PER_ACCOUNT),
}


def rules_of(view: Callable[..., Any]) -> tuple[Rule, ...]:
    """The rules a view function was marked with."""
    return tuple(getattr(view, _MARK, ()))


# --- Wiring --------------------------------------------------------------------------------


def setup_rate_limits(app: Flask) -> None:
    """Give ``app`` its own limiter and wrap its marked views; call after the blueprints
    are registered. With ``RATELIMIT_ENABLED`` off (the test suite) views stay unwrapped."""
    config = app.config
    if not config.get("RATELIMIT_STORAGE_URI"):
        # Naming memory:// explicitly also keeps Flask-Limiter from warning about it.
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    limiter = Limiter(key_func=client_address)
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    if not limiter.enabled:
        return
    for endpoint, registered in list(app.view_functions.items()):
        view: Callable[..., Any] = registered
        rules = rules_of(view) or ENDPOINT_RULES.get(endpoint, ())
        for rule in rules:
            view = limiter.shared_limit(
                rule.limit_string,
                scope=rule.scope,
                key_func=rule.key,
                methods=["POST"],
                deduct_when=rule.deduct_when,
                exempt_when=rule.exempt_when,
            )(view)
        app.view_functions[endpoint] = view


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets the next attempt through."""
    limiter = current_app.extensions.get(EXTENSION)
    broken = limiter.current_limit if limiter is not None else None
    if broken is None:
        return DEFAULT_RETRY_SECONDS
    try:
        reset_at = broken.window.reset_time
    except Exception:  # the storage went away between the check and this page
        current_app.logger.warning("rate limit storage unreachable for Retry-After")
        return DEFAULT_RETRY_SECONDS
    return max(1, math.ceil(reset_at - time.time()))
