"""Calibration pages: maintainers choosing examples, learners practising on them and
reading their results.

This module owns the ``calibration`` blueprint, nested in ``review`` (endpoints
``review.calibration.*``).

Each view loads, checks ``permissions``, calls a service (``calibration_examples``,
``calibration_practice``) and commits once. Maintainers see usernames (they run the
course); the learner's practice pages never name the example's author.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_percent
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments.loading import managed_assignment, viewable_assignment
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.catalog import services as catalog
from peerlearn.content.models import Course
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.i18n import _, when
from peerlearn.review.calibration import (
    calibration_examples,
    calibration_practice,
    calibration_results,
)
from peerlearn.review.calibration.calibration import CalibrationRefused
from peerlearn.review.models import ReviewState
from peerlearn.review.staff.circle_scope import staff_assignment
from peerlearn.review.staff.forms import ConfirmForm, ExampleForm, refusal
from peerlearn.review.staff.pages import BASE, Page, refused_page
from peerlearn.site import page_arg
from peerlearn.web import current_actor

bp = Blueprint("calibration", __name__, template_folder="templates")

# --- Calibration examples (maintainers) --------------------------------------------------


def _examples_url(course: Course, assignment: Assignment) -> str:
    return url_for(
        "review.calibration.calibration_examples", slug=course.slug, assignment_slug=assignment.slug
    )


# Endpoint "calibration_examples"; the function has another name so as not to hide the
# calibration_examples module.
@bp.route(f"{BASE}/calibration", methods=["GET", "POST"], endpoint="calibration_examples")
@login_required
def examples_page(slug: str, assignment_slug: str) -> Response | Page:
    course, assignment = managed_assignment(slug, assignment_slug, permissions.can_manage_reviews)
    form = ExampleForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                _example, review = calibration_examples.add_example(
                    current_user, assignment, form.log_id.data or 0
                )
            except CalibrationRefused as refused:
                db.session.rollback()
                form.log_id.errors = [refusal(refused.code)]
            else:
                db.session.commit()
                if review.state == ReviewState.SUBMITTED.value:
                    flash(_("The example is offered again, with its reference assessment."), "info")
                    return redirect(_examples_url(course, assignment))
                return redirect(url_for("review.reviewing.write", review_id=review.id))
        status = 422
    candidates = calibration_examples.candidates(assignment)
    return render_template(
        "review/calibration_examples.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        examples=calibration_examples.examples(assignment),
        candidates=candidates,
        form=form,
        when=when,
    ), status


@bp.post(f"{BASE}/calibration/<int:example_id>/remove")
@login_required
def remove_calibration_example(slug: str, assignment_slug: str, example_id: int) -> Response:
    course, assignment = managed_assignment(slug, assignment_slug, permissions.can_manage_reviews)
    example = calibration_examples.example_in(assignment, example_id)
    if example is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    calibration_examples.remove_example(current_user, example)
    db.session.commit()
    flash(_("The example is no longer offered. Practice reviews already written are kept."), "info")
    return redirect(_examples_url(course, assignment))


# --- How close practice came to the references (maintainers; a circle's facilitators) ----

#: Learners listed a page: a circle of 500 who all practised stays within the page budget.
RESULTS_PER_PAGE = 50


@dataclass(frozen=True)
class _ResultsPage:
    rows: list[calibration_results.LearnerCalibration]
    total: int
    page: int
    pages: int


@bp.get(f"{BASE}/calibration/results", endpoint="calibration_results")
@login_required
def calibration_results_page(slug: str, assignment_slug: str) -> str:
    """The maintainers see every learner; a circle's facilitator their circle's learners
    (``circle_scope``). Examples are numbered, never their authors or referees named."""
    course, assignment, scope = staff_assignment(slug, assignment_slug)
    found = calibration_results.results(assignment, scope.learners)
    page = page_arg()
    pages = max(1, -(-len(found.learners) // RESULTS_PER_PAGE))
    if page > pages:
        abort(404)
    start = (page - 1) * RESULTS_PER_PAGE
    shown = _ResultsPage(
        found.learners[start : start + RESULTS_PER_PAGE], len(found.learners), page, pages
    )
    return render_template(
        "review/calibration_results.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        scope=scope,
        shown=shown,
        examples=found.examples,
        percent=format_percent,
    )


# --- Practice reviews (learners) ---------------------------------------------------------


def _learner_load(slug: str, assignment_slug: str) -> tuple[Course, Assignment]:
    """Course and live assignment for an enrolled learner: 404 as for any reader, then 403."""
    course, assignment = viewable_assignment(slug, assignment_slug)
    if not permissions.can_request_review(
        current_actor(), catalog.is_enrolled(current_user, course)
    ):
        abort(403, _("Enrol in the course to practise reviewing."))
    return course, assignment


@bp.get(f"{BASE}/practice")
@login_required
def practice(slug: str, assignment_slug: str) -> str:
    course, assignment = _learner_load(slug, assignment_slug)
    items = calibration_practice.practice_offer(current_user, assignment)
    return render_template(
        "review/calibration_practice.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        items=items,
        done=sum(1 for item in items if item.done),
    )


@bp.post(f"{BASE}/practice/<int:example_id>")
@login_required
def start_practice(slug: str, assignment_slug: str, example_id: int) -> Response | Page:
    course, assignment = _learner_load(slug, assignment_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = url_for("review.calibration.practice", slug=course.slug, assignment_slug=assignment.slug)
    try:
        review = calibration_practice.start_practice(current_user, assignment, example_id)
    except CalibrationRefused as refused:
        db.session.rollback()
        status = {"unavailable": 404, "own_example": 403}.get(refused.code, 409)
        return refused_page(refusal(refused.code), back, status)
    db.session.commit()
    if review.state == ReviewState.SUBMITTED.value:
        return redirect(url_for("review.calibration.calibration_result", review_id=review.id))
    return redirect(url_for("review.reviewing.write", review_id=review.id))


@bp.get("/reviews/<int:review_id>/calibration")
@login_required
def calibration_result(review_id: int) -> Response | str:
    review = calibration_practice.practice_review(review_id)
    if review is None:
        abort(404)
    if not permissions.can_see_practice_result(current_actor(), review):
        abort(403)
    if review.state != ReviewState.SUBMITTED.value:
        return redirect(url_for("review.reviewing.write", review_id=review.id))
    assignment = review.assignment
    result = calibration_practice.result_of(review)
    closeness = result.comparison.closeness if result else None
    return render_template(
        "review/calibration_result.html",
        course=assignment.course,
        assignment=assignment,
        spec=spec_of(assignment),
        review=review,
        result=result,
        closeness=format_percent(closeness) if closeness is not None else None,
        submitted=when(review.submitted_at or utcnow()),
    )
