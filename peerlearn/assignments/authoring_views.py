"""Writing assignments in the browser: list, new, edit with preview, history, revert, remove.

Like the module editor, each view loads, asks ``permissions``, calls one service from
``assignments.services``, commits once and renders or redirects. The text is the bundle's
YAML file; the reader's error, which names the field, is shown in the maintainer's
language (``spec_messages.describe``), and their text is always given back to them.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments import authoring_history as history
from peerlearn.assignments import services
from peerlearn.assignments.authoring_forms import (
    EditAssignmentForm,
    NewAssignmentForm,
    replace_text,
    template_text,
)
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.spec import Anonymity, AssignmentSpec, max_points
from peerlearn.assignments.spec_messages import describe
from peerlearn.assignments.spec_reader import parse_assignment
from peerlearn.authoring.diff import line_diff_blocks, word_diff
from peerlearn.bundles.format import SLUG_PATTERN, BundleError
from peerlearn.catalog import services as catalog
from peerlearn.catalog.models import Course
from peerlearn.extensions import db
from peerlearn.i18n import _, _l
from peerlearn.markdown import render_markdown
from peerlearn.site import id_arg, page_arg

bp = Blueprint("assignment_authoring", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response

#: How each anonymity setting reads on the preview.
ANONYMITY_LABELS = {
    Anonymity.DOUBLE_BLIND: _l("Double-blind: neither reviewer nor author sees the other's name"),
    Anonymity.SINGLE_BLIND: _l("Single-blind: the reviewer sees the author's name"),
    Anonymity.OPEN: _l("Open: both see each other's names"),
}
_MODULE_LINE = re.compile(r"^module:[^\n]*$", re.M)


def _course(slug: str) -> Course:
    course = catalog.course_by_slug(slug)
    if course is None:
        abort(404)
    if not permissions.can_author_assignments(current_user, course):
        abort(403)
    return course


def _assignment(course: Course, assignment_slug: str) -> Assignment:
    assignment = services.assignment_by_slug(course, assignment_slug)
    if assignment is None:
        abort(404)
    return assignment


def _problem(error: services.AssignmentError) -> str:
    """The error as a sentence: the reader's message names the file and the field."""
    if error.code == "unknown_module":
        return _(
            "The assignment could not be saved: this course has no module with the id "
            "“%(id)s”. Use the id of one of the modules listed below the editor.",
            id=error.value,
        )
    if error.code == "id_changed":
        return _(
            "The assignment could not be saved: its id must stay “%(id)s”, because copies "
            "and course bundles recognise the assignment by it.",
            id=error.value,
        )
    if error.code == "id_taken":
        return _(
            "The assignment could not be saved: another assignment of this course already "
            "has the id “%(id)s”. Give this one a new id (a UUID is best).",
            id=error.value,
        )
    problem = error.problem
    detail = describe(problem) if problem is not None else error.code
    message = _("The assignment could not be saved: %(problem)s", problem=detail)
    hint = _hint(problem) if problem is not None else None
    return f"{message} {hint}" if hint else message


def _hint(problem: BundleError) -> str | None:
    """A plain-language reason for the rules that are about how a review round works."""
    if problem.code == "fewer_than_must_be_reviewed":
        return _(
            "Each learner has to review at least as many build logs as each build log needs "
            "reviews, or some build logs would never get all their reviews: raise must_review "
            "or lower must_be_reviewed."
        )
    if problem.code == "not_after_submission_deadline":
        return _(
            "Reviewing can only end after submissions close: move review_deadline after "
            "submission_deadline, or set it to null."
        )
    return None


def _preview(text: str, slug: str) -> dict[str, Any]:
    """What the Preview button shows: the parsed assignment, or why it cannot be read."""
    try:
        spec = parse_assignment(text, services.file_name(slug), slug)
    except BundleError as error:
        message = _("The assignment cannot be shown: %(problem)s", problem=describe(error))
        hint = _hint(error)
        return {"preview_error": f"{message} {hint}" if hint else message}
    return {"spec": spec, **_spec_context(spec)}


def _spec_context(spec: AssignmentSpec) -> dict[str, Any]:
    return {
        "prompt_html": render_markdown(spec.prompt),
        "anonymity_label": ANONYMITY_LABELS[spec.anonymity],
        "total_points": max_points(spec),
    }


def _template_context(course: Course, **context: Any) -> dict[str, Any]:
    return {"course": course, "modules": services.active_modules(course), **context}


# --- List, new, remove ----------------------------------------------------------------


@bp.get("/courses/<slug>/assignments")
@login_required
def list_assignments(slug: str) -> str:
    course = _course(slug)
    return render_template(
        "assignments/authoring_list.html",
        course=course,
        assignments=services.course_assignments(course),
    )


@bp.route("/courses/<slug>/assignments/new", methods=["GET", "POST"])
@login_required
def new_assignment(slug: str) -> Page:
    course = _course(slug)
    modules = services.active_modules(course)
    if not modules:
        flash(_("Add a module first: every assignment belongs to a module."), "info")
        return redirect(url_for("authoring.new_module", slug=course.slug))
    form = NewAssignmentForm(modules=modules)
    context = _template_context(course, form=form)
    if request.method == "GET":
        chosen = next((m for m in modules if m.key == request.args.get("module")), modules[0])
        form.module.data = chosen.key
        form.text.data = template_text(chosen)
        return render_template("assignments/authoring_new.html", **context)
    chosen_key = form.module.data
    if form.text.data and any(m.key == chosen_key for m in modules):
        # The select is what the maintainer chose; the file's module line follows it.
        line = f"module: {chosen_key}"
        replace_text(form.text, _MODULE_LINE.sub(lambda _match: line, form.text.data, count=1))
    if form.preview.data and form.text.data:
        slug_ok = bool(form.slug.data and SLUG_PATTERN.match(form.slug.data))
        context.update(_preview(form.text.data, form.slug.data if slug_ok else "new"))
        return render_template("assignments/authoring_new.html", **context)
    if not form.validate_on_submit():
        return render_template("assignments/authoring_new.html", **context), 422
    try:
        assignment = services.create_assignment(
            current_user, course, slug=form.slug.data, text=form.text.data
        )
    except services.AssignmentError as error:
        db.session.rollback()
        if error.code == "slug_taken":
            form.slug.errors = [_("Another assignment of this course uses this address.")]
        else:
            form.text.errors = [_problem(error)]
        return render_template("assignments/authoring_new.html", **context), 422
    db.session.commit()
    flash(_("The assignment is added."), "success")
    return redirect(
        url_for(
            "assignment_authoring.edit_assignment",
            slug=course.slug,
            assignment_slug=assignment.slug,
        )
    )


@bp.post("/courses/<slug>/assignments/<assignment_slug>/remove")
@login_required
def remove_assignment(slug: str, assignment_slug: str) -> Response:
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    services.remove_assignment(current_user, course, assignment)
    db.session.commit()
    flash(
        _(
            "The assignment “%(slug)s” is removed from the course. Its history is kept.",
            slug=assignment.slug,
        ),
        "success",
    )
    return redirect(url_for("assignment_authoring.list_assignments", slug=course.slug))


# --- Edit -----------------------------------------------------------------------------


@bp.route("/courses/<slug>/assignments/<assignment_slug>/edit", methods=["GET", "POST"])
@login_required
def edit_assignment(slug: str, assignment_slug: str) -> Page:
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    form = EditAssignmentForm()
    if request.method == "GET":
        form.text.data = assignment.current.text
        form.base_revision_id.data = str(assignment.current_revision_id)
    context = _template_context(course, assignment=assignment, form=form)
    if form.is_submitted() and form.preview.data and form.text.data:
        context.update(_preview(form.text.data, assignment.slug))
        return render_template("assignments/authoring_edit.html", **context)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("assignments/authoring_edit.html", **context), status
    try:
        outcome = services.save_edit(
            current_user,
            course,
            assignment,
            base_revision_id=form.base_revision_id.data,
            text=form.text.data,
            summary=form.summary.data or "",
        )
    except services.AssignmentError as error:
        db.session.rollback()
        if error.code == "unknown_base":
            abort(400, _("The page you edited from is out of date. Open the editor again."))
        if error.text is not None:
            # A clean merge that does not validate: show the merged text, from the latest base.
            replace_text(form.text, error.text)
            replace_text(form.base_revision_id, str(assignment.current_revision_id))
        form.text.errors = [_problem(error)]
        return render_template("assignments/authoring_edit.html", **context), 422
    if outcome.status == "conflict":
        db.session.rollback()
        replace_text(form.text, outcome.text)
        replace_text(form.base_revision_id, str(outcome.current.id))
        context.update(
            outcome=outcome,
            their_changes=line_diff_blocks(outcome.base.text, outcome.current.text),
            conflicts=[
                (c, word_diff(c.base, c.theirs), word_diff(c.base, c.ours))
                for c in outcome.conflicts
            ],
        )
        return render_template("assignments/authoring_edit.html", **context), 409
    db.session.commit()
    if outcome.status == "unchanged":
        flash(_("There were no changes to save."), "info")
    elif outcome.status == "merged":
        flash(
            _(
                "Someone else saved this assignment while you were editing. Your changes were "
                "merged with theirs; please check the result."
            ),
            "success",
        )
    else:
        flash(_("Your changes are saved."), "success")
    return redirect(
        url_for(
            "assignment_authoring.edit_assignment",
            slug=course.slug,
            assignment_slug=assignment.slug,
        )
    )


# --- History --------------------------------------------------------------------------


@bp.get("/courses/<slug>/assignments/<assignment_slug>/history")
@login_required
def assignment_history(slug: str, assignment_slug: str) -> str:
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    page = history.assignment_history(assignment, page_arg())
    if page is None:
        abort(404)
    return render_template(
        "assignments/authoring_history.html", course=course, assignment=assignment, page=page
    )


@bp.get("/courses/<slug>/assignments/<assignment_slug>/diff")
@login_required
def assignment_diff(slug: str, assignment_slug: str) -> str:
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    old = services.revision_of(assignment, id_arg("from"))
    new = services.revision_of(assignment, id_arg("to"))
    if old is None or new is None:
        abort(404, _("Choose two revisions of this assignment to compare."))
    return render_template(
        "assignments/authoring_diff.html",
        course=course,
        assignment=assignment,
        diff=history.compare(old, new),
    )


@bp.post("/courses/<slug>/assignments/<assignment_slug>/revert")
@login_required
def revert_assignment(slug: str, assignment_slug: str) -> Response:
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    revision = services.revision_of(assignment, request.form.get("revision_id"))
    if revision is None:
        abort(404)
    number = history.revision_number(revision)
    summary = _("Reverted to revision %(number)s", number=number)
    back = url_for(
        "assignment_authoring.assignment_history", slug=course.slug, assignment_slug=assignment.slug
    )
    try:
        reverted = services.revert_assignment(current_user, course, assignment, revision, summary)
    except services.AssignmentError as error:
        db.session.rollback()
        flash(_problem(error), "error")
        return redirect(back)
    if reverted is None:
        flash(_("The assignment already reads like revision %(number)s.", number=number), "info")
    else:
        db.session.commit()
        flash(_("Reverted to revision %(number)s.", number=number), "success")
    return redirect(back)
