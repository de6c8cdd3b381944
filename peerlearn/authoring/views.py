"""Authoring pages: create a course, its settings and maintainers, add, edit, move and
remove modules, and read module and course history.

Each view loads, asks ``permissions``, calls one service from ``editing``, commits once
and redirects; every change is a POST with CSRF and works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.authoring import editing
from peerlearn.authoring.forms import (
    CourseSettingsForm,
    EditModuleForm,
    MaintainerForm,
    NewCourseForm,
    NewModuleForm,
)
from peerlearn.authoring.module_document import MODULE
from peerlearn.catalog import pages as catalog_pages
from peerlearn.catalog import services as catalog
from peerlearn.catalog.reading import render_course_markdown
from peerlearn.content import history, pages, revisions
from peerlearn.content.diff import line_diff_blocks, word_diff
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.i18n import _, short_date
from peerlearn.site import page_arg
from peerlearn.web import course_part, current_actor, current_course, requires

bp = Blueprint("authoring", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response


def _tools_part(course: Course, module: Module | None) -> dict[str, bool]:
    """For the course and module pages' tool links: may the actor change this course?"""
    return {"can_edit": permissions.can_edit_course(current_actor(), course)}


catalog_pages.add_course_part(_tools_part)


@bp.app_template_global("authoring_when")
def when(value: Any) -> str:
    """A date and time in the reader's language and time zone."""
    return short_date(value)


@bp.app_template_global("authoring_kind")
def kind(value: str) -> str:
    return history.kind_label(value)


def _course(slug: str) -> Course:
    """The course the shared loader (``peerlearn.web.load_course``) loaded."""
    return current_course()


def _module(course: Course, module_slug: str) -> Module:
    """The live module the shared loader loaded with the course, or 404."""
    module: Module | None = course_part()
    if module is None:
        abort(404)
    return module


def _form_status(form: Any) -> int:
    return 422 if form.is_submitted() else 200


# --- Courses -------------------------------------------------------------------------


@bp.route("/courses/new", methods=["GET", "POST"])
@login_required
def new_course() -> Page:
    if not permissions.can_create_course(current_actor()):
        abort(403)
    form = NewCourseForm()
    if request.method == "GET":
        form.language.data = form.language.data or "en"
    if form.validate_on_submit():
        try:
            course = editing.create_course(
                current_user,
                title=form.title.data,
                slug=form.slug.data,
                summary=form.summary.data,
                language=form.language.data,
                tags=form.tag_list,
                licence=form.licence.data,
            )
            db.session.commit()
        except (editing.EditingError, IntegrityError):
            db.session.rollback()
            form.slug.errors = [_("A course already uses this address. Please choose another.")]
            return render_template("authoring/new_course.html", form=form), 422
        flash(_("Your course is ready. Add its first module."), "success")
        return redirect(url_for("authoring.new_module", slug=course.slug))
    return render_template("authoring/new_course.html", form=form), _form_status(form)


@bp.route("/courses/<slug>/settings", methods=["GET", "POST"])
@login_required
@requires(permissions.can_edit_course)
def course_settings(slug: str) -> Page:
    course = current_course()
    allowed = editing.allowed_licences(course)
    if course.licence not in allowed:
        allowed = (course.licence, *allowed)
    current = {
        "title": course.title,
        "summary": course.summary,
        "language": course.language,
        "tags": ", ".join(course.tag_names),
        "licence": course.licence,
    }
    form = CourseSettingsForm(
        allowed_licences=allowed, current_language=course.language, data=current
    )
    if request.method == "GET":
        # Only on GET: a POST without it must stay without it (treated as stale).
        form.base_version.data = editing.settings_version(course)
    if form.validate_on_submit():
        try:
            changes = editing.update_settings(
                current_user,
                course,
                base_version=form.base_version.data,
                title=form.title.data,
                summary=form.summary.data,
                language=form.language.data,
                tags=form.tag_list,
                licence=form.licence.data,
            )
        except editing.SettingsConflict as conflict:
            # Nothing is saved; the form keeps the person's values, now based on the
            # settings they have just been shown, so saving again is a knowing choice.
            db.session.rollback()
            _replace(form.base_version, conflict.version)
            return render_template(
                "authoring/course_settings.html",
                course=course,
                form=form,
                conflict=_settings_conflict(form, conflict.current),
            ), 409
        db.session.commit()
        if changes:
            flash(_("The course settings are saved."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    return render_template(
        "authoring/course_settings.html", course=course, form=form
    ), _form_status(form)


def _settings_conflict(form: CourseSettingsForm, saved: dict[str, Any]) -> list[dict[str, Any]]:
    """Each setting where what is saved now differs from the form: label, theirs, yours.

    Language and licence are shown by their names, as the form's lists show them; the
    others are text in the course's language (``course_text``).
    """
    yours = {
        "title": form.title.data,
        "summary": form.summary.data,
        "language": form.language.data,
        "tags": form.tag_list,
        "licence": form.licence.data,
    }
    names = {
        "language": dict(form.language.choices or []),
        "licence": dict(form.licence.choices or []),
    }

    def shown(name: str, value: Any) -> str:
        if name == "tags":
            return ", ".join(value)
        return str(names[name].get(value, value)) if name in names else str(value)

    return [
        {
            "label": str(getattr(form, name).label.text),
            "saved": shown(name, saved[name]),
            "yours": shown(name, yours[name]),
            "course_text": name not in names,
        }
        for name in editing.SETTINGS_FIELDS
        if saved[name] != yours[name]
    ]


@bp.route("/courses/<slug>/maintainers", methods=["GET", "POST"])
@login_required
def maintainers(slug: str) -> Page:
    course = _course(slug)
    if not permissions.can_manage_maintainers(current_actor(), course):
        abort(403)
    form = MaintainerForm()
    if form.validate_on_submit():
        try:
            added = editing.add_maintainer(current_user, course, form.username.data)
        except editing.EditingError as error:
            db.session.rollback()
            if error.code == "unknown_user":
                message = _("There is no user called “%(name)s”.", name=form.username.data)
            else:
                message = _("%(name)s already maintains this course.", name=form.username.data)
            form.username.errors = [message]
        else:
            db.session.commit()
            flash(_("%(name)s can now edit this course.", name=added.user.username), "success")
            return redirect(url_for("authoring.maintainers", slug=course.slug))
    return render_template(
        "authoring/maintainers.html",
        course=course,
        form=form,
        maintainers=editing.maintainers(course),
        can_remove=permissions.can_remove_maintainer(current_actor(), course),
    ), _form_status(form)


@bp.get("/courses/<slug>/history")
def course_history(slug: str) -> str:
    course = _course(slug)
    if not permissions.can_view_history(current_actor(), course):
        abort(403)
    page = history.course_history(course, page_arg())
    if page is None:
        abort(404)
    return render_template("authoring/course_history.html", course=course, page=page)


# --- Modules: structure --------------------------------------------------------------


@bp.get("/courses/<slug>/modules")
@login_required
@requires(permissions.can_edit_course)
def manage_modules(slug: str) -> str:
    course = current_course()
    outline = catalog.outlines([course.id])[course.id]
    return render_template("authoring/modules.html", course=course, outline=outline)


@bp.route("/courses/<slug>/modules/new", methods=["GET", "POST"])
@login_required
@requires(permissions.can_edit_course)
def new_module(slug: str) -> Page:
    course = current_course()
    form = NewModuleForm()
    preview = render_course_markdown(course, form.body.data or "") if form.preview.data else None
    if preview is None and form.validate_on_submit():
        try:
            module = editing.add_module(
                current_user,
                course,
                title=form.title.data,
                slug=form.slug.data or None,
                body=form.body.data or "",
            )
        except editing.EditingError:
            db.session.rollback()
            form.slug.errors = [_("Another module of this course uses this address.")]
        else:
            db.session.commit()
            flash(_("The module is added."), "success")
            return redirect(url_for("catalog.module", slug=course.slug, module_slug=module.slug))
    status = 200 if preview is not None else _form_status(form)
    return render_template(
        "authoring/new_module.html", course=course, form=form, preview=preview
    ), status


@bp.post("/courses/<slug>/m/<module_slug>/move")
@login_required
@requires(permissions.can_edit_course)
def move_module(slug: str, module_slug: str) -> Response:
    course = current_course()
    module = _module(course, module_slug)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, _("Choose to move the module up or down."))
    if editing.move_module(current_user, course, module, direction):
        db.session.commit()
        flash(_("The module is moved."), "success")
    else:
        flash(_("The module is already at that end of the course."), "info")
    return redirect(url_for("authoring.manage_modules", slug=course.slug))


@bp.route("/courses/<slug>/m/<module_slug>/remove", methods=["GET", "POST"])
@login_required
@requires(permissions.can_edit_course)
def remove_module(slug: str, module_slug: str) -> Page:
    course = current_course()
    module = _module(course, module_slug)
    if request.method == "GET":
        return render_template("authoring/remove_module.html", course=course, module=module)
    editing.remove_module(current_user, course, module)
    db.session.commit()
    flash(
        _("“%(title)s” is removed from the course. Its history is kept.", title=module.title),
        "success",
    )
    return redirect(url_for("authoring.manage_modules", slug=course.slug))


# --- Modules: text -------------------------------------------------------------------


def _replace(field: Any, value: str) -> None:
    """Show ``value`` in a form field instead of what was submitted."""
    field.data = value
    field.raw_data = [value]


@bp.route("/courses/<slug>/m/<module_slug>/edit", methods=["GET", "POST"])
@login_required
@requires(permissions.can_edit_course)
def edit_module(slug: str, module_slug: str) -> Page:
    course = current_course()
    module = _module(course, module_slug)
    form = EditModuleForm()
    if request.method == "GET":
        form.title.data, form.body.data = module.current.title, module.current.body
        form.base_revision_id.data = str(module.current_revision_id)
    context: dict[str, Any] = {"course": course, "module": module, "form": form}
    if form.is_submitted() and form.preview.data:
        context["preview"] = render_course_markdown(course, form.body.data or "")
        return render_template("authoring/edit_module.html", **context)
    if not form.validate_on_submit():
        return render_template("authoring/edit_module.html", **context), _form_status(form)
    try:
        outcome = revisions.save_edit(
            MODULE,
            current_user,
            module,
            base_revision_id=form.base_revision_id.data,
            text=form.body.data or "",
            fields={"title": form.title.data},
            summary=form.summary.data or "",
        )
    except editing.EditingError:
        abort(400, _("The page you edited from is out of date. Open the editor again."))
    if outcome.status == "conflict":
        db.session.rollback()
        _replace(form.title, outcome.title)
        _replace(form.body, outcome.body)
        _replace(form.base_revision_id, str(outcome.current.id))
        context.update(
            outcome=outcome,
            their_changes=line_diff_blocks(outcome.base.body, outcome.current.body),
            conflicts=[
                (c, word_diff(c.base, c.theirs), word_diff(c.base, c.ours))
                for c in outcome.conflicts
            ],
        )
        return render_template("authoring/edit_module.html", **context), 409
    db.session.commit()
    if outcome.status == "unchanged":
        flash(_("There were no changes to save."), "info")
    elif outcome.status == "merged":
        flash(
            _(
                "Someone else saved this module while you were editing. Your changes were "
                "merged with theirs; please check the result."
            ),
            "success",
        )
    else:
        flash(_("Your changes are saved."), "success")
    return redirect(url_for("catalog.module", slug=course.slug, module_slug=module.slug))


@bp.get("/courses/<slug>/m/<module_slug>/history")
def module_history(slug: str, module_slug: str) -> str:
    course = _course(slug)
    if not permissions.can_view_history(current_actor(), course):
        abort(403)
    module = _module(course, module_slug)
    return pages.history_page(
        MODULE, course, module,
        heading=_("History of “%(title)s”", title=module.title),
        can_revert=permissions.can_edit_course(current_actor(), course),
    )  # fmt: skip


@bp.get("/courses/<slug>/m/<module_slug>/diff")
def module_diff(slug: str, module_slug: str) -> str:
    course = _course(slug)
    if not permissions.can_view_history(current_actor(), course):
        abort(403)
    return pages.diff_page(
        MODULE, course, _module(course, module_slug),
        missing=_("Choose two revisions of this module to compare."),
        can_revert=permissions.can_edit_course(current_actor(), course),
    )  # fmt: skip


@bp.post("/courses/<slug>/m/<module_slug>/revert")
@login_required
@requires(permissions.can_edit_course)
def revert_module(slug: str, module_slug: str) -> Response:
    course = current_course()
    module = _module(course, module_slug)
    return pages.revert_page(
        MODULE, current_user, module,
        back=lambda: url_for(
            "authoring.module_history", slug=course.slug, module_slug=module.slug
        ),
        unchanged=lambda number: _(
            "The module already reads like revision %(number)s.", number=number
        ),
    )  # fmt: skip
