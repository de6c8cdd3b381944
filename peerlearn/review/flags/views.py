"""Flags: a learner reporting a review they received as inappropriate, and the course's
staff resolving the reports (keep the review, or discard it and put the log back in the
pool).

This module owns the ``flags`` blueprint, nested in ``review`` (endpoints ``review.flags.*``).
Each view loads, checks ``permissions``, calls :mod:`peerlearn.review.flags.flags` and
commits once.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.i18n import _, when
from peerlearn.review.flags import flags
from peerlearn.review.flags.flags import FlagRefused, Resolution
from peerlearn.review.models import Review, ReviewFlag
from peerlearn.review.staff.circle_scope import StaffScope, staff_assignment
from peerlearn.review.staff.forms import FlagForm, ResolveFlagForm, refusal
from peerlearn.review.staff.pages import BASE, Page, refused_page
from peerlearn.site import safe_next
from peerlearn.web import current_actor

bp = Blueprint("flags", __name__, template_folder="templates")


def _received_url(review: Review) -> str:
    assignment = review.log.assignment
    return (
        url_for(
            "review.reviewing.received",
            slug=assignment.course.slug,
            assignment_slug=assignment.slug,
        )
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
    back = url_for("review.flags.flags", slug=course.slug, assignment_slug=assignment.slug)
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
