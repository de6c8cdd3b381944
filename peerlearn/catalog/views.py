"""Catalog, course and module pages, enrolment, progress and the learner dashboard."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.catalog import pages, services
from peerlearn.catalog.reading import render_revision
from peerlearn.content.models import Course, CourseMedia, Module
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.site import page_arg, safe_next
from peerlearn.web import course_part, current_actor, current_course

bp = Blueprint("catalog", __name__, template_folder="templates")


@bp.url_value_preprocessor
def _load_module(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The shared loader (``peerlearn.web.load_course``) loaded the course of every
    ``/courses/<slug>`` route, and a module route's module with it, in one query (issue
    #12): the view, the lineage box and the attribution under the page then share them
    instead of each asking the database again. An unknown module is a 404 here."""
    if values and "module_slug" in values and "course" in g:
        g.module = course_part()
        if g.module is None:
            abort(404)


def _course_or_404(slug: str) -> Course:
    """The course the shared loader loaded for this request."""
    return current_course()


def _module() -> Module:
    """The module :func:`_load_module` loaded for this request."""
    module: Module = g.module
    return module


@bp.get("/")
def index() -> str:
    query = request.args.get("q", "").strip()[:200]
    language = request.args.get("language", "").strip()[:20]
    tag = request.args.get("tag", "").strip()[:40]
    page = page_arg()
    result = services.search_courses(
        query, language, tag, page, current_app.config["COURSES_PER_PAGE"]
    )
    if page > result.pages:
        abort(404)
    languages, tags = services.catalog_facets()
    return render_template(
        "catalog/index.html",
        result=result,
        query=query,
        language=language,
        tag=tag,
        languages=languages,
        tags=tags,
    )


@bp.get("/courses/<slug>")
def course(slug: str) -> str:
    course = _course_or_404(slug)
    outline = services.outlines([course.id])[course.id]
    reader = services.reader_state(
        current_user, course, [entry.id for entry in outline], count_learners=True
    )
    done = reader.done
    next_module = next((entry for entry in outline if entry.id not in done), None)
    return render_template(
        "catalog/course.html",
        course=course,
        outline=outline,
        learners=reader.learners,
        enrolled=reader.enrolled,
        done=done,
        next_module=next_module,
        parent=services.course_by_key(course.forked_from),
        source=services.course_by_key(course.translation_of),
        **pages.course_parts(course),
    )


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str) -> Response | tuple[str, int]:
    course = _course_or_404(slug)
    if not permissions.can_enrol(current_actor(), course):
        abort(403)
    try:
        services.enrol(current_user, course)
    except services.AlreadyEnrolled:
        return render_template(
            "catalog/conflict.html",
            course=course,
            message=_("You are already enrolled in this course."),
        ), 409
    db.session.commit()
    course_page = url_for("catalog.course", slug=course.slug)
    # Enrolling from a module or an assignment page goes back there, to carry on.
    back = safe_next(request.form.get("next"), course_page)
    if back == course_page:
        message = _("You are enrolled in “%(title)s”. Start with the first module.",
                    title=course.title)  # fmt: skip
    else:
        message = _("You are enrolled in “%(title)s”.", title=course.title)
    flash(message, "success")
    return redirect(back)


@bp.post("/courses/<slug>/leave")
@login_required
def leave(slug: str) -> Response | tuple[str, int]:
    course = _course_or_404(slug)
    try:
        services.leave(current_user, course)
    except services.NotEnrolled:
        return render_template(
            "catalog/conflict.html",
            course=course,
            message=_("You are not enrolled in this course."),
        ), 409
    db.session.commit()
    flash(
        _("You left “%(title)s”. Your progress is kept if you come back.", title=course.title),
        "info",
    )
    return redirect(url_for("catalog.course", slug=course.slug))


@bp.get("/courses/<slug>/m/<module_slug>")
def module(slug: str, module_slug: str) -> str:
    course = _course_or_404(slug)
    module = _module()
    outline = services.outlines([course.id])[course.id]
    index = next(i for i, entry in enumerate(outline) if entry.id == module.id)
    reader = services.reader_state(current_user, course, [module.id])
    enrolled = reader.enrolled
    return render_template(
        "catalog/module.html",
        course=course,
        module=module,
        body=render_revision(course, module.current),
        outline=outline,
        position=index + 1,
        previous=outline[index - 1] if index > 0 else None,
        next=outline[index + 1] if index + 1 < len(outline) else None,
        enrolled=enrolled,
        can_track=permissions.can_track_progress(current_actor(), course, enrolled),
        is_done=module.id in reader.done,
        **pages.course_parts(course, module),
    )


@bp.post("/courses/<slug>/m/<module_slug>/progress")
@login_required
def progress(slug: str, module_slug: str) -> Response:
    course = _course_or_404(slug)
    module = _module()
    enrolled = services.is_enrolled(current_user, course)
    if not permissions.can_track_progress(current_actor(), course, enrolled):
        abort(403, _("Enrol in the course to keep track of your progress."))
    if request.form.get("done") not in ("0", "1"):
        abort(400)
    done = request.form.get("done") == "1"
    services.set_module_done(current_user, module, done)
    db.session.commit()
    if done:
        flash(_("Marked as done."), "success")
    else:
        flash(_("Marked as not done."), "info")
    # Back where the reader was (the #progress box, focusable), so that the next Tab
    # reaches "Next" instead of starting again at the top of the page.
    return redirect(
        url_for("catalog.module", slug=course.slug, module_slug=module.slug, _anchor="progress")
    )


@bp.get("/courses/<slug>/media/<path:name>")
def media(slug: str, name: str) -> Response:
    course = _course_or_404(slug)
    item = db.session.scalar(
        select(CourseMedia).where(
            CourseMedia.course_id == course.id, CourseMedia.path == f"media/{name}"
        )
    )
    if item is None:
        abort(404)
    response = Response(item.content, mimetype=item.content_type)
    response.set_etag(item.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if item.content_type == "image/svg+xml":
        # The drawing was cleaned at import; opened on its own, it still runs nothing.
        response.headers["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        )
    if request.args.get("v") == item.sha256[:12]:
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["MEDIA_CACHE_SECONDS"]
        response.cache_control.immutable = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = 3600
    return response.make_conditional(request)


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    if not permissions.can_view_dashboard(current_actor()):
        abort(403)
    return render_template(
        "catalog/dashboard.html",
        entries=services.dashboard(current_user),
        **pages.dashboard_parts(),
    )
