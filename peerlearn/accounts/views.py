"""Registration, login, logout, profile and preferences pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import refresh
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.accounts.account_forms import PrivacyForm
from peerlearn.accounts.forms import LoginForm, PreferencesForm, RegisterForm
from peerlearn.accounts.models import User
from peerlearn.accounts.services import authenticate, register_user, set_preferences
from peerlearn.catalog.services import enrolled_courses, maintained_courses
from peerlearn.extensions import db
from peerlearn.i18n import _, _l
from peerlearn.site import safe_next

bp = Blueprint("accounts", __name__, template_folder="templates")


def configure_login(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please log in to continue.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        # A locked or deleted account's existing sessions stop working at once.
        return user if user is not None and user.is_active else None


def _start_session(user: User) -> None:
    """A fresh session on every login, so a session id planted before login is useless."""
    session.clear()
    login_user(user)
    refresh()  # the rest of this request speaks the user's own language


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("catalog.dashboard"))
    form = RegisterForm()
    if request.method == "GET" and not form.language.data:
        form.language.data = (
            request.accept_languages.best_match(
                [code for code, _name in form.language.choices or []]
            )
            or "en"
        )
    if form.validate_on_submit():
        try:
            user = register_user(
                form.username.data, form.email.data, form.password.data, form.language.data
            )
            db.session.commit()
        except IntegrityError:
            # Someone registered the same name between our check and our insert.
            db.session.rollback()
            form.username.errors = [_("This username or email was just taken. Please try another.")]
            return render_template("accounts/register.html", form=form), 422
        _start_session(user)
        flash(
            _("Welcome to peerlearn, %(name)s! Find a course to start.", name=user.username),
            "success",
        )
        return redirect(url_for("catalog.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is not None and user.locked_at is not None:
            form.login.errors = [
                _("This account is locked. Please contact the site's administrators.")
            ]
        elif user is not None:
            _start_session(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data, url_for("catalog.dashboard")))
        form.password.errors = [_("That username or email and password do not match. Try again.")]
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("catalog.index"))


@bp.get("/users/<username>")
def profile(username: str) -> str:
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None or user.deleted_at is not None:
        abort(404)
    show_activity = permissions.can_see_learning_activity(current_user, user)
    return render_template(
        "accounts/profile.html",
        user=user,
        show_activity=show_activity,
        courses=enrolled_courses(user) if show_activity else [],
        maintained=maintained_courses(user),
        can_lock=permissions.can_lock_account(current_user, user),
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        set_preferences(current_user, locale=form.language.data, timezone=form.timezone.data)
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("accounts.settings"))
    status = 422 if form.is_submitted() else 200
    privacy = PrivacyForm(activity_public=current_user.activity_public)
    return render_template("accounts/settings.html", form=form, privacy=privacy), status
