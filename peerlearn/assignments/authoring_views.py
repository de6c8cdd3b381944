"""Writing assignments in the browser: list, new, edit with preview, history, revert, remove.

Like the module editor, each view loads, asks ``permissions``, calls one service from
``assignments.services``, commits once and renders or redirects. The text is the bundle's
YAML file; the reader's error, which names the field, is shown in the maintainer's
language (``assignment_messages.describe``), and their text is always given back to them.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments import services, spec_form
from peerlearn.assignments.authoring_forms import (
    AssignmentFieldsForm,
    EditAssignmentForm,
    NewAssignmentForm,
    replace_text,
    template_text,
)
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.services import ASSIGNMENT
from peerlearn.bundles.assignment_messages import describe
from peerlearn.bundles.assignment_reader import parse_assignment, read_assignment
from peerlearn.bundles.assignment_spec import Anonymity, AssignmentSpec, Grading, max_points
from peerlearn.bundles.assignment_writer import dump_assignment, dump_values
from peerlearn.bundles.format import SLUG_PATTERN, BundleError
from peerlearn.catalog import pages as catalog_pages
from peerlearn.content import pages, revisions
from peerlearn.content.diff import line_diff_blocks, word_diff
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.i18n import _, _l
from peerlearn.markdown import render_markdown
from peerlearn.web import current_actor, current_course

bp = Blueprint("assignment_authoring", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response

#: How each anonymity setting reads on the preview.
ANONYMITY_LABELS = {
    Anonymity.DOUBLE_BLIND: _l("Double-blind: neither reviewer nor author sees the other's name"),
    Anonymity.SINGLE_BLIND: _l("Single-blind: the reviewer sees the author's name"),
    Anonymity.OPEN: _l("Open: both see each other's names"),
}
#: How each grading rule reads in the structured editor's menu.
GRADING_LABELS = {
    Grading.MODEL: _l("Model: learns each reviewer's bias and reliability (recommended)"),
    Grading.MEDIAN: _l("Median of the reviewers' scores"),
    Grading.MEAN: _l("Mean of the reviewers' scores"),
}
_MODULE_LINE = re.compile(r"^module:[^\n]*$", re.M)


def _authoring_part(course: Course, module: Module | None) -> dict[str, bool]:
    """For the maintainers' links on the course and module pages to the assignment editor."""
    return {"can_author": permissions.can_author_assignments(current_actor(), course)}


catalog_pages.add_course_part(_authoring_part)


def _course(slug: str) -> Course:
    course = current_course()
    if not permissions.can_author_assignments(current_actor(), course):
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


def _module_line_follows_menu(form: NewAssignmentForm, modules: list[Module]) -> bool:
    """Make the text's ``module:`` line say what the Module menu says, or explain why not.

    The menu is the one place the module is chosen. The line the form wrote follows the
    menu; a line the maintainer changed by hand to another module is reported next to the
    menu rather than silently overwritten, so they decide which one they meant.
    """
    chosen_key = form.module.data
    text = form.text.data or ""
    match = _MODULE_LINE.search(text)
    if not text or not match or not any(m.key == chosen_key for m in modules):
        return True  # nothing to follow: the reader and the select report what is wrong
    written = match.group(0).removeprefix("module:").strip().strip("'\"")
    if written not in (chosen_key, form.written_for.data):
        titles = {m.key: m.title for m in modules}
        form.module.errors = [
            _(
                "The Module menu says “%(menu)s”, but the module: line of the assignment "
                "file says “%(line)s”. Choose the module in the menu (the line follows it) "
                "or make the line say the same.",
                menu=titles[chosen_key],
                line=titles.get(written, written),
            )
        ]
        return False
    line = f"module: {chosen_key}"
    replace_text(form.text, _MODULE_LINE.sub(lambda _match: line, text, count=1))
    replace_text(form.written_for, chosen_key)
    return True


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
        form.written_for.data = chosen.key
        form.text.data = template_text(chosen)
        return render_template("assignments/authoring_new.html", **context)
    if not _module_line_follows_menu(form, modules):
        return render_template("assignments/authoring_new.html", **context), 422
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
    context = _template_context(
        course, assignment=assignment, title=ASSIGNMENT.title(assignment), form=form
    )
    if form.is_submitted() and form.preview.data and form.text.data:
        context.update(_preview(form.text.data, assignment.slug))
        return render_template("assignments/authoring_edit.html", **context)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("assignments/authoring_edit.html", **context), status
    return _save(course, assignment, form, context, "assignment_authoring.edit_assignment")


def _save(
    course: Course,
    assignment: Assignment,
    form: EditAssignmentForm,
    context: dict[str, Any],
    back: str,
) -> Page:
    """Save ``form``'s text through the one save path of both editors: validation, the
    base revision's three-way merge, and the YAML editor's conflict page when it fails."""
    try:
        outcome = revisions.save_edit(
            ASSIGNMENT,
            current_user,
            assignment,
            base_revision_id=form.base_revision_id.data,
            text=form.text.data,
            fields={},
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
    return redirect(url_for(back, slug=course.slug, assignment_slug=assignment.slug))


# --- The structured editor ------------------------------------------------------------


def _yaml_form(text: str, base_revision_id: str, summary: str) -> EditAssignmentForm:
    """The YAML editor's form holding ``text``, for switching from the structured one."""
    form = EditAssignmentForm(formdata=None)
    replace_text(form.text, text)
    replace_text(form.base_revision_id, base_revision_id)
    replace_text(form.summary, summary)
    return form


def _fields_page(
    course: Course,
    assignment: Assignment,
    form: AssignmentFieldsForm,
    draft: spec_form.AssignmentDraft,
    status: int = 200,
    **context: Any,
) -> Page:
    modules = services.active_modules(course)
    context.setdefault("errors", {})
    return render_template(
        "assignments/authoring_fields.html",
        course=course,
        assignment=assignment,
        title=ASSIGNMENT.title(assignment),
        form=form,
        draft=draft,
        module_choices=[(m.key, m.title) for m in modules],
        anonymity=ANONYMITY_LABELS,
        grading=GRADING_LABELS,
        **context,
    ), status


@bp.route("/courses/<slug>/assignments/<assignment_slug>/form", methods=["GET", "POST"])
@login_required
def edit_assignment_form(slug: str, assignment_slug: str) -> Page:
    """The assignment as a form: settings, prompt and the rubric's criteria and levels.

    Add and Remove buttons change the draft and show it again; Preview and Save build the
    YAML mapping from it and apply the reader's rules; "Edit as YAML" hands the text, valid
    or not, to the YAML editor; the YAML editor's "Edit with the form" arrives here.
    """
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    form = AssignmentFieldsForm()
    if request.method == "GET":
        form.base_revision_id.data = str(assignment.current_revision_id)
        return _fields_page(course, assignment, form, spec_form.draft_of(spec_of(assignment)))
    if not form.validate_on_submit():
        draft = spec_form.draft_from_form(request.form)
        return _fields_page(course, assignment, form, draft, 422)
    base = form.base_revision_id.data or ""
    summary = form.summary.data or ""
    if request.form.get("from_yaml"):
        return _from_yaml(course, assignment, form, base, summary)
    draft = spec_form.draft_from_form(request.form)
    action = request.form.get("action", "")
    if spec_form.apply(draft, action):
        return _fields_page(course, assignment, form, draft)
    values = spec_form.values_of(draft, assignment.key)
    try:
        spec = read_assignment(services.file_name(assignment.slug), values, assignment.slug)
    except BundleError as problem:
        if action == "yaml":
            return _yaml_page(course, assignment, _yaml_form(dump_values(values), base, summary))
        message = _("The assignment could not be saved: %(problem)s", problem=describe(problem))
        hint = _hint(problem)
        return _fields_page(
            course,
            assignment,
            form,
            draft,
            422,
            problem=f"{message} {hint}" if hint else message,
            errors={spec_form.input_of(problem.field): describe(problem)},
        )
    if action == "yaml":
        return _yaml_page(course, assignment, _yaml_form(dump_assignment(spec), base, summary))
    if action != "save":
        return _fields_page(course, assignment, form, draft, **_spec_context(spec), spec=spec)
    text = dump_assignment(spec)
    old = revisions.revision_of(assignment, base)
    if old is not None and _same_spec(old.text, assignment.slug, spec):
        text = old.text  # only the layout would change: keep the file as its author wrote it
    yaml_form = _yaml_form(text, base, summary)
    context = _template_context(
        course, assignment=assignment, title=ASSIGNMENT.title(assignment), form=yaml_form
    )
    return _save(
        course, assignment, yaml_form, context, "assignment_authoring.edit_assignment_form"
    )


def _from_yaml(
    course: Course, assignment: Assignment, form: AssignmentFieldsForm, base: str, summary: str
) -> Page:
    """The YAML editor's text, opened in the form; text the form cannot show stays in the
    YAML editor with the reason."""
    text = (request.form.get("text") or "").replace("\r\n", "\n")
    try:
        spec = parse_assignment(text, services.file_name(assignment.slug), assignment.slug)
    except BundleError as error:
        yaml_form = _yaml_form(text, base, summary)
        yaml_form.text.errors = [
            _("The form can only open a readable assignment: %(problem)s", problem=describe(error))
        ]
        return _yaml_page(course, assignment, yaml_form, 422)
    return _fields_page(course, assignment, form, spec_form.draft_of(spec))


def _yaml_page(
    course: Course, assignment: Assignment, form: EditAssignmentForm, status: int = 200
) -> Page:
    context = _template_context(
        course, assignment=assignment, title=ASSIGNMENT.title(assignment), form=form
    )
    return render_template("assignments/authoring_edit.html", **context), status


def _same_spec(text: str, slug: str, spec: AssignmentSpec) -> bool:
    try:
        return parse_assignment(text, services.file_name(slug), slug) == spec
    except BundleError:
        return False


# --- History --------------------------------------------------------------------------


@bp.get("/courses/<slug>/assignments/<assignment_slug>/history")
@login_required
def assignment_history(slug: str, assignment_slug: str) -> str:
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    return pages.history_page(
        ASSIGNMENT, course, assignment,
        heading=_("History of the assignment “%(slug)s”", slug=ASSIGNMENT.title(assignment)),
        can_revert=True,
    )  # fmt: skip


@bp.get("/courses/<slug>/assignments/<assignment_slug>/diff")
@login_required
def assignment_diff(slug: str, assignment_slug: str) -> str:
    course = _course(slug)
    return pages.diff_page(
        ASSIGNMENT, course, _assignment(course, assignment_slug),
        missing=_("Choose two revisions of this assignment to compare."),
        can_revert=True,
    )  # fmt: skip


@bp.post("/courses/<slug>/assignments/<assignment_slug>/revert")
@login_required
def revert_assignment(slug: str, assignment_slug: str) -> Response:
    course = _course(slug)
    assignment = _assignment(course, assignment_slug)
    return pages.revert_page(
        ASSIGNMENT, current_user, assignment,
        back=lambda: url_for(
            "assignment_authoring.assignment_history",
            slug=course.slug, assignment_slug=assignment.slug,
        ),
        unchanged=lambda number: _(
            "The assignment already reads like revision %(number)s.", number=number
        ),
        refused=(services.AssignmentError,),
        problem=_problem,
    )  # fmt: skip
