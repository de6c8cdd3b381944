"""The maintainers' side of peer review: stuck submissions and flags; and the learner's
side of flags: reporting a review.

This module defines the ``review_staff`` blueprint and what its pages share;
:mod:`peerlearn.review.calibration_views` adds the calibration and practice pages to the
same blueprint (``create_app`` imports it), so their endpoints stay ``review_staff.*``.

Each view loads, checks ``permissions``, calls a service (``stuck``, ``flags``) and
commits once. Maintainers see usernames here (they run the course).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext, when
from peerlearn.review import flags, stuck
from peerlearn.review.circle_scope import StaffScope, staff_assignment
from peerlearn.review.flags import FlagRefused, Resolution
from peerlearn.review.models import Review, ReviewFlag
from peerlearn.review.staff_forms import (
    ConfirmForm,
    FlagForm,
    LowerRequirementForm,
    ResolveFlagForm,
    refusal,
)
from peerlearn.review.stuck import StuckRefused
from peerlearn.site import page_arg, safe_next
from peerlearn.web import current_actor

bp = Blueprint("review_staff", __name__, template_folder="templates")
#: For pages that include ``review/_flag.html`` for many reviews: one query for all.
bp.add_app_template_global(flags.flags_by_review, "review_flags_by_review")

#: Where an assignment's review pages live.
BASE = "/courses/<slug>/a/<assignment_slug>"

#: A rendered page, with its status when it is not 200.
Page = str | tuple[str, int]


def refused_page(message: str, back: str, status: int = 409) -> tuple[str, int]:
    """A service's refusal, explained, with a way back (409 unless told otherwise)."""
    return render_template("review/staff_refused.html", message=message, back=back), status


# --- Stuck submissions -------------------------------------------------------------------


def _waiting_url(course: Course, assignment: Assignment, page: int = 1) -> str:
    return url_for(
        "review_staff.waiting",
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
    return redirect(url_for("review.write", review_id=review.id))


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


# --- Flags -------------------------------------------------------------------------------


def _received_url(review: Review) -> str:
    assignment = review.log.assignment
    return (
        url_for("review.received", slug=assignment.course.slug, assignment_slug=assignment.slug)
        + f"#review-{review.id}"
    )


@bp.post("/reviews/<int:review_id>/flag")
@login_required
def flag_review(review_id: int) -> Response | Page:
    review = db.session.get(Review, review_id)
    if review is None or review.kind not in flags.FLAGGABLE_KINDS:
        abort(404)
    if not permissions.can_flag_review(current_actor(), review):
        abort(403, refusal("not_author"))
    back = safe_next(request.form.get("next"), _received_url(review))
    if flags.flag_of(review) is not None:
        return refused_page(refusal("already_flagged"), back)
    if not flags.is_flaggable(review):
        abort(404)
    form = FlagForm()
    if not form.validate_on_submit():
        return render_template(
            "review/staff_flag.html", review=review, flag=None, flag_form=form, back=back
        ), 422
    try:
        flags.flag_review(current_user, review, form.reason.data or "")
    except FlagRefused as refused:
        db.session.rollback()
        return refused_page(refusal(refused.code), back)
    db.session.commit()
    flash(_("Thank you. A maintainer of the course will look at this review."), "info")
    return redirect(back)


def _render_flags(
    course: Course,
    assignment: Assignment,
    active: tuple[int, ResolveFlagForm] | None = None,
    status: int = 200,
    scope: StaffScope | None = None,
) -> Page:
    scope = scope or StaffScope()
    open_flags = flags.open_flags(assignment, scope.learners)
    resolved = flags.recently_resolved(assignment, learners=scope.learners)
    return render_template(
        "review/staff_flags.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        open_flags=open_flags,
        resolved=resolved,
        resolvers=flags.usernames(flag.resolved_by_id for flag in resolved),
        active=active,
        scope=scope,
        when=when,
    ), status


# Endpoint "flags"; the function has another name so as not to hide the flags module.
@bp.get(f"{BASE}/flags", endpoint="flags")
@login_required
def flags_list(slug: str, assignment_slug: str) -> Page:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    return _render_flags(course, assignment, scope=scope)


@bp.post(f"{BASE}/flags/<int:flag_id>")
@login_required
def resolve_flag(slug: str, assignment_slug: str, flag_id: int) -> Response | Page:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    flag: ReviewFlag | None = flags.flag_in(assignment, flag_id)
    if flag is None or not scope.covers(flag.review.log.user_id):
        abort(404)
    back = url_for("review_staff.flags", slug=course.slug, assignment_slug=assignment.slug)
    if flag.resolved_at is not None:
        return refused_page(refusal("already_resolved"), back)
    form = ResolveFlagForm()
    if not form.validate_on_submit():
        return _render_flags(course, assignment, active=(flag.id, form), status=422, scope=scope)
    decision = Resolution(form.decision.data)
    try:
        flags.resolve_flag(current_user, flag, decision, form.note.data or "")
    except FlagRefused as refused:
        db.session.rollback()
        return refused_page(refusal(refused.code), back)
    db.session.commit()
    if decision is Resolution.DISCARDED:
        flash(
            _("The review was discarded; the build log is back in the pool for another review."),
            "info",
        )
    else:
        flash(_("The review was kept; the author will see your note."), "info")
    return redirect(back)
