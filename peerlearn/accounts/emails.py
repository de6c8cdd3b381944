"""The texts of the emails about an account (reset link, confirmation, "someone tried
to register with your address"), each in its recipient's language."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale

from peerlearn.accounts.models import User
from peerlearn.accounts.reset import AccountEmail
from peerlearn.i18n import _


def _link(endpoint: str, **values: Any) -> str:
    """An absolute link from ``SITE_URL``, never from the request's Host header (which a
    client sets freely: a forged one would send the secret link to the attacker)."""
    base = str(current_app.config.get("SITE_URL") or "").rstrip("/")
    return base + url_for(endpoint, **values)


def _locale(code: str) -> str:
    languages = current_app.config["LANGUAGES"]
    return code if code in languages else str(current_app.config["BABEL_DEFAULT_LOCALE"])


def reset_email(user: User, token: str) -> AccountEmail:
    locale = _locale(user.locale)
    with force_locale(locale):
        subject = _("Choose a new password for peerlearn")
        body = "\n\n".join(
            [
                _(
                    "Someone (we hope you) asked to choose a new password for your peerlearn "
                    "account %(username)s. Open this link to do it:",
                    username=user.username,
                ),
                _link("security.reset_link", token=token),
                _("The link works only once, and only for a short time."),
                _("If you did not ask for this, ignore this email: your password stays as it is."),
            ]
        )
    return AccountEmail(user.email, subject, body + "\n", locale, "password_reset", user.id)


def email_taken_email(user: User, token: str) -> AccountEmail:
    locale = _locale(user.locale)
    with force_locale(locale):
        subject = _("Someone tried to register with your email address")
        body = "\n\n".join(
            [
                _(
                    "Someone tried to create a new peerlearn account with this email address. "
                    "It already belongs to your account %(username)s.",
                    username=user.username,
                ),
                _("If it was you, log in here: %(link)s", link=_link("accounts.login")),
                _("If you forgot your password, choose a new one with this link:"),
                _link("security.reset_link", token=token),
                _("The link works only once, and only for a short time."),
                _("If it was not you, ignore this email: nothing has changed."),
            ]
        )
    return AccountEmail(user.email, subject, body + "\n", locale, "register_taken", user.id)


def confirm_email(username: str, email: str, locale: str, token: str) -> AccountEmail:
    locale = _locale(locale)
    with force_locale(locale):
        subject = _("Confirm your email address for peerlearn")
        body = "\n\n".join(
            [
                _(
                    "Welcome to peerlearn! To finish creating your account %(username)s, "
                    "open this link:",
                    username=username,
                ),
                _link("security.confirm_link", token=token),
                _("If you did not sign up, ignore this email: no account will be created."),
            ]
        )
    return AccountEmail(email, subject, body + "\n", locale, "register_confirm")
