"""Fork, fork network, sync from upstream and translation pages, and the lineage facts the
course and module pages show (as template globals, so the catalog needs no changes).

Each view loads, asks ``permissions``, calls one service, commits once and redirects;
every change is a POST with CSRF and works without JavaScript.
"""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments.services import ASSIGNMENT, AssignmentError
from peerlearn.authoring import lineage, lineage_helpers, syncing
from peerlearn.authoring.fork_forms import ForkForm, SyncForm, chosen_ids, resolutions_from
from peerlearn.authoring.forking import ForkError, fork_course
from peerlearn.bundles.assignment_messages import describe
from peerlearn.catalog import pages
from peerlearn.content.diff import line_diff_blocks, word_diff
from peerlearn.content.models import Course, Module
from peerlearn.content.sync import check_resolutions
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext
from peerlearn.site import safe_next
from peerlearn.web import course_part, current_actor, current_course

bp = Blueprint("forks", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response


def _course(slug: str) -> Course:
    """The course the shared loader (``peerlearn.web.load_course``) loaded."""
    return current_course()


def _lineage_part(course: Course, module: Module | None) -> dict[str, Any]:
    """The lineage box (a module page: the module's "outdated" note) and the attribution
    of the catalog's course and module pages."""
    credit = {"credit": lineage_helpers.attribution_for(course, module)}
    if module is None:
        return {"lineage": lineage_helpers.course_lineage(course), **credit}
    return {"module_lineage": lineage_helpers.module_lineage(course, module), **credit}


pages.add_course_part(_lineage_part)


def _fork_error(form: ForkForm, code: str) -> None:
    """Show a refused fork (see ``ForkError.code``) next to the field at fault."""
    if code == "licence_incompatible":
        form.licence.errors = [_("The original's licence does not allow this licence.")]
    elif code == "same_language":
        form.language.errors = [_("A translation must be in another language.")]
    else:
        form.slug.errors = [_("A course already uses this address. Please choose another.")]


def _suggested_slug(parent: Course, username: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", f"{parent.slug}-{username}".lower()).strip("-")
    return stem[:80].rstrip("-")


@bp.route("/courses/<slug>/fork", methods=["GET", "POST"])
@login_required
def fork(slug: str) -> Page:
    parent = _course(slug)
    if not permissions.can_fork(current_actor(), parent):
        abort(403)
    form = ForkForm(parent)
    if request.method == "GET":
        form.slug.data = _suggested_slug(parent, current_user.username)
        form.title.data = parent.title
        form.licence.data = parent.licence
    if form.validate_on_submit():
        as_translation = bool(form.as_translation.data)
        try:
            new = fork_course(
                current_user,
                parent,
                slug=form.slug.data,
                title=form.title.data,
                licence=form.licence.data,
                as_translation=as_translation,
                language=form.language.data if as_translation else None,
            )
            db.session.commit()
        except ForkError as error:
            db.session.rollback()
            _fork_error(form, error.code)
        except IntegrityError:  # the address was taken a moment ago
            db.session.rollback()
            _fork_error(form, "slug_taken")
        else:
            if as_translation:
                flash(_("Your translation is ready. Translate it module by module."), "success")
            else:
                flash(_("Your copy is ready. Adapt it as you like."), "success")
            return redirect(url_for("catalog.course", slug=new.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("authoring/fork.html", parent=parent, form=form), status


# --- Network -------------------------------------------------------------------------


@bp.get("/courses/<slug>/network")
def network(slug: str) -> str:
    course = _course(slug)
    return render_template(
        "authoring/network.html", course=course, tree=lineage.fork_network(course)
    )


# --- Sync ----------------------------------------------------------------------------


def _sync_target(slug: str) -> tuple[Course, Course]:
    course = _course(slug)
    if not permissions.can_sync_from_upstream(current_actor(), course):
        abort(403)
    upstream = syncing.upstream_of(course)
    if upstream is None:
        abort(404, _("This course was not forked or translated from a course on this site."))
    return course, upstream


def _assignment_detail(error: Exception) -> str:
    """What is wrong with an assignment text, as the second half of a sentence."""
    if not isinstance(error, AssignmentError):
        return str(error)
    if error.code == "unknown_module":
        return _("this course has no module with the id “%(id)s”", id=error.value)
    if error.code == "id_changed":
        return _("its id must stay “%(id)s”", id=error.value)
    return describe(error.problem) if error.problem is not None else error.code


def _assignment_resolutions(assignment_ids: list[int]) -> dict[int, str]:
    """The YAML a maintainer settled on for each conflicted assignment (LF line endings)."""
    out: dict[int, str] = {}
    for assignment_id in assignment_ids:
        text = request.form.get(f"assignment-{assignment_id}")
        if text is not None:
            out[assignment_id] = text.replace("\r\n", "\n")
    return out


def _render_sync(
    course: Course,
    upstream: Course,
    form: SyncForm,
    message: str = "",
    status: int = 200,
    *,
    resolutions: dict[int, tuple[str, str]] | None = None,
    assignment_texts: dict[int, str] | None = None,
    assignment_errors: dict[int, str] | None = None,
) -> tuple[str, int]:
    plan = syncing.plan_sync(course, upstream)
    form.token.data = plan.token
    lagging = syncing.upstream_status(course, upstream)
    texts = assignment_texts or {}
    return render_template(
        "authoring/sync.html",
        course=course,
        upstream=upstream,
        plan=plan,
        form=form,
        message=message,
        resolutions=resolutions or {},
        assignment_changes=[
            (
                p,
                ASSIGNMENT.title(p.document),
                line_diff_blocks(p.document.current.text, p.merge.text),
            )
            for p in plan.assignments.pending
        ],
        assignment_conflict_diffs={
            p.document.id: [(c, word_diff(c.ours, c.theirs)) for c in p.merge.conflicts]
            for p in plan.assignments.conflicts
        },
        assignment_invalid={
            p.document.id: _(
                "The changes merge, but the result is not a valid assignment: %(problem)s",
                problem=_assignment_detail(p.invalid),
            )
            for p in plan.assignments.pending
            if p.invalid is not None
        },
        # Like modules, a conflict starts from the merge (the fork's text where both sides
        # changed, upstream's changes elsewhere); a clean merge that is not a valid
        # assignment starts from the fork's own text instead.
        assignment_texts={
            p.document.id: texts.get(
                p.document.id, p.document.current.text if p.merge.clean else p.merge.text
            )
            for p in plan.assignments.conflicts
        },
        assignment_errors=assignment_errors or {},
        added_assignments=[(a, ASSIGNMENT.title(a)) for a in plan.assignments.added],
        changes=[
            (p, line_diff_blocks(p.document.current.body, p.merge.text))
            for p in plan.modules.pending
        ],
        conflict_diffs={
            p.document.id: [(c, word_diff(c.ours, c.theirs)) for c in p.merge.conflicts]
            for p in plan.modules.conflicts
        },
        outdated=[
            (
                m,
                lineage_helpers.source_diff_url(
                    upstream, m.upstream_slug, m.base_revision_id, m.theirs_revision_id
                ),
            )
            for m in (lagging.changed if lagging.is_translation else [])
        ],
    ), status


@bp.route("/courses/<slug>/sync", methods=["GET", "POST"])
@login_required
def sync(slug: str) -> Page:
    course, upstream = _sync_target(slug)
    form = SyncForm()
    if request.method == "GET":
        return _render_sync(course, upstream, form)
    if not form.validate_on_submit():
        abort(400)
    try:
        if course.translation_of:
            count = syncing.add_from_upstream(
                current_user, course, upstream, chosen_ids(request.form)
            )
            assignment_count = 0
        else:
            plan = syncing.plan_sync(course, upstream)
            resolutions = resolutions_from(
                request.form, [p.document.id for p in plan.modules.conflicts]
            )
            texts = _assignment_resolutions([p.document.id for p in plan.assignments.conflicts])
            if (form.token.data or "") == plan.token:
                errors = check_resolutions(
                    ASSIGNMENT, plan.assignments, {i: ({}, t) for i, t in texts.items()}
                )
                if errors:
                    db.session.rollback()
                    return _render_sync(
                        course, upstream, form,
                        _("Some assignments could not be saved. Correct them below."), 422,
                        resolutions=resolutions, assignment_texts=texts,
                        assignment_errors={
                            i: _("Your version could not be saved: %(problem)s",
                                 problem=_assignment_detail(e))
                            for i, e in errors.items()
                        },
                    )  # fmt: skip
            count, assignment_count = syncing.apply_sync(
                current_user, plan, token=form.token.data or "", resolutions=resolutions,
                add_ids=chosen_ids(request.form), assignment_resolutions=texts,
                add_assignment_ids=chosen_ids(request.form, "add-assignment"),
            )  # fmt: skip
        db.session.commit()
    except (syncing.SyncError, AssignmentError, IntegrityError):  # a stale preview, or a
        db.session.rollback()  # sync a moment ago
        message = _("The course changed while you were reviewing. Check the changes below again.")
        return _render_sync(course, upstream, SyncForm(formdata=None), message, 409)
    if count or not assignment_count:
        flash(
            ngettext(
                "Upstream changes taken: %(num)d module updated.",
                "Upstream changes taken: %(num)d modules updated.",
                count,
            ),
            "success",
        )
    if assignment_count:
        flash(
            ngettext(
                "Upstream changes taken: %(num)d assignment updated.",
                "Upstream changes taken: %(num)d assignments updated.",
                assignment_count,
            ),
            "success",
        )
    return redirect(url_for("catalog.course", slug=course.slug))


@bp.post("/courses/<slug>/m/<module_slug>/up-to-date")
@login_required
def mark_up_to_date(slug: str, module_slug: str) -> Response:
    course = _course(slug)
    if not permissions.can_sync_from_upstream(current_actor(), course):
        abort(403)
    module: Module | None = course_part()  # loaded with the course
    if module is None or not course.translation_of:
        abort(404)
    back = safe_next(
        request.form.get("next"),
        url_for("catalog.module", slug=course.slug, module_slug=module.slug),
    )
    try:
        syncing.mark_up_to_date(current_user, module)
    except syncing.SyncError:
        db.session.rollback()
        flash(_("This module is already up to date with its source."), "info")
        return redirect(back)
    db.session.commit()
    flash(_("Marked as up to date with the source."), "success")
    return redirect(back)
