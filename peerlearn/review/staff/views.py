"""The staff pages of peer review that belong to no narrower sub-package: the build logs
still waiting for reviews (``allocation.stuck``), and a circle's review settings.

This module owns the ``staff`` blueprint, nested in ``review`` (endpoints ``review.staff.*``).
What every staff page shares (``BASE``, ``Page``, ``refused_page``) is in
:mod:`peerlearn.review.staff.pages`, so the sibling packages' views need not import this one.

Each view loads, checks ``permissions``, calls a service (``stuck``) and commits once.
Maintainers see usernames here (they run the course).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.i18n import ngettext, when
from peerlearn.review.allocation import stuck
from peerlearn.review.allocation.stuck import StuckRefused
from peerlearn.review.staff import circle_settings
from peerlearn.review.staff.circle_scope import StaffScope, staff_assignment
from peerlearn.review.staff.forms import ConfirmForm, LowerRequirementForm, refusal
from peerlearn.review.staff.pages import BASE, Page, refused_page
from peerlearn.site import page_arg

bp = Blueprint("staff", __name__, template_folder="templates")
# A circle's settings page is a facilitator's, with its own module (its form and view).
bp.add_url_rule(
    "/circles/<int:circle_id>/review-settings",
    view_func=circle_settings.circle_review_settings,
    methods=["GET", "POST"],
)


# --- Stuck submissions -------------------------------------------------------------------


def _waiting_url(course: Course, assignment: Assignment, page: int = 1) -> str:
    return url_for(
        "review.staff.waiting",
        slug=course.slug,
        assignment_slug=assignment.slug,
        page=page if page > 1 else None,
    )


def _render_waiting(
    course: Course,
    assignment: Assignment,
    page: int,
    active: tuple[int, LowerRequirementForm] | None = None,
    status: int = 200,
    scope: StaffScope | None = None,
) -> Page:
    scope = scope or StaffScope()
    result = stuck.waiting_page(assignment, current_user, page, learners=scope.learners)
    if page > result.pages:
        abort(404)
    spec = spec_of(assignment)
    return render_template(
        "review/staff_waiting.html",
        course=course,
        assignment=assignment,
        spec=spec,
        result=result,
        rule=stuck.flexible_rule(spec),
        active=active,
        scope=scope,
        when=when,
    ), status


@bp.get(f"{BASE}/waiting")
@login_required
def waiting(slug: str, assignment_slug: str) -> Page:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    return _render_waiting(course, assignment, page_arg(), scope=scope)


def _queued_log_or_404(assignment: Assignment, log_id: int, scope: StaffScope) -> BuildLog:
    log = stuck.queued_log(assignment, log_id)
    if log is None or not scope.covers(log.user_id):
        abort(404, refusal("not_waiting"))
    return log


@bp.post(f"{BASE}/waiting/<int:log_id>/review")
@login_required
def review_myself(slug: str, assignment_slug: str, log_id: int) -> Response | Page:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    log = _queued_log_or_404(assignment, log_id, scope)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        review = stuck.review_myself(current_user, log)
    except StuckRefused as refused:
        db.session.rollback()
        return refused_page(refusal(refused.code), _waiting_url(course, assignment))
    db.session.commit()
    return redirect(url_for("review.reviewing.write", review_id=review.id))


@bp.post(f"{BASE}/waiting/<int:log_id>/requirement")
@login_required
def lower_requirement(slug: str, assignment_slug: str, log_id: int) -> Response | Page:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    log = _queued_log_or_404(assignment, log_id, scope)
    page = page_arg()
    form = LowerRequirementForm()
    if form.validate_on_submit():
        try:
            stuck.lower_requirement(
                current_user, log, form.required.data or 0, form.reason.data or ""
            )
        except StuckRefused as refused:
            db.session.rollback()
            form.required.errors = [refusal(refused.code, **refused.values)]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(learner)s's build log now needs %(num)s review.",
                    "%(learner)s's build log now needs %(num)s reviews.",
                    form.required.data or 0,
                    learner=log.user.username,
                ),
                "info",
            )
            return redirect(_waiting_url(course, assignment, page))
    return _render_waiting(course, assignment, page, active=(log.id, form), status=422, scope=scope)
