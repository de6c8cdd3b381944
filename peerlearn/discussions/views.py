"""Discussion pages: the threads of a course, a module or a build log; a thread with its
replies; editing, deleting, reporting; the moderators' buttons and queue.

Each view loads, asks ``permissions`` (with the facts ``targets`` found), calls
``services`` and commits once.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from peerlearn import permissions, rate_limits
from peerlearn.assignments.models import BuildLog
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.circles.models import Circle
from peerlearn.content.models import Course, Module
from peerlearn.discussions import (
    notices,  # noqa: F401  (registers the notice texts)
    services,
)
from peerlearn.discussions.forms import PostForm, ProposalLinkForm, ReportForm, ThreadForm
from peerlearn.discussions.models import Post, Report, ReportKind, Thread
from peerlearn.discussions.services import DiscussionError
from peerlearn.discussions.targets import (
    Target,
    circle_target,
    course_target,
    log_target,
    module_target,
    resolve,
)
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.markdown import render_markdown
from peerlearn.site import id_arg, page_arg
from peerlearn.web import course_part, current_actor, current_course

bp = Blueprint("discussions", __name__, template_folder="templates")

Page = str | tuple[str, int]


@bp.app_template_global()
def discussion_markdown(text: str) -> Markup:
    """Posts are user Markdown: sanitized here."""
    return render_markdown(text)


# --- Loading and deciding ---------------------------------------------------------------


def _refuse() -> NoReturn:
    """Anonymous visitors are asked to log in; others are told they may not."""
    if not permissions.is_signed_in(current_actor()):
        abort(current_app.login_manager.unauthorized())  # type: ignore[attr-defined]
    abort(403, _("Only the people taking part in this discussion can read it."))


def _is_moderator(target: Target) -> bool:
    facilitator = (
        permissions.is_signed_in(current_actor()) and current_user.id in target.facilitators
    )
    return permissions.can_moderate_discussion(
        current_actor(), target.course, facilitator=facilitator, open_thread=target.open
    )


def _course(slug: str) -> Course:
    """The course the shared loader (``peerlearn.web.load_course``) loaded."""
    return current_course()


def _module(slug: str, module_slug: str) -> tuple[Course, Module]:
    course = _course(slug)
    module: Module | None = course_part()  # loaded with the course
    if module is None:
        abort(404)
    return course, module


def _thread(thread_id: int) -> tuple[Thread, Target, bool]:
    """The thread, what it is about, and whether the visitor moderates it; refuses those
    who may not read it."""
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        abort(404)
    target = resolve(thread.target_kind, thread.target_id)
    if target is None:
        abort(404)
    moderator = _is_moderator(target)
    if thread.hidden_at is not None and not moderator:
        abort(404)
    if not permissions.can_view_thread(current_actor(), target.audience, False, moderator):
        _refuse()
    return thread, target, moderator


def _post(post_id: int) -> tuple[Post, Thread, Target, bool]:
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    thread, target, moderator = _thread(post.thread_id)
    return post, thread, target, moderator


def _name(user_id: int | None, user: Any, target: Target) -> str:
    """Who wrote, as this thread shows them: an alias in a blind thread, never a name."""
    if user_id is not None and user_id in target.aliases:
        return target.aliases[user_id]
    if target.log is not None:
        return _("Facilitator") if user_id in target.facilitators else _("Participant")
    if user is None:
        return _("a former contributor")
    return str(user.display_name)


# --- Thread lists -----------------------------------------------------------------------


def _threads(target: Target) -> Response | Page:
    moderator = _is_moderator(target)
    if not permissions.can_view_thread(current_actor(), target.audience, False, moderator):
        _refuse()
    can_start = permissions.can_start_thread(current_actor(), True)
    form = ThreadForm()
    if request.method == "POST":
        if not can_start:
            abort(403)
        if form.validate():
            try:
                thread = services.start_thread(
                    current_user, target.kind, target.id, target.course.id,
                    form.title.data or "", form.body.data or "",
                )  # fmt: skip
            except DiscussionError as error:
                form.body.errors = [str(error)]
            else:
                db.session.commit()
                flash(_("Your thread was started."), "success")
                return redirect(url_for("discussions.thread", thread_id=thread.id))
    result = services.threads_page(target.kind.value, target.id, page_arg(), moderator)
    if result is None:
        abort(404)
    names = {t.id: _name(t.author_id, t.author, target) for t in result.items}
    status = 422 if form.errors else 200
    return render_template(
        "discussions/threads.html", target=target, result=result, names=names, form=form,
        can_start=can_start, moderator=moderator,
    ), status  # fmt: skip


@bp.route("/courses/<slug>/discussions", methods=["GET", "POST"])
@rate_limits.post_limit
def course_threads(slug: str) -> Response | Page:
    return _threads(course_target(_course(slug)))


@bp.route("/courses/<slug>/m/<module_slug>/discussions", methods=["GET", "POST"])
@rate_limits.post_limit
def module_threads(slug: str, module_slug: str) -> Response | Page:
    return _threads(module_target(*_module(slug, module_slug)))


@bp.route("/logs/<int:log_id>/discussions", methods=["GET", "POST"])
@rate_limits.post_limit
def log_threads(log_id: int) -> Response | Page:
    log = db.session.get(BuildLog, log_id)
    if log is None:
        abort(404)
    return _threads(log_target(log))


@bp.route("/circles/<int:circle_id>/discussions", methods=["GET", "POST"])
@rate_limits.post_limit
def circle_threads(circle_id: int) -> Response | Page:
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        abort(404)
    return _threads(circle_target(circle))


# --- A thread ---------------------------------------------------------------------------


@bp.route("/discussions/<int:thread_id>", methods=["GET", "POST"])
@rate_limits.post_limit
def thread(thread_id: int) -> Response | Page:
    thread, target, moderator = _thread(thread_id)
    can_post = permissions.can_post_in_thread(current_actor(), True, thread.locked, moderator)
    form = PostForm()
    if request.method == "POST":
        if not can_post:
            abort(403, _("This thread is locked."))
        if form.validate():
            try:
                post = services.reply(current_user, thread, form.body.data or "")
            except DiscussionError as error:
                form.body.errors = [str(error)]
            else:
                db.session.commit()
                return redirect(_post_url(post))
    posted = id_arg("post")
    if posted is not None and request.method == "GET":
        wanted = db.session.get(Post, posted)
        if wanted is not None and wanted.thread_id == thread.id:
            return redirect(_post_url(wanted))
    result = services.posts_page(thread, page_arg())
    if result is None:
        abort(404)
    quoted = id_arg("quote")
    if quoted is not None and request.method == "GET" and can_post:
        source = db.session.get(Post, quoted)
        if (
            source is not None
            and source.thread_id == thread.id
            and source.deleted_at is None
            and source.hidden_at is None
        ):
            name = _name(source.author_id, source.author, target)
            form.body.data = services.quote(source.body, name)
    names = {p.id: _name(p.author_id, p.author, target) for p in result.items}
    signed_in = permissions.is_signed_in(current_actor())
    proposal = db.session.get(ChangeProposal, thread.proposal_id) if thread.proposal_id else None
    link_form = None
    if target.module is not None and permissions.can_link_proposal(current_actor(), target.course):
        link_form = ProposalLinkForm()
        link_form.proposal.choices = [(0, _("None"))] + [
            (p.id, p.title) for p in _proposals_to(target.course)
        ]
        link_form.proposal.data = thread.proposal_id or 0
    return render_template(
        "discussions/thread.html", thread=thread, target=target, result=result, names=names,
        form=form, can_post=can_post, moderator=moderator, proposal=proposal,
        link_form=link_form, threads_url=_threads_url(target),
        following=signed_in and services.is_following(current_user.id, thread),
        own=current_user.id if signed_in else None,
    ), (422 if form.errors else 200)  # fmt: skip


def _threads_url(target: Target) -> str:
    if target.circle is not None:
        return url_for("discussions.circle_threads", circle_id=target.id)
    if target.log is not None:
        return url_for("discussions.log_threads", log_id=target.id)
    if target.module is not None:
        return url_for(
            "discussions.module_threads", slug=target.course.slug, module_slug=target.module.slug
        )
    return url_for("discussions.course_threads", slug=target.course.slug)


def _post_url(post: Post) -> str:
    return url_for(
        "discussions.thread", thread_id=post.thread_id, page=services.page_of_post(post),
        _anchor=f"p{post.id}",
    )  # fmt: skip


def _proposals_to(course: Course) -> list[ChangeProposal]:
    return list(
        db.session.scalars(
            select(ChangeProposal)
            .where(ChangeProposal.target_course_id == course.id)
            .order_by(ChangeProposal.id.desc())
            .limit(50)
        )
    )


@bp.post("/discussions/<int:thread_id>/follow")
@login_required
def follow(thread_id: int) -> Response:
    thread, _target, _moderator = _thread(thread_id)
    if services.is_following(current_user.id, thread):
        services.unfollow(current_user.id, thread)
        flash(_("You will no longer hear of new replies here."), "info")
    else:
        services.follow(current_user.id, thread)
        flash(_("You will hear of new replies here."), "info")
    db.session.commit()
    return redirect(url_for("discussions.thread", thread_id=thread.id))


@bp.post("/discussions/<int:thread_id>/moderate")
@login_required
def moderate(thread_id: int) -> Response:
    thread, _target, moderator = _thread(thread_id)
    if not moderator:
        abort(403, _("Only the moderators of this discussion can do that."))
    action = request.form.get("action", "")
    if action not in ("pin", "unpin", "lock", "unlock", "hide", "unhide"):
        abort(400)
    services.moderate_thread(current_user, thread, action)
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("discussions.thread", thread_id=thread.id))


@bp.post("/discussions/<int:thread_id>/proposal")
@login_required
def link_proposal(thread_id: int) -> Response:
    thread, target, _moderator = _thread(thread_id)
    if target.module is None or not permissions.can_link_proposal(current_actor(), target.course):
        abort(403, _("Only the maintainers of this course can do that."))
    form = ProposalLinkForm()
    form.proposal.choices = [(0, "")] + [(p.id, p.title) for p in _proposals_to(target.course)]
    if not form.validate():
        abort(400)
    services.link_proposal(thread, form.proposal.data or None)
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("discussions.thread", thread_id=thread.id))


# --- A post -----------------------------------------------------------------------------


@bp.route("/discussions/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@rate_limits.post_limit
def edit_post(post_id: int) -> Response | Page:
    post, thread, target, _moderator = _post(post_id)
    if not permissions.can_change_post(current_actor(), post):
        abort(403, _("Only the author of a post can change it."))
    form = PostForm(data={"body": post.body})
    if request.method == "POST" and form.validate():
        try:
            services.edit_post(current_user, post, form.body.data or "")
        except DiscussionError as error:
            form.body.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Your post was changed."), "success")
            return redirect(_post_url(post))
    return render_template(
        "discussions/edit.html", post=post, thread=thread, target=target, form=form
    ), (422 if form.errors else 200)


@bp.post("/discussions/posts/<int:post_id>/delete")
@login_required
def delete_post(post_id: int) -> Response:
    post, _thread_row, _target, _moderator = _post(post_id)
    if not permissions.can_change_post(current_actor(), post):
        abort(403, _("Only the author of a post can change it."))
    services.delete_post(current_user, post)
    db.session.commit()
    flash(_("Your post was deleted."), "info")
    return redirect(_post_url(post))


@bp.post("/discussions/posts/<int:post_id>/hide")
@login_required
def hide_post(post_id: int) -> Response:
    post, _thread_row, _target, moderator = _post(post_id)
    if not moderator:
        abort(403, _("Only the moderators of this discussion can do that."))
    services.set_post_hidden(current_user, post, request.form.get("action") != "unhide")
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(_post_url(post))


# --- Reports ----------------------------------------------------------------------------


def _report(
    kind: ReportKind, target_id: int, course: Course, what: str, back: str
) -> Response | Page:
    if not permissions.can_report(current_actor()):
        abort(403)
    form = ReportForm()
    if request.method == "POST" and form.validate():
        if services.report(current_user, kind, target_id, course.id, form.reason.data or ""):
            db.session.commit()
            flash(_("Thank you. The maintainers will look at it."), "success")
        else:
            flash(_("You have reported this already."), "info")
        return redirect(back)
    return render_template("discussions/report.html", form=form, what=what, back=back), (
        422 if form.errors else 200
    )


@bp.route("/discussions/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
@rate_limits.post_limit
def report_post(post_id: int) -> Response | Page:
    post, thread, target, _moderator = _post(post_id)
    what = _("A post in “%(thread)s”", thread=thread.title)
    return _report(ReportKind.POST, post.id, target.course, what, _post_url(post))


@bp.route("/courses/<slug>/report", methods=["GET", "POST"])
@login_required
@rate_limits.post_limit
def report_course(slug: str) -> Response | Page:
    course = _course(slug)
    back = url_for("catalog.course", slug=course.slug)
    return _report(ReportKind.COURSE, course.id, course, course.title, back)


@bp.route("/courses/<slug>/m/<module_slug>/report", methods=["GET", "POST"])
@login_required
@rate_limits.post_limit
def report_module(slug: str, module_slug: str) -> Response | Page:
    course, module = _module(slug, module_slug)
    back = url_for("catalog.module", slug=course.slug, module_slug=module.slug)
    return _report(ReportKind.MODULE, module.id, course, module.title, back)


@bp.get("/moderation")
@login_required
def moderation() -> Page:
    actor = current_actor()
    course_ids = None if permissions.is_site_admin(actor) else list(actor.maintained_course_ids)
    if not permissions.can_see_reports(actor):
        abort(403, _("The moderation queue is for maintainers and site admins."))
    result = services.open_reports(course_ids, page_arg())
    if result is None:
        abort(404)
    posts = services.reported_posts(result.items)
    courses = _by_id(Course, {r.course_id for r in result.items})
    modules = _by_id(
        Module, {r.target_id for r in result.items if r.target_kind == ReportKind.MODULE.value}
    )
    return render_template(
        "discussions/moderation.html", result=result, posts=posts, courses=courses,
        modules=modules,
    )  # fmt: skip


def _by_id(model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


@bp.post("/moderation/reports/<int:report_id>")
@login_required
def resolve_report(report_id: int) -> Response:
    row = db.session.get(Report, report_id)
    if row is None:
        abort(404)
    course = db.session.get(Course, row.course_id)
    if course is None or not permissions.can_resolve_report(current_actor(), course):
        abort(403, _("Only the maintainers of this course can do that."))
    action = request.form.get("action")
    if action == "hide" and row.target_kind == ReportKind.POST.value:
        post = db.session.get(Post, row.target_id)
        if post is None:
            abort(404)
        services.set_post_hidden(current_user, post, True)
    elif action == "dismiss":
        services.dismiss_report(current_user, row)
    else:
        abort(400)
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("discussions.moderation"))
