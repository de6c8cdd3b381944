"""Pages of the accounts blueprint that give people control: their profile (courses shown
only as their privacy setting allows), privacy, download my data, delete my account, and
the site admin's lock and remove-maintainer buttons. They read the features' data, so they
live above the features, not in accounts.

They are the ``personal_data`` blueprint, which ``create_app`` registers (accounts, below,
may not import this package, so it cannot nest it).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.accounts import sessions
from peerlearn.accounts.account_forms import DeleteAccountForm, PrivacyForm
from peerlearn.accounts.models import User
from peerlearn.catalog.services import enrolled_courses, maintained_courses
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.personal_data import admin, contributions, deletion, export
from peerlearn.recognition.views import profile_section
from peerlearn.site import page_arg
from peerlearn.web import current_actor, current_course, requires

bp = Blueprint("personal_data", __name__)


def _person(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None or user.deleted_at is not None:
        abort(404)
    return user


@bp.get("/users/<username>")
def profile(username: str) -> str:
    """What the person gives to the commons (courses maintained, proposals merged
    upstream) for anyone; their learning (courses, reviews given, badges) only as their
    privacy setting allows."""
    user = _person(username)
    show_activity = permissions.can_see_learning_activity(current_actor(), user)
    badges = profile_section(user, current_actor())
    merged, merged_total = contributions.merged_upstream(user)
    return render_template(
        "accounts/profile.html",
        user=user,
        sections=[badges] if badges else [],
        show_activity=show_activity,
        courses=enrolled_courses(user) if show_activity else [],
        reviews=contributions.review_counts(user) if show_activity else None,
        merged=merged,
        merged_total=merged_total,
        maintained=maintained_courses(user),
        may_sign_out=permissions.can_sign_out_everywhere(current_actor(), user),
        can_lock=permissions.can_lock_account(current_actor(), user),
    )


@bp.get("/users/<username>/contributions")
def contributions_list(username: str) -> str:
    """Every module revision the person wrote, newest first, with links to the module and
    to the change itself; public, like the course histories that credit them."""
    user = _person(username)
    page = contributions.contributions_page(user, page_arg())
    if page is None:
        abort(404)
    return render_template("accounts/contributions.html", user=user, page=page)


@bp.post("/settings/privacy")
@login_required
def privacy() -> Response:
    form = PrivacyForm()
    if form.validate_on_submit():
        current_user.activity_public = bool(form.activity_public.data)
        db.session.commit()
        flash(_("Your privacy setting is saved."), "success")
    return redirect(url_for("accounts.settings"))


@bp.get("/settings/data.zip")
@login_required
def download_data() -> Response:
    """Everything about the person, as a zip. Never stored by a cache on the way."""
    response = Response(export.export_zip(current_user), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="peerlearn-{current_user.username}.zip"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> str | Response | tuple[str, int]:
    form = DeleteAccountForm()
    unmaintained = deletion.sole_maintained_courses(current_user)
    if form.validate_on_submit():
        ok = True
        if not check_password_hash(current_user.password_hash, form.password.data):
            form.password.errors = [_("That password is not right. Try again.")]
            ok = False
        if form.credit.data == "name" and not form.credit_name.data:
            form.credit_name.errors = [_("Enter the name to credit, or choose the other option.")]
            ok = False
        if unmaintained and not form.accept_unmaintained.data:
            form.accept_unmaintained.errors = [
                _("Add another maintainer to these courses first, or tick this box.")
            ]
            ok = False
        if ok:
            name = form.credit_name.data if form.credit.data == "name" else None
            deletion.delete_account(current_user, credit_name=name)
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Thank you for what you gave."), "info")
            return redirect(url_for("catalog.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/delete.html", form=form, unmaintained=unmaintained), status


# --- Site admins -------------------------------------------------------------------------


@bp.post("/users/<username>/sign-out-everywhere")
@login_required
def sign_out_everywhere(username: str) -> Response:
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None:
        abort(404)
    if not permissions.can_sign_out_everywhere(current_actor(), user):
        abort(403)
    sessions.revoke_all(user)
    db.session.commit()
    flash(_("%(name)s is signed out everywhere.", name=user.username), "success")
    if user.id == current_user.id:
        return redirect(url_for("accounts.login"))
    return redirect(url_for("personal_data.profile", username=user.username))


@bp.post("/users/<username>/lock")
@login_required
def lock(username: str) -> Response:
    return _set_lock(username, locked=True)


@bp.post("/users/<username>/unlock")
@login_required
def unlock(username: str) -> Response:
    return _set_lock(username, locked=False)


def _set_lock(username: str, *, locked: bool) -> Response:
    try:
        user = admin.user_by_username(username)
    except admin.AdminError:
        abort(404)
    if not permissions.can_lock_account(current_actor(), user):
        abort(403)
    if locked:
        admin.lock_account(current_user, user)
        flash(_("%(name)s's account is locked.", name=user.username), "success")
    else:
        admin.unlock_account(current_user, user)
        flash(_("%(name)s's account is unlocked.", name=user.username), "success")
    db.session.commit()
    return redirect(url_for("personal_data.profile", username=user.username))


@bp.post("/courses/<slug>/maintainers/<username>/remove")
@login_required
@requires(permissions.can_remove_maintainer)
def remove_maintainer(slug: str, username: str) -> Response:
    course = current_course()
    try:
        user = admin.user_by_username(username)
        admin.remove_maintainer(current_user, course, user)
    except admin.AdminError:
        abort(404)
    db.session.commit()
    flash(_("%(name)s no longer maintains this course.", name=user.username), "success")
    return redirect(url_for("authoring.maintainers", slug=course.slug))
