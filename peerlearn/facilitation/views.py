"""The facilitators' pages of a circle: the view before the weekly meeting (and its CSV),
the circle's messages, and co-facilitation.

Each view loads the circle, asks ``permissions`` with the facts from ``circles.membership``,
calls a service and commits once. Facilitators see their own circle's learners' usernames
(they meet them every week) and review counts, never who reviewed whom: peer review stays
double-blind for them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from peerlearn import permissions, rate_limits
from peerlearn.assignments import buildlogs
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.circles.membership import is_facilitator, membership
from peerlearn.circles.models import FACILITATOR, Circle
from peerlearn.extensions import db
from peerlearn.facilitation import cofacilitation, messages, roster
from peerlearn.facilitation.cofacilitation import CoFacilitationRefused
from peerlearn.facilitation.forms import REFUSALS, ConfirmForm, MessageForm, PromoteForm
from peerlearn.i18n import _, pgettext
from peerlearn.markdown import render_markdown
from peerlearn.site import page_arg
from peerlearn.web import current_actor

bp = Blueprint("facilitation", __name__, template_folder="templates")

_BASE = "/circles/<int:circle_id>"


def state_label(state: roster.LogState) -> str:
    """How a build-log state reads on the page and in the CSV (one log: "Entregada", not
    the plural of other pages' "Entregadas")."""
    labels = {
        roster.LogState.NONE: pgettext("build log", "Not started"),
        roster.LogState.DRAFT: pgettext("build log", "Draft"),
        roster.LogState.SUBMITTED: pgettext("build log", "Submitted"),
        roster.LogState.REVIEWED: pgettext("build log", "Reviewed"),
        roster.LogState.GRADED: pgettext("build log", "Graded"),
    }
    return str(labels[state])


Page = str | tuple[str, int]


def _circle(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id, options=[selectinload(Circle.course)])
    if circle is None:
        abort(404)
    return circle


def _facilitated(circle_id: int) -> tuple[Circle, bool]:
    """The circle, if the signed-in person may see its progress, and whether they are
    one of its facilitators (a maintainer may not be)."""
    circle = _circle(circle_id)
    facilitator = is_facilitator(current_user.id, circle)
    if not permissions.can_see_circle_progress(current_actor(), circle.course, facilitator):
        abort(403)
    return circle, facilitator


def _assignment(circle: Circle) -> tuple[list[Assignment], Assignment | None]:
    """The course's assignments and the one asked for (``?a=slug``; the first otherwise)."""
    assignments = buildlogs.course_assignments(circle.course)
    wanted = request.args.get("a")
    chosen = next((one for one in assignments if one.slug == wanted), None)
    if wanted and chosen is None:
        abort(404)
    return assignments, chosen or (assignments[0] if assignments else None)


# --- The view before the meeting --------------------------------------------------------


@bp.get(f"{_BASE}/facilitate")
@login_required
def overview(circle_id: int) -> Page:
    circle, facilitator = _facilitated(circle_id)
    assignments, assignment = _assignment(circle)
    days = roster.idle_days_arg(request.args.get("days"))
    only_stuck = request.args.get("show") == "stuck"
    page = page_arg()
    found = roster.roster(circle, assignment, days)
    shown = found.page(page, only_stuck)
    if page > shown.pages:
        abort(404)
    return render_template(
        "facilitation/overview.html",
        circle=circle,
        course=circle.course,
        assignments=[(one, spec_of(one).title) for one in assignments],
        assignment=assignment,
        roster=found,
        shown=shown,
        days=days,
        only_stuck=only_stuck,
        state_label=state_label,
        facilitator=facilitator,
        facilitators=cofacilitation.facilitators(circle),
        promote_form=PromoteForm(formdata=None),
    )


@bp.get(f"{_BASE}/facilitate.csv")
@login_required
def export(circle_id: int) -> Response:
    circle, _facilitator = _facilitated(circle_id)
    _assignments, assignment = _assignment(circle)
    days = roster.idle_days_arg(request.args.get("days"))
    body = roster.write_csv(
        roster.roster(circle, assignment, days),
        (
            _("Username"),
            _("Modules done"),
            _("Build log"),
            _("Reviews given"),
            _("Reviews received"),
            _("Reviews needed"),
            _("Calibration practices"),
            _("Last active"),
            _("Days inactive"),
            _("Days waiting for reviews"),
            _("Stuck"),
        ),
        state_label,
    )
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = f"circle-{circle.id}" + (f"-{assignment.slug}" if assignment else "")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Messages ---------------------------------------------------------------------------


def _render_messages(circle: Circle, form: MessageForm, status: int = 200) -> Page:
    member = membership(current_user.id, circle)
    if not permissions.can_read_circle_messages(current_actor(), circle.course, member is not None):
        abort(403)
    page = page_arg()
    found = messages.messages_page(circle, page)
    if page > found.pages:
        abort(404)
    facilitator = member is not None and member.role == FACILITATOR
    return render_template(
        "facilitation/messages.html",
        circle=circle,
        course=circle.course,
        found=found,
        form=form if permissions.can_message_circle(current_actor(), facilitator) else None,
        markdown=render_markdown,
    ), status


# Endpoint "messages"; the function has another name so as not to hide the module.
@bp.get(f"{_BASE}/messages", endpoint="messages")
@login_required
def messages_list(circle_id: int) -> Page:
    return _render_messages(_circle(circle_id), MessageForm(formdata=None))


@bp.post(f"{_BASE}/messages")
@login_required
@rate_limits.post_limit
def send_message(circle_id: int) -> Response | Page:
    circle = _circle(circle_id)
    if not permissions.can_message_circle(current_actor(), is_facilitator(current_user.id, circle)):
        abort(403)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_messages(circle, form, 422)
    messages.post_message(current_user, circle, form.body.data or "")
    db.session.commit()
    flash(_("Your message is sent to every member of the circle."), "success")
    return redirect(url_for("facilitation.messages", circle_id=circle.id))


# --- Co-facilitation --------------------------------------------------------------------


def _refused(circle: Circle, message: str, status: int = 409) -> tuple[str, int]:
    return render_template(
        "facilitation/refused.html",
        circle=circle,
        message=message,
        back=url_for("facilitation.overview", circle_id=circle.id) + "#facilitators",
    ), status


@bp.post(f"{_BASE}/facilitators")
@login_required
def promote(circle_id: int) -> Response | Page:
    circle = _circle(circle_id)
    if not permissions.can_manage_facilitators(
        current_actor(), is_facilitator(current_user.id, circle)
    ):
        abort(403)
    form = PromoteForm()
    if not form.validate_on_submit():
        return _refused(circle, " ".join(str(error) for error in form.username.errors), 422)
    try:
        member = cofacilitation.promote(current_user, circle, form.username.data or "")
    except CoFacilitationRefused as refused:
        db.session.rollback()
        return _refused(circle, str(REFUSALS[refused.code]))
    db.session.commit()
    flash(
        _("%(username)s is now a facilitator of this circle.", username=member.user.username),
        "success",
    )
    return redirect(url_for("facilitation.overview", circle_id=circle.id) + "#facilitators")


@bp.post(f"{_BASE}/facilitators/step-down")
@login_required
def step_down(circle_id: int) -> Response | Page:
    circle = _circle(circle_id)
    if not permissions.can_manage_facilitators(
        current_actor(), is_facilitator(current_user.id, circle)
    ):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        cofacilitation.step_down(current_user, circle)
    except CoFacilitationRefused as refused:
        db.session.rollback()
        return _refused(circle, str(REFUSALS[refused.code]))
    db.session.commit()
    flash(_("You are no longer a facilitator of this circle; you stay a member."), "info")
    return redirect(url_for("facilitation.messages", circle_id=circle.id))
