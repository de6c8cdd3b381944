"""Change proposal pages: propose from a fork, list, read and comment, accept or decline.

Each view loads, checks ``permissions``, calls ``authoring.proposals`` and commits once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from peerlearn import permissions, rate_limits
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.services import AssignmentError, active_modules
from peerlearn.authoring import proposal_decisions as decisions
from peerlearn.authoring import proposals as services
from peerlearn.authoring.proposal_assignments import (
    AssignmentConflict,
    AssignmentResolution,
    assignment_title,
)
from peerlearn.authoring.proposal_forms import (
    CommentForm,
    DeclineForm,
    ProposeForm,
    normalize_newlines,
)
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.bundles.assignment_messages import describe
from peerlearn.catalog import pages
from peerlearn.content.diff import Segment, word_diff
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext
from peerlearn.markdown import render_markdown
from peerlearn.site import page_arg
from peerlearn.web import current_actor, current_course

bp = Blueprint("proposals", __name__, template_folder="templates")

Page = str | tuple[str, int]


def _course_or_404(slug: str) -> Course:
    """The course the shared loader (``peerlearn.web.load_course``) loaded."""
    return current_course()


def _proposal_or_404(proposal_id: int) -> ChangeProposal:
    proposal = services.load_proposal(proposal_id)
    if proposal is None or not permissions.can_view_course(current_actor(), proposal.target_course):
        abort(404)
    return proposal


def proposal_summary(course: Course) -> dict[str, Any]:
    """What the course page's proposal box needs: one count query, plus permission checks
    only for signed-in users (anonymous readers cost nothing extra)."""
    is_fork = bool(course.forked_from or course.translation_of)
    signed_in = permissions.is_signed_in(current_actor())
    return {
        "open": services.open_count(course),
        "is_fork": is_fork,
        "can_propose": signed_in and is_fork and permissions.can_propose(current_actor(), course),
        "can_decide": signed_in and permissions.can_edit_course(current_actor(), course),
    }


def _proposals_part(course: Course, module: Module | None) -> dict[str, Any]:
    return {"proposals_info": proposal_summary(course)}


pages.add_course_part(_proposals_part, module=False)


@bp.app_template_global()
def proposal_status_label(status: str) -> str:
    labels = {"open": _("Open"), "accepted": _("Accepted"), "declined": _("Declined")}
    return labels.get(status, status)


@bp.app_template_global()
def proposal_markdown(text: str) -> Markup:
    """Proposal descriptions, comments and reasons are user Markdown: sanitized here."""
    return render_markdown(text)


@bp.app_template_global()
def proposal_word_diff(old: str, new: str) -> list[Segment]:
    return word_diff(old, new)


def _candidate_label(module: Module) -> str:
    if module.upstream_module_id is None:
        return _("%(title)s (new module)", title=module.title)
    return _("%(title)s (changed)", title=module.title)


def _assignment_label(assignment: Assignment) -> str:
    title = assignment_title(assignment.current.text, assignment.slug)
    if assignment.upstream_assignment_id is None:
        return _("%(title)s (new assignment)", title=title)
    return _("%(title)s (changed)", title=title)


@bp.route("/courses/<slug>/propose", methods=["GET", "POST"])
@login_required
@rate_limits.post_limit
def propose(slug: str) -> Response | Page:
    fork = _course_or_404(slug)
    if not (fork.forked_from or fork.translation_of):
        abort(404, _("This course was not forked from another, so it has nowhere to propose to."))
    upstream = services.upstream_of(fork)
    if upstream is None:
        abort(404, _("The course this one was forked from no longer exists."))
    if not permissions.can_propose(current_actor(), fork):
        abort(403, _("Only the maintainers of this fork can propose its changes upstream."))
    candidates = services.proposable_modules(fork)
    assignment_candidates = services.proposable_assignments(fork)
    form = ProposeForm()
    form.modules.choices = [(m.id, _candidate_label(m)) for m in candidates]
    form.assignments.choices = [(a.id, _assignment_label(a)) for a in assignment_candidates]
    if form.validate_on_submit():
        proposal = services.create_proposal(
            current_user,
            fork,
            form.modules.data or [],
            form.title.data,
            form.description.data or "",
            assignment_ids=form.assignments.data or [],
        )
        db.session.commit()
        flash(_("Your proposal was sent to the maintainers of “%(title)s”.", title=upstream.title))
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "authoring/proposal_new.html",
        fork=fork,
        upstream=upstream,
        form=form,
        candidates=candidates,
        assignment_candidates=assignment_candidates,
    ), status


@bp.get("/courses/<slug>/proposals")
def index(slug: str) -> Page:
    course = _course_or_404(slug)
    page = page_arg()
    result = services.proposals_for_course(course, page, current_app.config["COURSES_PER_PAGE"])
    if page > result.pages:
        abort(404)
    return render_template("authoring/proposal_list.html", course=course, result=result)


def _render_show(
    proposal: ChangeProposal,
    comment_form: CommentForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> Page:
    return render_template(
        "authoring/proposal_show.html",
        proposal=proposal,
        changes=services.module_changes(proposal),
        assignment_changes=services.assignment_changes(proposal),
        comment_form=comment_form or CommentForm(formdata=None),
        decline_form=decline_form or DeclineForm(formdata=None),
        can_comment=permissions.can_comment_on_proposal(current_actor(), proposal),
        can_decide=proposal.status == services.OPEN
        and permissions.can_decide_proposal(current_actor(), proposal),
    ), status


@bp.get("/proposals/<int:proposal_id>")
def show(proposal_id: int) -> Page:
    return _render_show(_proposal_or_404(proposal_id))


@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
@rate_limits.post_limit
def comment(proposal_id: int) -> Response | Page:
    proposal = _proposal_or_404(proposal_id)
    if not permissions.can_comment_on_proposal(current_actor(), proposal):
        abort(403)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_show(proposal, comment_form=form, status=422)
    services.add_comment(current_user, proposal, form.body.data)
    db.session.commit()
    flash(_("Your comment was added."), "success")
    return redirect(url_for("proposals.show", proposal_id=proposal.id, _anchor="comments"))


def _already_decided(proposal: ChangeProposal) -> tuple[str, int]:
    db.session.rollback()
    proposal = services.load_proposal(proposal.id) or proposal
    if proposal.status == services.ACCEPTED:
        message = _("This proposal was already accepted. A decision cannot be changed.")
    else:
        message = _("This proposal was already declined. A decision cannot be changed.")
    return render_template(
        "authoring/proposal_decided.html", proposal=proposal, message=message
    ), 409


def _decider_or_abort(proposal: ChangeProposal) -> None:
    if not permissions.can_decide_proposal(current_actor(), proposal):
        abort(403, _("Only the maintainers of the course proposed to can decide on this."))


def _assignment_resolutions(proposal: ChangeProposal) -> dict[int, AssignmentResolution]:
    """The resolution page's assignment fields, per proposed assignment:
    assignment-text-N and assignment-upstream-N (0 for an assignment the fork added)."""
    found = {}
    for item in proposal.assignments:
        text = request.form.get(f"assignment-text-{item.id}")
        upstream = request.form.get(f"assignment-upstream-{item.id}", type=int)
        if text is None or upstream is None:
            continue
        found[item.id] = AssignmentResolution(normalize_newlines(text), upstream)
    return found


def _assignment_problem(proposal: ChangeProposal, error: AssignmentError) -> str:
    """Why an assignment text cannot be saved upstream, as a sentence for the maintainer."""
    course = proposal.target_course.title
    if error.code == "unknown_module":
        return _(
            "“%(course)s” has no module with the id “%(id)s”, which this assignment belongs "
            "to. Set module to the id of one of the modules listed below, or decline and ask "
            "for that module to be proposed as well.",
            course=course,
            id=error.value,
        )
    if error.code == "id_changed":
        return _(
            "Its id must stay “%(id)s”, because copies and course bundles recognise the "
            "assignment by it.",
            id=error.value,
        )
    if error.code == "id_taken":
        return _(
            "“%(course)s” already has an assignment with the id “%(id)s”. Give this one a new "
            "id (a UUID is best).",
            course=course,
            id=error.value,
        )
    return _(
        "The text is not a valid assignment: %(problem)s",
        problem=describe(error.problem) if error.problem is not None else error.code,
    )


def _render_resolve(
    proposal: ChangeProposal, needs: decisions.NeedsResolution, sent: bool
) -> tuple[str, int]:
    problems = {
        c.item.id: _assignment_problem(proposal, c.problem)
        for c in needs.assignment_conflicts
        if c.problem is not None
    }
    unknown = any(
        c.problem is not None and c.problem.code == "unknown_module"
        for c in needs.assignment_conflicts
    )
    return render_template(
        "authoring/proposal_resolve.html",
        proposal=proposal,
        conflicts=needs.conflicts,
        assignment_conflicts=needs.assignment_conflicts,
        assignment_titles={c.item.id: _resolve_title(c) for c in needs.assignment_conflicts},
        problems=problems,
        upstream_modules=active_modules(proposal.target_course) if unknown else [],
        stale=sent and needs.stale,
    ), 409


def _resolve_title(conflict: AssignmentConflict) -> str:
    item = conflict.item
    return assignment_title(item.proposed_revision.text, item.source_assignment.slug)


def _resolutions(proposal: ChangeProposal) -> dict[int, decisions.Resolution]:
    """The resolution page's fields, per proposed module: title-N, text-N, upstream-N."""
    found = {}
    for item in proposal.modules:
        body = request.form.get(f"text-{item.id}")
        upstream = request.form.get(f"upstream-{item.id}", type=int)
        if body is None or upstream is None:
            continue
        title = (request.form.get(f"title-{item.id}") or "").strip()[:200]
        found[item.id] = decisions.Resolution(title, normalize_newlines(body), upstream)
    return found


@bp.post("/proposals/<int:proposal_id>/accept")
@login_required
def accept(proposal_id: int) -> Response | Page:
    proposal = _proposal_or_404(proposal_id)
    _decider_or_abort(proposal)
    if proposal.status != services.OPEN:
        return _already_decided(proposal)
    resolutions = _resolutions(proposal)
    assignment_resolutions = _assignment_resolutions(proposal)
    if any(not r.body.strip() for r in resolutions.values()):
        abort(400, _("A module's text cannot be empty. Go back and fill in every text box."))
    try:
        decisions.accept(current_user, proposal, resolutions, assignment_resolutions)
    except decisions.NeedsResolution as needs:
        db.session.rollback()
        return _render_resolve(proposal, needs, bool(resolutions or assignment_resolutions))
    except decisions.AlreadyDecided:
        return _already_decided(proposal)
    except AssignmentError:  # checked before saving; the course changed in between
        db.session.rollback()
        flash(_("The course changed while you were deciding. Check the proposal again."), "error")
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    db.session.commit()
    modules, assignments = len(proposal.modules), len(proposal.assignments)
    if modules or not assignments:
        flash(
            ngettext(
                "Proposal accepted: %(num)d module updated, credited to its authors.",
                "Proposal accepted: %(num)d modules updated, credited to their authors.",
                modules,
            ),
            "success",
        )
    if assignments:
        flash(
            ngettext(
                "Proposal accepted: %(num)d assignment updated, credited to its authors.",
                "Proposal accepted: %(num)d assignments updated, credited to their authors.",
                assignments,
            ),
            "success",
        )
    return redirect(url_for("proposals.show", proposal_id=proposal.id))


@bp.post("/proposals/<int:proposal_id>/decline")
@login_required
def decline(proposal_id: int) -> Response | Page:
    proposal = _proposal_or_404(proposal_id)
    _decider_or_abort(proposal)
    if proposal.status != services.OPEN:
        return _already_decided(proposal)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _render_show(proposal, decline_form=form, status=422)
    try:
        decisions.decline(current_user, proposal, form.reason.data)
    except decisions.AlreadyDecided:
        return _already_decided(proposal)
    db.session.commit()
    flash(_("Proposal declined. The author can read your reason."), "info")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))
