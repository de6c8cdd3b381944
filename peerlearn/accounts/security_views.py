"""Password and session pages: change the password, sign out other browsers, "forgot
password" and its emailed link, finishing a registration by email. They are the
``security`` blueprint, which ``create_app`` registers next to ``accounts`` (this module
reuses the accounts views' settings page and session start, so it cannot be nested in
that blueprint without an import cycle). An admin's "sign out everywhere" is with the other
admin buttons in :mod:`peerlearn.personal_data.views`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import rate_limits
from peerlearn.accounts import sessions
from peerlearn.accounts.emails import reset_email
from peerlearn.accounts.forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm
from peerlearn.accounts.models import User
from peerlearn.accounts.reset import (
    TokenPurpose,
    TokenState,
    confirm_registration,
    find_token,
    issue_reset,
    reset_password,
    send_account_email,
    user_by_email,
)
from peerlearn.accounts.services import hash_password
from peerlearn.accounts.sessions import SESSION_KEY
from peerlearn.accounts.views import _start_session, settings_page
from peerlearn.extensions import db
from peerlearn.i18n import _

#: Where the reset token waits between the emailed link and the form, so that the token
#: is in the address bar (and a Referer header) for one redirect only.
_RESET_TOKEN = "_reset_token"

bp = Blueprint("security", __name__)


def _current_token() -> str | None:
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


# --- Settings: password and sessions -----------------------------------------------------


@bp.post("/settings/password")
@login_required
@rate_limits.login_limit
def change_password() -> tuple[str, int] | Response:
    form = ChangePasswordForm(current_user)
    if not form.validate_on_submit():
        return settings_page(password_form=form, status=422)
    current_user.password_hash = hash_password(form.new_password.data)
    ended = sessions.revoke_all(current_user, keep_token=_current_token())
    db.session.commit()
    flash(_("Your password is changed."), "success")
    if ended:
        flash(_("Your other sessions are signed out."), "info")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/sessions/sign-out-others")
@login_required
def sign_out_others() -> Response:
    sessions.revoke_all(current_user, keep_token=_current_token())
    db.session.commit()
    flash(_("Your other sessions are signed out."), "success")
    return redirect(url_for("accounts.settings"))


# --- Forgotten password -------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limits.reset_limit
def forgot_password() -> str | tuple[str, int]:
    """The same answer for every address, known or not: who has an account is private."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/forgot.html", form=form), status
    user = user_by_email(form.email.data)
    if user is not None:
        email = reset_email(user, issue_reset(user))
        db.session.commit()
        send_account_email(email)
    return render_template("accounts/check_mail.html", email=form.email.data, purpose="reset")


def _invalid_link(state: TokenState) -> tuple[str, int]:
    status = 404 if state is TokenState.UNKNOWN else 410
    return render_template("accounts/link_invalid.html", state=state.value), status


@bp.get("/password/reset/<token>")
def reset_link(token: str) -> Response | tuple[str, int]:
    """The emailed link: keep the token in the session and move to an address without it."""
    _record, state = find_token(token, TokenPurpose.RESET)
    if state is not TokenState.VALID:
        return _invalid_link(state)
    session[_RESET_TOKEN] = token
    return redirect(url_for("security.reset_form"))


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_form() -> str | tuple[str, int] | Response:
    token = session.get(_RESET_TOKEN)
    if not isinstance(token, str):
        return _invalid_link(TokenState.UNKNOWN)
    record, state = find_token(token, TokenPurpose.RESET)
    user = db.session.get(User, record.user_id) if record and record.user_id else None
    if record is None or user is None or state is not TokenState.VALID:
        session.pop(_RESET_TOKEN, None)
        return _invalid_link(state if state is not TokenState.VALID else TokenState.UNKNOWN)
    form = ResetPasswordForm(user)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/reset.html", form=form, user=user), status
    if reset_password(record, form.password.data) is None:
        db.session.rollback()
        return _invalid_link(TokenState.USED)
    db.session.commit()
    session.clear()  # whoever was signed in on this browser is signed out too
    flash(_("Your password is changed. Log in with your new password."), "success")
    return redirect(url_for("accounts.login"))


# --- Registration confirmed by email ------------------------------------------------------


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_link(token: str) -> str | tuple[str, int] | Response:
    """Opening the link shows a button; only the POST creates the account (a mail
    scanner that follows links must not)."""
    record, state = find_token(token, TokenPurpose.CONFIRM)
    if record is None or state is not TokenState.VALID:
        return _invalid_link(state)
    if request.method == "GET":  # the POST's CSRF token is checked by CSRFProtect
        return render_template("accounts/confirm.html", token=token)
    user = confirm_registration(record)
    if user is None:
        db.session.commit()
        flash(_("This username or email was just taken. Please try another."), "error")
        return redirect(url_for("accounts.register"))
    _start_session(user)  # commits
    flash(
        _("Welcome to peerlearn, %(name)s! Find a course to start.", name=user.username),
        "success",
    )
    return redirect(url_for("catalog.index"))
