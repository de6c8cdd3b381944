"""The in-app list of notifications and the header's unread count. Emails leave after
the request, as jobs (see ``peerlearn.notifications.delivery``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn.extensions import db
from peerlearn.i18n import _, when
from peerlearn.notifications import delivery, preferences
from peerlearn.notifications import notices as notifications
from peerlearn.notifications.forms import BOTH, NotificationSettingsForm, field_name
from peerlearn.notifications.kinds import KINDS
from peerlearn.notifications.models import Channel, EmailMode
from peerlearn.site import page_arg, safe_next

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/notifications")
@login_required
def index() -> str:
    page = notifications.notices_page(current_user, page_arg())
    if page is None:
        abort(404)
    g.header_figures = {**g.get("header_figures", {}), "unread_notices": page.unread}
    rows = [
        (notice, notifications.message(notice), when(notice.created_at)) for notice in page.items
    ]
    return render_template("notifications/notifications.html", page=page, rows=rows)


@bp.post("/notifications/read")
@login_required
def read_all() -> Response:
    notifications.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/<int:notice_id>/read")
@login_required
def mark_read(notice_id: int) -> Response:
    """Mark one notice read without following it; back to the page it was on."""
    if not notifications.mark_read(current_user, notice_id):
        abort(404)
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings() -> str | Response | tuple[str, int]:
    """Which kinds of notice a person receives, and how their email comes."""
    choices = preferences.preferences_of(current_user.id)
    form = NotificationSettingsForm(
        data={"email_mode": choices.email_mode.value}
        | {
            field_name(kind): (choices.off[kind.name].value if kind.name in choices.off else BOTH)
            for kind in KINDS
        }
    )
    if form.validate_on_submit():
        off = {
            kind.name: Channel(value)
            for kind in KINDS
            if (value := form[field_name(kind)].data) != BOTH
        }
        preferences.save_preferences(current_user.id, EmailMode(form.email_mode.data), off)
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    fields = [form[field_name(kind)] for kind in KINDS]
    status = 422 if form.is_submitted() else 200
    return render_template("notifications/settings.html", form=form, fields=fields), status


@bp.post("/notifications/<int:notice_id>/open")
@login_required
def open_notice(notice_id: int) -> Response:
    notice = notifications.open_notice(current_user, notice_id)
    if notice is None:
        abort(404)
    db.session.commit()
    return redirect(safe_next(notice.url, url_for("notifications.index")))


@bp.record_once
def _setup_logging(state: BlueprintSetupState) -> None:
    delivery.setup_mail_logging(state.app)
