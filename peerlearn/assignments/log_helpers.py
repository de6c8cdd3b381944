"""Template helpers for build logs, registered app-wide by the assignments blueprint:
the log macro, the staff pages and the catalog's includes all use them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from flask import url_for
from markupsafe import Markup

from peerlearn.assignments import buildlogs
from peerlearn.assignments.charts import line_chart_svg
from peerlearn.assignments.measurements import Series, format_value
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.snapshots import LogView
from peerlearn.content.models import Course, Module
from peerlearn.i18n import _
from peerlearn.markdown import render_markdown

#: Photo file extensions by stored content type.
EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp"}


def log_markdown(text: str) -> Markup:
    return render_markdown(text)


def log_date(value: date, locale: str) -> str:
    return format_date(value, "medium", locale=locale.replace("-", "_"))


def log_value(value: Decimal, locale: str) -> str:
    return format_value(value, locale.replace("-", "_"))


def log_photo_urls(view: LogView) -> dict[str, tuple[str, str]]:
    """Display and thumbnail URL of every photo in ``view``, in one query for the log."""
    shas = {photo.sha256 for entry in view.entries for photo in entry.photos}
    urls = {}
    for sha256, content_type in buildlogs.photo_types(shas).items():
        ext = EXTENSIONS[content_type]
        urls[sha256] = (
            url_for("assignments.photos.photo", name=f"{sha256}.{ext}"),
            url_for("assignments.photos.photo", name=f"{sha256}-thumb.{ext}"),
        )
    return urls


def log_charts(view: LogView, locale: str) -> list[tuple[Series, Markup]]:
    """One SVG chart per repeated measurement. Built here, escaped by ``charts``, so the
    template never marks text as safe itself."""
    return [
        (
            one,
            Markup(
                line_chart_svg(
                    one,
                    locale=locale,
                    title=_("%(name)s over time", name=one.name),
                    x_label=_("Date"),
                    y_label=one.name,
                )
            ),
        )
        for one in view.series
    ]


def assignments_of(course: Course, module: Module | None = None) -> list[tuple[Assignment, Any]]:
    """The live assignments of a course (or of one of its modules) with their specs."""
    found = buildlogs.module_assignments(module) if module else buildlogs.course_assignments(course)
    return [(one, spec_of(one)) for one in found]
