"""The learner's side of assignments: the build-log editor, submitting and submitted
versions. The photo URLs and the upload limit live in ``photo_views``, whose blueprint this
one nests; the assignment page, which also shows the learner's step in peer review, is
peer review's (:mod:`peerlearn.review.reviewing.assignment_page`).

Views load, check permissions, call a service from ``buildlogs``, commit once, then redirect
or render. The formatting helpers of ``assignments/_log.html`` are app-wide, so the staff
pages can render a log with the same macro; each view passes the log's photo URLs
(``log_helpers.log_photo_urls``). The catalog's course and module pages get their
assignments and the reader's deadlines from :func:`_assignments_part`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, get_timezone
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from peerlearn import permissions, rate_limits
from peerlearn.assignments import buildlogs, log_helpers, photo_views
from peerlearn.assignments.buildlogs import BuildLogRefused
from peerlearn.assignments.deadlines import Deadlines, deadlines_of
from peerlearn.assignments.forms import (
    PHOTO_MESSAGES,
    PHOTO_STATUS,
    EntryForm,
    LogForm,
    MeasurementForm,
    PhotoForm,
    editor_forms,
    refusal_message,
)
from peerlearn.assignments.loading import viewable_assignment
from peerlearn.assignments.models import Assignment, BuildLog, BuildLogEntry
from peerlearn.assignments.photos import PhotoError
from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.snapshots import snapshot_json, view_of_log, view_of_snapshot
from peerlearn.catalog import pages
from peerlearn.catalog import services as catalog
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.i18n import _, when
from peerlearn.web import current_actor

bp = Blueprint("assignments", __name__, template_folder="templates")
# Photos by content hash, and the upload routes' larger body limit and 413 page.
bp.register_blueprint(photo_views.bp)
bp.register_error_handler(RequestEntityTooLarge, photo_views.too_large)


# --- Loading and context -----------------------------------------------------------------


def _log_for(course: Course, assignment: Assignment) -> BuildLog:
    """The signed-in learner's own log; enrolment required, no log means "start one"."""
    enrolled = catalog.is_enrolled(current_user, course)
    if not permissions.can_keep_log(current_actor(), assignment, enrolled):
        abort(403, _("Enrol in the course to keep a build log."))
    log = buildlogs.log_of(current_user, assignment)
    if log is None:
        abort(404, _("You have not started a build log for this assignment yet."))
    if not permissions.can_edit_log(current_actor(), log):
        abort(403)
    return log


def _own_log(slug: str, assignment_slug: str) -> tuple[Course, Assignment, BuildLog]:
    course, assignment = viewable_assignment(slug, assignment_slug)
    return course, assignment, _log_for(course, assignment)


def _own_entry(
    slug: str, assignment_slug: str, entry_id: int
) -> tuple[Course, Assignment, BuildLog, BuildLogEntry]:
    """An entry of the learner's own log: someone else's entry is a 403, a missing one 404."""
    course, assignment = viewable_assignment(slug, assignment_slug)
    entry = db.session.get(BuildLogEntry, entry_id)
    if entry is None or entry.log.assignment_id != assignment.id:
        abort(404)
    if not permissions.can_edit_log(current_actor(), entry.log):
        abort(403)
    log = _log_for(course, assignment)
    return course, assignment, log, next(one for one in log.entries if one.id == entry_id)


def _locale() -> str:
    return str(get_locale())


def _when(value: datetime | None) -> str | None:
    return when(value) if value is not None else None


def _redirect_to_log(course: Course, assignment: Assignment, anchor: str = "") -> Response:
    url = url_for("assignments.log", slug=course.slug, assignment_slug=assignment.slug)
    return redirect(url + (f"#{anchor}" if anchor else ""))


#: Refusals of a submit that the learner fixes on the log page, and where.
_FIX_ON_THE_LOG_PAGE = {"no_title": "title", "no_entries": "new-entry"}


def _refused(course: Course, assignment: Assignment, error: BuildLogRefused) -> tuple[str, int]:
    return render_template(
        "assignments/refused.html",
        course=course,
        assignment=assignment,
        message=refusal_message(error.code),
    ), 409


@bp.post("/courses/<slug>/a/<assignment_slug>/log/start")
@login_required
def start(slug: str, assignment_slug: str) -> Response | tuple[str, int]:
    course, assignment = viewable_assignment(slug, assignment_slug)
    enrolled = catalog.is_enrolled(current_user, course)
    if not permissions.can_keep_log(current_actor(), assignment, enrolled):
        abort(403, _("Enrol in the course to keep a build log."))
    try:
        buildlogs.start_log(current_user, assignment)
    except BuildLogRefused as error:
        return _refused(course, assignment, error)
    db.session.commit()
    flash(_("Your build log is ready. Add your first entry."), "success")
    return _redirect_to_log(course, assignment)


# --- The editor ----------------------------------------------------------------------------


def _editor(
    course: Course,
    assignment: Assignment,
    log: BuildLog,
    status: int = 200,
    **active: Any,
) -> tuple[str, int]:
    """The draft page: preview, status and every edit form (see ``forms.editor_forms``)."""
    versions, latest = buildlogs.submissions_and_latest(log)
    return render_template(
        "assignments/log.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        log=log,
        view=(view := view_of_log(log)),
        photo_urls=log_helpers.log_photo_urls(view),
        locale=_locale(),
        **editor_forms(log, datetime.now(get_timezone()).date(), active),
        versions=[(one, _when(one.created_at)) for one in versions],
        changed=latest is not None and latest != snapshot_json(log),
        closed=buildlogs.deadline_passed(assignment, user_id=log.user_id),
        max_photos=buildlogs.MAX_PHOTOS_PER_ENTRY,
    ), status


@bp.get("/courses/<slug>/a/<assignment_slug>/log")
@login_required
def log(slug: str, assignment_slug: str) -> tuple[str, int]:
    return _editor(*_own_log(slug, assignment_slug))


@bp.post("/courses/<slug>/a/<assignment_slug>/log")
@login_required
def save_log(slug: str, assignment_slug: str) -> Response | tuple[str, int]:
    course, assignment, log = _own_log(slug, assignment_slug)
    form = LogForm()
    if not form.validate():
        return _editor(course, assignment, log, 400, log_form=form)
    buildlogs.save_log(current_user, log, form.title.data or "", form.summary.data or "")
    db.session.commit()
    flash(_("Saved."), "success")
    return _redirect_to_log(course, assignment)


@bp.post("/courses/<slug>/a/<assignment_slug>/log/entries")
@login_required
@rate_limits.post_limit
@rate_limits.upload_limit
def add_entry(slug: str, assignment_slug: str) -> Response | tuple[str, int]:
    course, assignment, log = _own_log(slug, assignment_slug)
    form = EntryForm(prefix="new")
    if not form.validate():
        return _editor(course, assignment, log, 400, new_entry=form)
    upload = form.photo.data
    photo = (upload.read(), form.caption.data or "") if upload else None
    try:
        entry = buildlogs.add_entry(
            current_user, log, form.entry_date.data, form.text.data or "", photo
        )
    except PhotoError as error:  # refused before anything was added
        form.photo.errors = [str(PHOTO_MESSAGES[error.code])]
        return _editor(course, assignment, log, PHOTO_STATUS[error.code], new_entry=form)
    db.session.commit()
    flash(_("Entry added."), "success")
    return _redirect_to_log(course, assignment, f"entry-{entry.id}")


@bp.post("/courses/<slug>/a/<assignment_slug>/log/entries/<int:entry_id>")
@login_required
def update_entry(slug: str, assignment_slug: str, entry_id: int) -> Response | tuple[str, int]:
    course, assignment, log, entry = _own_entry(slug, assignment_slug, entry_id)
    form = EntryForm(prefix=f"e{entry.id}")
    del form.photo, form.caption
    if not form.validate():
        return _editor(course, assignment, log, 400, entry_forms={("edit", entry.id): form})
    buildlogs.update_entry(current_user, entry, form.entry_date.data, form.text.data or "")
    db.session.commit()
    flash(_("Entry saved."), "success")
    return _redirect_to_log(course, assignment, f"entry-{entry.id}")


@bp.post("/courses/<slug>/a/<assignment_slug>/log/entries/<int:entry_id>/delete")
@login_required
def delete_entry(slug: str, assignment_slug: str, entry_id: int) -> Response:
    course, assignment, _log, entry = _own_entry(slug, assignment_slug, entry_id)
    buildlogs.delete_entry(current_user, entry)
    db.session.commit()
    flash(_("Entry deleted."), "info")
    return _redirect_to_log(course, assignment)


@bp.post("/courses/<slug>/a/<assignment_slug>/log/entries/<int:entry_id>/photos")
@login_required
@rate_limits.upload_limit
def add_photo(slug: str, assignment_slug: str, entry_id: int) -> Response | tuple[str, int]:
    course, assignment, log, entry = _own_entry(slug, assignment_slug, entry_id)
    form = PhotoForm(prefix=f"p{entry.id}")
    forms = {("photo", entry.id): form}
    if not form.validate():
        return _editor(course, assignment, log, 400, entry_forms=forms)
    try:
        buildlogs.add_photo(current_user, entry, form.photo.data.read(), form.caption.data or "")
    except BuildLogRefused as error:
        return _refused(course, assignment, error)
    except PhotoError as error:  # refused before anything was added
        form.photo.errors = [str(PHOTO_MESSAGES[error.code])]
        return _editor(course, assignment, log, PHOTO_STATUS[error.code], entry_forms=forms)
    db.session.commit()
    flash(_("Photo added."), "success")
    return _redirect_to_log(course, assignment, f"entry-{entry.id}")


@bp.post(
    "/courses/<slug>/a/<assignment_slug>/log/entries/<int:entry_id>/photos/<int:photo_id>/delete"
)
@login_required
def remove_photo(slug: str, assignment_slug: str, entry_id: int, photo_id: int) -> Response:
    course, assignment, _log, entry = _own_entry(slug, assignment_slug, entry_id)
    photo = next((one for one in entry.photos if one.id == photo_id), None)
    if photo is None:
        abort(404)
    buildlogs.remove_photo(current_user, photo, entry)
    db.session.commit()
    flash(_("Photo removed."), "info")
    return _redirect_to_log(course, assignment, f"entry-{entry.id}")


@bp.post("/courses/<slug>/a/<assignment_slug>/log/entries/<int:entry_id>/measurements")
@login_required
def add_measurement(slug: str, assignment_slug: str, entry_id: int) -> Response | tuple[str, int]:
    course, assignment, log, entry = _own_entry(slug, assignment_slug, entry_id)
    form = MeasurementForm(prefix=f"m{entry.id}")
    measurement = form.measurement(_locale()) if form.validate() else None
    if measurement is None:
        return _editor(course, assignment, log, 422, entry_forms={("measure", entry.id): form})
    buildlogs.add_measurement(current_user, entry, measurement)
    db.session.commit()
    flash(_("Measurement added."), "success")
    return _redirect_to_log(course, assignment, f"entry-{entry.id}")


@bp.post(
    "/courses/<slug>/a/<assignment_slug>/log/entries/<int:entry_id>/measurements/<int:measurement_id>/delete"
)
@login_required
def remove_measurement(
    slug: str, assignment_slug: str, entry_id: int, measurement_id: int
) -> Response:
    course, assignment, _log, entry = _own_entry(slug, assignment_slug, entry_id)
    measurement = next((one for one in entry.measurements if one.id == measurement_id), None)
    if measurement is None:
        abort(404)
    buildlogs.remove_measurement(current_user, measurement, entry)
    db.session.commit()
    flash(_("Measurement removed."), "info")
    return _redirect_to_log(course, assignment, f"entry-{entry.id}")


# --- Submitting and submitted versions -------------------------------------------------------


@bp.post("/courses/<slug>/a/<assignment_slug>/log/submit")
@login_required
def submit(slug: str, assignment_slug: str) -> Response | tuple[str, int]:
    course, assignment, log = _own_log(slug, assignment_slug)
    try:
        submission = buildlogs.submit(current_user, log)
    except BuildLogRefused as error:
        if error.code in _FIX_ON_THE_LOG_PAGE:
            # Something the learner can fix right there: back to the field, with the reason.
            flash(refusal_message(error.code), "error")
            return _redirect_to_log(course, assignment, _FIX_ON_THE_LOG_PAGE[error.code])
        return _refused(course, assignment, error)
    db.session.commit()
    if submission is None:
        flash(_("Nothing changed since your last submission; no new version was made."), "info")
    else:
        flash(_("Submitted version %(n)s.", n=submission.version), "success")
    return redirect(
        url_for("review.reviewing.assignment", slug=slug, assignment_slug=assignment_slug)
    )


@bp.get("/courses/<slug>/a/<assignment_slug>/log/versions/<int:version>")
@login_required
def version(slug: str, assignment_slug: str, version: int) -> str:
    course, assignment, log = _own_log(slug, assignment_slug)
    submission = buildlogs.submission_version(log, version)
    if submission is None:
        abort(404)
    return render_template(
        "assignments/log_version.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        submission=submission,
        submitted_at=_when(submission.created_at),
        view=(view := view_of_snapshot(submission.snapshot)),
        photo_urls=log_helpers.log_photo_urls(view),
        locale=_locale(),
    )


# Formatting helpers (no queries), app-wide: the log macro uses them.
bp.add_app_template_global(log_helpers.log_markdown, "log_markdown")
bp.add_app_template_filter(log_helpers.log_date, "log_date")
bp.add_app_template_filter(log_helpers.log_value, "log_value")
bp.add_app_template_global(log_helpers.log_charts, "log_charts")


def my_deadlines(assignment: Assignment) -> Deadlines:
    """The signed-in learner's dates for ``assignment`` (their circle's, when a feature
    above gives them their own), or the course's for a visitor."""
    user_id = current_user.id if current_user.is_authenticated else None
    return deadlines_of(user_id, assignment)


def _assignments_part(course: Course, module: Module | None) -> dict[str, Any]:
    """The course's (or the module's) live assignments on the catalog's pages, each with
    the reader's deadlines."""
    found = log_helpers.assignments_of(course, module)
    return {
        "assignments": found,
        "deadlines": {assignment.id: my_deadlines(assignment) for assignment, _spec in found},
    }


pages.add_course_part(_assignments_part)
