"""The maintainers' gradebook: every submission's grade with its breakdown, overrides,
regrade requests, reviewer standings and the CSV export; and the two learner pages that
belong with them: asking for a regrade, and "my reviews" (the feedback on one's feedback).

Maintainers see learners' usernames here (they run the course). The reviewer's own page
never names the authors they reviewed: peer review is double-blind.

This module owns the ``gradebook`` blueprint, nested in ``review`` (endpoints
``review.gradebook.*``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, get_locale
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments import buildlogs
from peerlearn.assignments.loading import managed_assignment, viewable_assignment
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import max_points
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.i18n import _, when
from peerlearn.markdown import render_markdown
from peerlearn.review.gradebook import gradebook
from peerlearn.review.gradebook.forms import (
    METHOD_LABELS,
    REGRADE_REFUSED,
    OverrideForm,
    RegradeAnswerForm,
    RegradeRequestForm,
)
from peerlearn.review.grading import overrides, regrades
from peerlearn.review.grading.grade_inputs import GRADED_KINDS
from peerlearn.review.grading.reviewer_standings import reviewer_standings
from peerlearn.review.grading.reviewing_grade import reviewing_grade
from peerlearn.review.models import RegradeRequest, Review, ReviewKind, ReviewState
from peerlearn.review.staff.circle_scope import StaffScope, staff_assignment
from peerlearn.site import page_arg, safe_next
from peerlearn.templating import NO_NUMBER, points
from peerlearn.web import current_actor

bp = Blueprint("gradebook", __name__, template_folder="templates")

_ASSIGNMENT = "/courses/<slug>/a/<assignment_slug>"
_BASE = f"{_ASSIGNMENT}/gradebook"


# --- Loading and formatting --------------------------------------------------------------


def _staff_log(assignment: Assignment, log_id: int, scope: StaffScope) -> BuildLog:
    log = gradebook.log_of(assignment, log_id)
    if log is None or not scope.covers(log.user_id):
        abort(404)
    return log


def _locale() -> str:
    return str(get_locale() or "en")


def percent(value: Decimal | None) -> str:
    return NO_NUMBER if value is None else str(format_percent(value))


def _formatting() -> dict[str, Any]:
    return {
        "points": points,
        "percent": percent,
        "when": when,
        "markdown": render_markdown,
        "method_labels": METHOD_LABELS,
    }


def _refused(message: str, back: str, back_label: str, status: int = 409) -> tuple[str, int]:
    return render_template(
        "review/gradebook_refused.html", message=message, back=back, back_label=back_label
    ), status


# --- The gradebook -----------------------------------------------------------------------


@bp.get(_BASE)
@login_required
def index(slug: str, assignment_slug: str) -> str:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    page = page_arg()
    only_open = request.args.get("show") == "regrades"
    only_uncertain = request.args.get("show") == "uncertain"
    result = gradebook.gradebook_page(
        assignment,
        page,
        only_open=only_open,
        only_uncertain=only_uncertain,
        learners=scope.learners,
        store=True,
    )
    if page > result.pages:
        abort(404)
    return render_template(
        "review/gradebook.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        result=result,
        only_open=only_open,
        show="regrades" if only_open else "uncertain" if only_uncertain else "",
        scope=scope,
        **_formatting(),
    )


@bp.get(f"{_BASE}.csv")
@login_required
def export(slug: str, assignment_slug: str) -> Response:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    spec = spec_of(assignment)
    body = gradebook.write_csv(
        spec,
        gradebook.export_rows(assignment, scope.learners, store=True),
        (
            _("Username"),
            _("Final grade"),
            _("Peer grade"),
            _("Reviews"),
            _("Override reason"),
            _("Reviewing grade"),
        ),
        lambda title: _("%(criterion)s (peers)", criterion=title),
        (_("Peer grade, likely lowest (9 in 10)"), _("Peer grade, likely highest (9 in 10)")),
    )
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{course.slug}-{assignment.slug}-gradebook.csv"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _render_log(
    course: Course,
    assignment: Assignment,
    log: BuildLog,
    *,
    store: bool,
    status: int = 200,
    override_form: OverrideForm | None = None,
    answer_form: RegradeAnswerForm | None = None,
    scope: StaffScope | None = None,
) -> tuple[str, int]:
    detail = gradebook.log_detail(assignment, log, store=store)
    if detail is None:
        abort(404)
    return render_template(
        "review/gradebook_log.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        detail=detail,
        kinds=ReviewKind,
        states=ReviewState,
        override_form=override_form or OverrideForm(formdata=None, prefix="override"),
        answer_form=answer_form or RegradeAnswerForm(formdata=None, prefix="answer"),
        scope=scope or StaffScope(),
        **_formatting(),
    ), status


@bp.get(f"{_BASE}/<int:log_id>")
@login_required
def log(slug: str, assignment_slug: str, log_id: int) -> tuple[str, int]:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    log = _staff_log(assignment, log_id, scope)
    return _render_log(course, assignment, log, store=True, scope=scope)


@bp.post(f"{_BASE}/<int:log_id>/override")
@login_required
def override(slug: str, assignment_slug: str, log_id: int) -> Response | tuple[str, int]:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    log = _staff_log(assignment, log_id, scope)
    form = OverrideForm(prefix="override")
    max_total = max_points(spec_of(assignment))
    new_points = form.grade(_locale(), max_total)
    if new_points is None:
        return _render_log(
            course, assignment, log, store=False, status=422, override_form=form, scope=scope
        )
    overrides.override_grade(current_user, log, new_points, form.reason.data or "")
    db.session.commit()
    flash(_("The new grade is saved."), "success")
    return redirect(
        url_for("review.gradebook.log", slug=slug, assignment_slug=assignment_slug, log_id=log.id)
    )


@bp.post(f"{_BASE}/<int:log_id>/regrade/<int:regrade_id>")
@login_required
def answer_regrade(
    slug: str, assignment_slug: str, log_id: int, regrade_id: int
) -> Response | tuple[str, int]:
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    log = _staff_log(assignment, log_id, scope)
    regrade = db.session.get(RegradeRequest, regrade_id)
    if regrade is None or regrade.log_id != log.id:
        abort(404)
    back = url_for(
        "review.gradebook.log", slug=slug, assignment_slug=assignment_slug, log_id=log.id
    )
    if regrade.answered_at is not None:
        return _refused(str(REGRADE_REFUSED["answered"]), back, _("Back to the build log"))
    form = RegradeAnswerForm(prefix="answer")
    valid, new_points = form.grade(_locale(), max_points(spec_of(assignment)))
    if not valid:
        return _render_log(
            course, assignment, log, store=False, status=422, answer_form=form, scope=scope
        )
    try:
        regrades.answer_regrade(
            current_user,
            regrade,
            log,
            form.answer.data or "",
            new_points,
            url_for("review.reviewing.received", slug=slug, assignment_slug=assignment_slug),
        )
    except regrades.RegradeRefused as error:
        return _refused(str(REGRADE_REFUSED[error.code]), back, _("Back to the build log"))
    db.session.commit()
    flash(_("Your answer is sent to the author."), "success")
    return redirect(back)


# --- Reviewer standings ------------------------------------------------------------------


@bp.get(f"{_ASSIGNMENT}/standings")
@login_required
def standings(slug: str, assignment_slug: str) -> str:
    course, assignment = managed_assignment(slug, assignment_slug, permissions.can_manage_reviews)
    spec = spec_of(assignment)
    rows = reviewer_standings(assignment)
    return render_template(
        "review/standings.html",
        course=course,
        assignment=assignment,
        spec=spec,
        rows=rows,
        reviewing={
            row.reviewer_id: reviewing_grade(
                row.agreement,
                [one.rating for one in row.feedback],
                row.reviews_given,
                spec.must_review,
            )
            for row in rows
        },
        model=spec.grading.value == "model",
        **_formatting(),
    )


# --- The learner's pages -----------------------------------------------------------------


@bp.get(f"{_ASSIGNMENT}/my-reviews")
@login_required
def my_reviews(slug: str, assignment_slug: str) -> str:
    """The reviews the signed-in learner gave, numbered (authors are never named), with
    the authors' helpfulness ratings and the learner's own standing."""
    course, assignment = viewable_assignment(slug, assignment_slug)
    spec = spec_of(assignment)
    given = list(
        db.session.scalars(
            select(Review)
            .where(
                Review.assignment_id == assignment.id,
                Review.reviewer_id == current_user.id,
                Review.kind.in_(GRADED_KINDS),
                Review.state.in_((ReviewState.SUBMITTED.value, ReviewState.DISCARDED.value)),
            )
            .options(selectinload(Review.feedback))
            .order_by(Review.submitted_at, Review.id)
        )
    )
    found = reviewer_standings(assignment, reviewer_id=current_user.id) if given else []
    mine = found[0] if found else None
    return render_template(
        "review/my_reviews.html",
        course=course,
        assignment=assignment,
        spec=spec,
        reviews=given,
        standing=mine,
        reviewing=reviewing_grade(
            mine.agreement if mine else None,
            [one.rating for one in mine.feedback] if mine else [],
            mine.reviews_given if mine else 0,
            spec.must_review,
        ),
        model=spec.grading.value == "model",
        states=ReviewState,
        **_formatting(),
    )


def _own_log(assignment: Assignment) -> BuildLog:
    log = buildlogs.log_of(current_user, assignment)
    if log is None:
        abort(404, _("You have not started a build log for this assignment yet."))
    if not permissions.can_request_regrade(current_actor(), log):
        abort(403)
    return log


def _render_regrade(
    course: Course,
    assignment: Assignment,
    log: BuildLog,
    form: RegradeRequestForm,
    status: int,
    *,
    store: bool,
) -> tuple[str, int]:
    refusal = regrades.refusal(current_user, log, store=store)
    return render_template(
        "review/gradebook_regrade.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        regrade=regrades.latest_request(log),
        regrade_form=form,
        regrade_allowed=refusal is None,
        refusal=REGRADE_REFUSED[refusal] if refusal and refusal != "already_open" else None,
        **_formatting(),
    ), status


@bp.get(f"{_ASSIGNMENT}/regrade")
@login_required
def regrade(slug: str, assignment_slug: str) -> tuple[str, int]:
    """The author's regrade request on a page of its own (where a refused form comes back)."""
    course, assignment = viewable_assignment(slug, assignment_slug)
    log = _own_log(assignment)
    form = RegradeRequestForm(formdata=None)
    return _render_regrade(course, assignment, log, form, 200, store=True)


@bp.post(f"{_ASSIGNMENT}/regrade")
@login_required
def request_regrade(slug: str, assignment_slug: str) -> Response | tuple[str, int]:
    course, assignment = viewable_assignment(slug, assignment_slug)
    log = _own_log(assignment)
    form = RegradeRequestForm()
    if not form.validate():
        return _render_regrade(course, assignment, log, form, 422, store=False)
    try:
        regrades.request_regrade(current_user, log, form.reason.data or "")
    except regrades.RegradeRefused as error:
        back = url_for("review.gradebook.regrade", slug=slug, assignment_slug=assignment_slug)
        return _refused(str(REGRADE_REFUSED[error.code]), back, _("Back to your regrade request"))
    db.session.commit()
    flash(_("Your request is sent. A maintainer will look at your grade again."), "success")
    fallback = url_for("review.gradebook.regrade", slug=slug, assignment_slug=assignment_slug)
    return redirect(safe_next(form.next.data, fallback))
