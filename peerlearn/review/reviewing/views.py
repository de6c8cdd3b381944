"""The learner's side of peer review: ask for a build log to review, write the review (the
same page serves self-assessment, practice, reference and staff reviews), read the reviews
received and rate their helpfulness.

Double-blind by default: the review page never shows the author's name (the build log is
rendered from its snapshot, which holds none, and photos are addressed by content hash),
and the author sees "Reviewer 1, 2, 3". Maintainers see names in their own pages.

This module owns the ``reviewing`` blueprint, nested in ``review`` (endpoints
``review.reviewing.*``), with the assignment page of :mod:`.assignment_page` on it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from peerlearn import permissions, rate_limits
from peerlearn.assignments import buildlogs
from peerlearn.assignments.loading import viewable_assignment
from peerlearn.assignments.log_helpers import log_photo_urls
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.snapshots import view_of_snapshot
from peerlearn.bundles.assignment_spec import Anonymity, AssignmentSpec
from peerlearn.catalog import services as catalog
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.i18n import _, when
from peerlearn.notifications import notify
from peerlearn.review.allocation import queue, queue_counts, resubmission
from peerlearn.review.flags import flags
from peerlearn.review.grading import regrades, stored_grades
from peerlearn.review.models import Review, ReviewKind, ReviewState
from peerlearn.review.notifications import NoticeKind
from peerlearn.review.reviewing import assignment_page, reviewing
from peerlearn.review.reviewing.forms import (
    PROBLEM_MESSAGES,
    REFUSED_MESSAGES,
    HelpfulnessForm,
    ReviewForm,
    scores_as_input,
    scores_from,
)
from peerlearn.review.reviewing.reviewing import ReviewProblem, ReviewRefused
from peerlearn.web import current_actor

bp = Blueprint("reviewing", __name__, template_folder="templates")
# The assignment page shows the learner's review step: its module says why it lives here.
bp.add_url_rule("/courses/<slug>/a/<assignment_slug>", view_func=assignment_page.assignment)

_ASSIGNMENT = "/courses/<slug>/a/<assignment_slug>"


def _refused(course: Course, assignment: Assignment, code: str) -> tuple[str, int]:
    return render_template(
        "assignments/refused.html",
        course=course,
        assignment=assignment,
        message=REFUSED_MESSAGES[code],
    ), 409


def _to_assignment(course: Course, assignment: Assignment) -> Response:
    return redirect(
        url_for("review.reviewing.assignment", slug=course.slug, assignment_slug=assignment.slug)
    )


# --- Asking for a build log to review ---------------------------------------------------


@bp.post(f"{_ASSIGNMENT}/reviews/next")
@login_required
def next_review(slug: str, assignment_slug: str) -> Response | tuple[str, int]:
    course, assignment = viewable_assignment(slug, assignment_slug)
    if not permissions.can_request_review(
        current_actor(), catalog.is_enrolled(current_user, course)
    ):
        abort(403, reviewing_message("not_enrolled"))
    held = reviewing.live_lease(current_user, assignment)
    try:
        review = queue.request_review(current_user, assignment)
    except queue.ReviewRefused as refused:
        db.session.rollback()
        return _refused(course, assignment, refused.code)
    if held is None or held.id != review.id:
        url = url_for("review.reviewing.write", review_id=review.id)
        notify(
            current_user.id, NoticeKind.REVIEW_ASSIGNED, url, assignment=spec_of(assignment).title
        )
    db.session.commit()
    return redirect(url_for("review.reviewing.write", review_id=review.id))


def reviewing_message(code: str) -> str:
    if code == "not_enrolled":
        return _("Enrol in the course to review other learners' build logs.")
    return str(REFUSED_MESSAGES[code])


@bp.post(f"{_ASSIGNMENT}/self-assessment")
@login_required
def self_assessment(slug: str, assignment_slug: str) -> Response | tuple[str, int]:
    course, assignment = viewable_assignment(slug, assignment_slug)
    if not spec_of(assignment).self_assessment:
        abort(404)
    log = buildlogs.log_of(current_user, assignment)
    if log is None or not permissions.can_edit_log(current_actor(), log):
        return _refused(course, assignment, "not_submitted")
    try:
        review = reviewing.start_self_assessment(current_user, log)
    except ReviewRefused as refused:
        return _refused(course, assignment, refused.code)
    db.session.commit()
    return redirect(url_for("review.reviewing.write", review_id=review.id))


# --- Writing a review --------------------------------------------------------------------


def _author_name_visible(review: Review, spec: AssignmentSpec, course: Course) -> bool:
    """Whether the review page may name the build log's author."""
    if permissions.can_see_reviewer_identities(current_actor(), course):
        return review.kind in (ReviewKind.STAFF.value, ReviewKind.REFERENCE.value)
    return review.kind == ReviewKind.PEER.value and spec.anonymity != Anonymity.DOUBLE_BLIND


def _after_submit(review: Review, course: Course, assignment: Assignment) -> str:
    where: dict[str, Any] = {"slug": course.slug, "assignment_slug": assignment.slug}
    if review.kind == ReviewKind.STAFF.value:
        return url_for("review.staff.waiting", **where)
    if review.kind == ReviewKind.REFERENCE.value:
        return url_for("review.calibration.calibration_examples", **where)
    if review.kind == ReviewKind.CALIBRATION.value:
        return url_for("review.calibration.calibration_result", review_id=review.id)
    return url_for("review.reviewing.assignment", **where)


def _review_for_page(review_id: int) -> Review | None:
    """:func:`reviewing.load_review` for the review page, in two queries: the review with
    its log, submission, assignment (and the assignment's current revision, the spec) and
    course joined, then its scores."""
    assignment = joinedload(Review.log).joinedload(BuildLog.assignment)
    return db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(
            selectinload(Review.scores),
            assignment.joinedload(Assignment.course),
            assignment.joinedload(Assignment.current),
            joinedload(Review.submission),
        )
    )


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
@login_required
@rate_limits.post_limit
def write(review_id: int) -> Response | str | tuple[str, int]:
    review = _review_for_page(review_id)
    if review is None:
        abort(404)
    if not permissions.can_write_review(current_actor(), review):
        abort(403)
    assignment = review.log.assignment
    course = assignment.course
    spec = spec_of(assignment)
    form = ReviewForm()
    scores = scores_as_input(reviewing.scores_of(review))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "GET":
        form.overall.data = review.overall_comment
    elif form.validate_on_submit():
        scores = scores_from(request.form, spec)
        overall = (form.overall.data or "").replace("\r\n", "\n")
        try:
            if request.form.get("action") == "submit":
                reviewing.submit_review(current_user, review, scores, overall)
                db.session.commit()
                flash(_("Your review was submitted. Thank you!"),
                      "success")  # fmt: skip
                return redirect(_after_submit(review, course, assignment))
            reviewing.save_draft(current_user, review, scores, overall)
            db.session.commit()
            return redirect(url_for("review.reviewing.write", review_id=review.id, saved=1))
        except ReviewRefused as refused:
            db.session.rollback()
            if refused.code == "submitted":
                return redirect(_after_submit(review, course, assignment))
            return _refused(course, assignment, refused.code)
        except ReviewProblem as problem:
            # The draft part (everything typed) is kept; only the submit is refused.
            db.session.commit()
            errors[problem.field] = str(PROBLEM_MESSAGES[problem.code])
            status = 422
    else:
        status = 400
    return render_template(
        "review/write.html",
        review=review,
        course=course,
        assignment=assignment,
        spec=spec,
        form=form,
        scores=scores,
        errors=errors,
        saved=request.args.get("saved") == "1" and status == 200,
        view=(view := view_of_snapshot(review.submission.snapshot)),
        photo_urls=log_photo_urls(view),
        author=review.log.user if _author_name_visible(review, spec, course) else None,
        locale=str(get_locale()),
        expires_at=(
            when(review.lease_expires_at)
            if review.lease_expires_at and review.state == ReviewState.LEASED.value
            else None
        ),
        Kind=ReviewKind,
        State=ReviewState,
    ), status


# --- The author's side: reviews received ------------------------------------------------


def _own_submitted_log(course: Course, assignment: Assignment) -> BuildLog:
    log = buildlogs.log_of(current_user, assignment)
    if log is None or not permissions.can_read_review_of(current_actor(), log):
        abort(404)
    return log


@bp.get(f"{_ASSIGNMENT}/feedback")
@login_required
def received(slug: str, assignment_slug: str) -> str:
    course, assignment = viewable_assignment(slug, assignment_slug)
    log = _own_submitted_log(course, assignment)
    return _render_received(course, assignment, log, HelpfulnessForm(), None, store=True)


def _render_received(
    course: Course,
    assignment: Assignment,
    log: BuildLog,
    form: HelpfulnessForm,
    rated_review_id: int | None,
    *,
    store: bool,
) -> str:
    """The author's page: grade (give to get), reviews as "Reviewer 1, 2, 3", their own
    self-assessment beside, and a helpfulness form under each review not yet rated.
    ``store``: a plain view of the page, which may store the grades it had to compute."""
    spec = spec_of(assignment)
    given = queue_counts.completed_by(current_user, assignment)
    self_review = reviewing.own_review(current_user, log, ReviewKind.SELF)
    reviews = reviewing.received_reviews(log)
    return render_template(
        "review/received.html",
        course=course,
        assignment=assignment,
        spec=spec,
        log=log,
        reviews=reviews,
        flags=flags.flags_by_review(review.id for review in reviews),
        given=given,
        grade=stored_grades.grade_of(log, store=store) if given >= spec.must_review else None,
        counts=queue_counts.counts_of(log),
        self_review=(
            self_review if self_review and self_review.state == ReviewState.SUBMITTED else None
        ),
        names_visible=spec.anonymity == Anonymity.OPEN,
        helpfulness_form=form,
        rated_review_id=rated_review_id,
        regrade=regrades.latest_request(log),
        versions=resubmission.version_numbers(log) if spec.resubmission else {},
        locale=str(get_locale()),
    )


@bp.post("/reviews/<int:review_id>/helpfulness")
@login_required
def rate(review_id: int) -> Response | str | tuple[str, int]:
    review = reviewing.load_review(review_id)
    if (
        review is None
        or review.kind not in reviewing.KINDS_FOR_AUTHOR
        or review.state != ReviewState.SUBMITTED.value
    ):
        abort(404)
    log = review.log
    if log.user_id != current_user.id:
        abort(403)
    course, assignment = log.assignment.course, log.assignment
    form = HelpfulnessForm()
    if not form.validate_on_submit():
        # Shown again on the page, next to the review, with what was typed.
        return _render_received(course, assignment, log, form, review.id, store=False), 422
    try:
        reviewing.rate_helpfulness(
            current_user, review, form.rating.data or 0, form.comment.data or ""
        )
        db.session.commit()
    except IntegrityError:  # two submissions at once: the first one won
        db.session.rollback()
    back = url_for("review.reviewing.received", slug=course.slug, assignment_slug=assignment.slug)
    return redirect(f"{back}#review-{review.id}")
