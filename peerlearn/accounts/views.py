"""Registration, login, logout, preferences and the language switcher. (A person's profile
page lists their courses, so it is added by :mod:`peerlearn.personal_data.views`.)"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import refresh
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from peerlearn import rate_limits
from peerlearn.accounts import sessions
from peerlearn.accounts.account_forms import PrivacyForm
from peerlearn.accounts.emails import confirm_email, email_taken_email
from peerlearn.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    PreferencesForm,
    RegisterForm,
)
from peerlearn.accounts.models import User
from peerlearn.accounts.reset import (
    confirmation_required,
    issue_confirmation,
    issue_reset,
    send_account_email,
    user_by_email,
)
from peerlearn.accounts.services import (
    authenticate,
    hash_password,
    register_user,
    set_preferences,
)
from peerlearn.accounts.sessions import SESSION_KEY
from peerlearn.extensions import db
from peerlearn.i18n import _, _l, request_locale
from peerlearn.site import safe_next

bp = Blueprint("accounts", __name__, template_folder="templates")


def configure_login(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please log in to continue.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        """The signed-in user, if their server-side session still holds: one query.

        A cookie without a session token (made before sessions were kept, or rebuilt
        from a "remember me" cookie) signs nobody in."""
        token = session.get(SESSION_KEY)
        if not user_id.isdigit() or not isinstance(token, str):
            _forget_login()
            return None
        found = sessions.load_session(int(user_id), token)
        if found is None:
            _forget_login()
            return None
        user, record, figures, facts = found
        if not user.is_active:  # a locked or deleted account's sessions stop at once
            _forget_login()
            return None
        if sessions.is_idle(record, user):
            g.session_expired = True
            _forget_login()
            return None
        if sessions.needs_touch(record):
            g.touch_session_id = record.id
        g.header_figures = figures  # base.html shows them; no query of its own
        g.user_facts = (user.id, facts)  # the permission checks' (peerlearn.web)
        return user


def _forget_login() -> None:
    for key in ("_user_id", "_fresh", "_id", SESSION_KEY):
        session.pop(key, None)


@bp.before_app_request
def _check_session() -> Response | None:
    """Check the session at the start of every request, before a view writes anything:
    an idle one is sent to the login page, and an active one's "last seen" is written
    (every few minutes) in a transaction of its own."""
    if request.endpoint == "static" or SESSION_KEY not in session:
        return None
    current_user._get_current_object()  # runs load_user now
    if g.pop("session_expired", False):
        flash(_("You were away for a while, so you were logged out. Please log in again."))
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    touch_id = g.pop("touch_session_id", None)
    if touch_id is not None:
        sessions.touch(touch_id)
        db.session.commit()
    return None


def _start_session(user: User) -> None:
    """A fresh session on every login, so a session id planted before login is useless,
    recorded server-side so that logging out ends it everywhere. Commits."""
    token = sessions.start_session(user, request.user_agent.string)
    db.session.commit()
    session.clear()
    session[SESSION_KEY] = token
    login_user(user)
    refresh()  # the rest of this request speaks the user's own language


@bp.route("/register", methods=["GET", "POST"])
@rate_limits.register_limit
def register() -> str | tuple[str, int] | Response:
    if current_user.is_authenticated:
        return redirect(url_for("catalog.dashboard"))
    form = RegisterForm()
    form.hide_taken_email = confirmation_required()
    if not form.language.data:
        # The language the visitor is using: the switcher's cookie, else the browser's.
        form.language.data = request_locale()
    if form.validate_on_submit():
        if form.hide_taken_email:
            return _register_by_email(form)
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


def _register_by_email(form: RegisterForm) -> str:
    """Answer "check your mail" whether or not the address has an account: a new address
    gets the link that creates the account, a known one a warning to its owner (with a
    link to choose a new password), so the page never tells who is registered."""
    owner = user_by_email(form.email.data)
    if owner is None:
        token = issue_confirmation(
            form.username.data, form.email.data, form.password.data, form.language.data
        )
        email = confirm_email(form.username.data, form.email.data, form.language.data, token)
    else:
        hash_password(form.password.data)  # the same slow hash as above, so the same time
        email = email_taken_email(owner, issue_reset(owner))
    db.session.commit()
    send_account_email(email)
    return render_template("accounts/check_mail.html", email=form.email.data, purpose="register")


@bp.route("/login", methods=["GET", "POST"])
@rate_limits.login_limit
def login() -> str | tuple[str, int] | Response:
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
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        sessions.revoke_token(token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("catalog.index"))


@bp.post("/language")
def set_language() -> Response:
    """The language switcher: a cookie for visitors, the saved preference for users."""
    chosen = request.form.get("language", "")
    back = safe_next(request.form.get("next"), url_for("catalog.index"))
    response = redirect(back)
    if chosen in current_app.config["LANGUAGES"]:
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE"],
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
        )
        if current_user.is_authenticated:
            set_preferences(current_user, locale=chosen)
            db.session.commit()
    return response


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> tuple[str, int] | Response:
    form = PreferencesForm(obj=current_user, language=current_user.locale)
    if form.validate_on_submit():
        set_preferences(current_user, locale=form.language.data, timezone=form.timezone.data)
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("accounts.settings"))
    status = 422 if form.is_submitted() else 200
    return settings_page(form=form, status=status)


def settings_page(
    form: PreferencesForm | None = None,
    password_form: ChangePasswordForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The settings page: preferences, password and the list of signed-in browsers."""
    token = session.get(SESSION_KEY)
    active = [
        (record, sessions.is_current(record, token if isinstance(token, str) else None))
        for record in sessions.active_sessions(current_user)
    ]
    page = render_template(
        "accounts/settings.html",
        # The form's field is "language", the user's attribute "locale".
        form=form or PreferencesForm(obj=current_user, formdata=None, language=current_user.locale),
        password_form=password_form or ChangePasswordForm(current_user, formdata=None),
        sessions=active,
        privacy=PrivacyForm(activity_public=current_user.activity_public),
    )
    return page, status
