"""Course maintainers' view of an assignment's build logs: who has written what, each
submitted version as it was submitted, and a zip export of the latest versions.

Maintainers see learners' usernames here (they run the course); drafts are only counted,
never shown, because a draft is the learner's own working space until they submit it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, datetime

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import format_date, get_locale
from flask_login import login_required
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments import submissions as services
from peerlearn.assignments.export import Bundle, ExportTexts, Photos, write_export
from peerlearn.assignments.loading import managed_assignment
from peerlearn.assignments.log_helpers import log_photo_urls
from peerlearn.assignments.measurements import format_value
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.snapshots import view_of_snapshot
from peerlearn.content.models import Course
from peerlearn.db import utcnow
from peerlearn.i18n import _, ngettext, when
from peerlearn.site import page_arg

bp = Blueprint("submissions", __name__, template_folder="templates")

_BASE = "/courses/<slug>/a/<assignment_slug>/submissions"
#: Exports larger than this spill from memory to a temporary file.
_SPOOL_BYTES = 16 * 1024 * 1024


def _load(slug: str, assignment_slug: str) -> tuple[Course, Assignment]:
    """Course and assignment, or 404; 403 for anyone who may not see submissions.

    Access is ``can_edit_course`` (maintainers and site admins) until permissions.py gains
    a submissions-specific check (facilitators will need one).
    """
    return managed_assignment(slug, assignment_slug, permissions.can_edit_course)


def _locale() -> str:
    return str(get_locale() or "en")


@bp.get(_BASE)
@login_required
def index(slug: str, assignment_slug: str) -> str:
    course, assignment = _load(slug, assignment_slug)
    page = page_arg()
    try:
        order = services.SortOrder(request.args.get("sort", "recent"))
    except ValueError:
        order = services.SortOrder.RECENT
    result = services.submission_page(assignment, page, order, per_page=services.PER_PAGE)
    if page > result.pages:
        abort(404)
    return render_template(
        "assignments/staff_submissions.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        result=result,
        order=order.value,
        states=services.LogState,
        when=when,
    )


@bp.get(f"{_BASE}/<int:submission_id>")
@login_required
def submission(slug: str, assignment_slug: str, submission_id: int) -> str:
    course, assignment = _load(slug, assignment_slug)
    found = services.submission_of(assignment, submission_id)
    if found is None:
        abort(404)
    view = view_of_snapshot(found.snapshot)
    return render_template(
        "assignments/staff_submission.html",
        course=course,
        assignment=assignment,
        spec=spec_of(assignment),
        submission=found,
        learner=found.log.user,
        versions=services.versions_of(found.log_id),
        view=view,
        photo_urls=log_photo_urls(view),
        locale=_locale(),
        when=when,
    )


@bp.get(f"{_BASE}.zip")
@login_required
def export(slug: str, assignment_slug: str) -> Response:
    """The latest submitted version of every learner as a zip (see assignments/export.py)."""
    course, assignment = _load(slug, assignment_slug)
    title = spec_of(assignment).title
    exported_at = utcnow()
    # Not a context manager: send_file closes it once the response has been sent.
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
    write_export(spool, _with_photos(assignment), _export_texts(title, exported_at), exported_at)
    spool.seek(0)
    response = send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{course.slug}-{assignment.slug}-submissions.zip",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _with_photos(assignment: Assignment) -> Iterator[tuple[Bundle, Photos]]:
    """Bundles with their photos, loading photo bytes for a few learners at a time so a
    large cohort never has all its photos in memory at once."""
    batch: list[Bundle] = []

    def flush() -> Iterator[tuple[Bundle, Photos]]:
        shas = [p.sha256 for b in batch for e in b.view.entries for p in e.photos]
        photos = services.photo_bytes(shas)
        for bundle in batch:
            yield bundle, photos
        batch.clear()

    for item in services.latest_submissions(assignment):
        batch.append(Bundle(item.username, item.version, item.submitted_at, item.view))
        if len(batch) >= services.EXPORT_BATCH:
            yield from flush()
    yield from flush()


def _export_texts(title: str, exported_at: datetime) -> ExportTexts:
    locale = _locale()

    def version_line(version: int, submitted_at: datetime) -> str:
        return _(
            "Version %(version)s, submitted %(date)s",
            version=version,
            date=when(submitted_at),
        )

    def readme(written: list[tuple[str, Bundle]]) -> str:
        lines = [f"# {title}", ""]
        lines.append(_("Exported %(date)s.", date=when(exported_at)))
        lines.append(
            ngettext(
                "%(num)d learner's latest submitted version.",
                "%(num)d learners' latest submitted versions.",
                len(written),
            )
        )
        lines += ["", _("Each folder holds log.md and the photos it shows."), ""]
        for folder, bundle in written:
            line = version_line(bundle.version, bundle.submitted_at)
            lines.append(f"- [{folder}]({folder}/log.md): {line}")
        return "\n".join(lines) + "\n"

    def entry_date(day: date) -> str:
        return str(format_date(day, "full"))

    return ExportTexts(
        measurements=_("Measurements"),
        measurement=_("Measurement"),
        value=_("Value"),
        unit=_("Unit"),
        version_line=version_line,
        entry_date=entry_date,
        number=lambda value: format_value(value, locale),
        readme=readme,
    )
