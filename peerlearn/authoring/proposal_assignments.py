"""Accepting the assignments of a change proposal, the way ``proposal_decisions`` accepts
modules.

Each offered assignment is merged three-way on its YAML text (base: the upstream revision
the fork's copy came from; ours: upstream's current text; theirs: the proposed text). Two
valid files can merge into an invalid one, and a fork's file may name a module upstream
does not have, so every text is checked with the assignment editor's own validation
(``validate_text``) before anything is saved; a conflict or an invalid text goes to the
maintainer's resolution form. An assignment the fork added is created upstream (with a
slug upstream does not use yet) and the fork's copy is linked to it as if it had been
synced from there, exactly as for new modules.

Services take the acting user, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.assignments.services import ASSIGNMENT, AssignmentError, file_name, validate_text
from peerlearn.authoring.forking import unique_slug
from peerlearn.authoring.proposal_models import ChangeProposal, ProposalAssignment
from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.bundles.format import BundleError
from peerlearn.content.merge import Conflict
from peerlearn.content.models import Course, Module
from peerlearn.content.proposals import (
    add_proposed,
    apply_proposed,
    credited,
    link_if_taken,
    plan_proposed,
)
from peerlearn.content.revisions import record_event
from peerlearn.db import utcnow
from peerlearn.extensions import db


@dataclass(frozen=True)
class AssignmentResolution:
    """A maintainer's YAML for an assignment, made against one upstream revision (0 for an
    assignment the fork added). A resolution made against an older upstream is stale."""

    text: str
    upstream_revision_id: int


@dataclass(frozen=True)
class AssignmentConflict:
    """An assignment whose accept needs a person: a conflict, a text that is not a valid
    assignment of the upstream course, or a resolution kept while other items need work."""

    item: ProposalAssignment
    #: Upstream's current revision; None for an assignment the fork added.
    upstream: AssignmentRevision | None
    conflicts: tuple[Conflict, ...]
    #: What the resolution form's text box starts with.
    text: str
    #: Why ``text`` cannot be saved, or None.
    problem: AssignmentError | None = None
    #: ``text`` is the maintainer's own resolution, made against the current upstream.
    resolved: bool = False

    @property
    def upstream_revision_id(self) -> int:
        return self.upstream.id if self.upstream is not None else 0


@dataclass(frozen=True)
class AssignmentPlan:
    """What accepting will save for one assignment."""

    item: ProposalAssignment
    text: str
    #: For an assignment the fork added: the slug it gets upstream.
    slug: str = ""
    #: The maintainer's resolution this plan came from, if any.
    resolution: AssignmentResolution | None = None


def _identity_problem(
    course: Course, text: str, slug: str, key: str | None
) -> AssignmentError | None:
    """``validate_text``'s checks of the assignment's ``id``, for a text already parsed."""
    spec = parse_assignment(text, file_name(slug), slug)
    if key is not None and spec.id != key:
        return AssignmentError("text", "id_changed", value=key)
    if key is None and db.session.scalar(
        select(Assignment.id).where(Assignment.course_id == course.id, Assignment.key == spec.id)
    ):
        return AssignmentError("text", "id_taken", value=spec.id)
    return None


def check_text(
    course: Course, text: str, slug: str, key: str | None, incoming: set[str]
) -> AssignmentError | None:
    """Why ``text`` cannot be saved as assignment ``slug`` of ``course``, or None.

    The assignment editor's validation, except that a module this same proposal adds to
    the course (its key is in ``incoming``) counts as present.
    """
    try:
        validate_text(course, text, slug, key)
    except AssignmentError as error:
        if error.code != "unknown_module" or error.value not in incoming:
            return error
        return _identity_problem(course, text, slug, key)
    return None


def _plan_existing(
    item: ProposalAssignment,
    course: Course,
    resolution: AssignmentResolution | None,
    incoming: set[str],
) -> AssignmentPlan | AssignmentConflict | None:
    """Merge one assignment's proposed YAML into upstream's current YAML, and check it.

    None means upstream already has exactly the proposed text.
    """
    target = item.target_assignment
    assert target is not None
    current = target.current
    kept: tuple[int, str, dict[str, Any]] | None = None
    if resolution is not None:
        kept = (resolution.upstream_revision_id, resolution.text, {})
    planned = plan_proposed(
        ASSIGNMENT, current, item.proposed_revision, item.base_revision, kept,
        lambda text: check_text(course, text, target.slug, target.key, incoming),
    )  # fmt: skip
    if planned is None:
        return None
    if planned.needs_person:
        problem = planned.problem
        assert problem is None or isinstance(problem, AssignmentError)
        return AssignmentConflict(
            item, current, planned.conflicts, planned.text, problem, resolved=planned.resolved
        )
    return AssignmentPlan(item, planned.text, resolution=resolution if planned.resolved else None)


def _plan_new(
    item: ProposalAssignment,
    course: Course,
    resolution: AssignmentResolution | None,
    incoming: set[str],
    slugs: set[str],
) -> AssignmentPlan | AssignmentConflict:
    """Check an assignment the fork added against the upstream course."""
    slug = unique_slug(item.source_assignment.slug, slugs)
    resolved = resolution is not None and resolution.upstream_revision_id == 0
    text = resolution.text if resolution is not None and resolved else item.proposed_revision.text
    problem = check_text(course, text, slug, None, incoming)
    if problem is not None:
        return AssignmentConflict(item, None, (), text, problem, resolved=resolved)
    return AssignmentPlan(item, text, slug, resolution if resolved else None)


def plan_assignments(
    proposal: ChangeProposal,
    resolutions: dict[int, AssignmentResolution],
    incoming: set[str],
) -> tuple[list[AssignmentPlan], list[AssignmentConflict]]:
    """Plans for the assignments that can be saved, and the ones that need a person.

    ``resolutions`` maps ProposalAssignment ids to a maintainer's text; ``incoming`` holds
    the keys of the modules the proposal adds upstream. Nothing is written.
    """
    course = proposal.target_course
    slugs = set(
        db.session.scalars(select(Assignment.slug).where(Assignment.course_id == course.id))
    )
    plans: list[AssignmentPlan] = []
    conflicts: list[AssignmentConflict] = []
    for item in proposal.assignments:
        resolution = resolutions.get(item.id)
        if item.target_assignment is None:
            planned: AssignmentPlan | AssignmentConflict | None = _plan_new(
                item, course, resolution, incoming, slugs
            )
        else:
            planned = _plan_existing(item, course, resolution, incoming)
        if isinstance(planned, AssignmentConflict):
            conflicts.append(planned)
        elif planned is not None:
            plans.append(planned)
    return plans, conflicts


def kept_resolutions(
    proposal: ChangeProposal, plans: list[AssignmentPlan]
) -> list[AssignmentConflict]:
    """The resolutions that could be saved, to show again while other items need work:
    the form must send every resolution at once, or a kept one would be asked for again."""
    kept = []
    for plan in plans:
        if plan.resolution is None:
            continue
        target = plan.item.target_assignment
        conflicts: tuple[Conflict, ...] = ()
        if target is not None:
            again = _plan_existing(plan.item, proposal.target_course, None, set())
            if isinstance(again, AssignmentConflict):
                conflicts = again.conflicts
        upstream = target.current if target is not None else None
        kept.append(AssignmentConflict(plan.item, upstream, conflicts, plan.text, resolved=True))
    return kept


def _credit(item: ProposalAssignment, proposal: ChangeProposal) -> User | None:
    return credited(item.proposed_revision, proposal.author)


def _module_id(course: Course, spec: AssignmentSpec) -> int | None:
    return db.session.scalar(
        select(Module.id).where(
            Module.course_id == course.id, Module.key == spec.module, Module.removed_at.is_(None)
        )
    )


def apply_assignments(
    user: User, proposal: ChangeProposal, plans: list[AssignmentPlan]
) -> list[AssignmentRevision]:
    """Save the planned assignments upstream; call after the proposal's new modules exist.

    Each text is validated once more, now against the modules really there, and an
    :class:`AssignmentError` is raised if one fails (the view rolls everything back).
    Then each fork copy is linked to upstream where upstream now has exactly its text.
    """
    revisions = []
    for plan in plans:
        target = plan.item.target_assignment
        if target is None:
            revisions.append(_add_new(user, proposal, plan))
            continue
        revisions.append(
            apply_proposed(
                ASSIGNMENT,
                user,
                target,
                plan.text,
                {},
                author=_credit(plan.item, proposal),
                summary=proposal.title,
            )
        )
    if plans:
        proposal.target_course.updated_at = utcnow()
    for item in proposal.assignments:
        link_if_taken(
            ASSIGNMENT, item.source_assignment, item.target_assignment, item.proposed_revision
        )
    db.session.flush()
    return revisions


def _add_new(user: User, proposal: ChangeProposal, plan: AssignmentPlan) -> AssignmentRevision:
    """Create an assignment the fork added, and link the fork's copy to it."""
    course = proposal.target_course
    spec = validate_text(course, plan.text, plan.slug)
    assignment = Assignment(
        course_id=course.id, key=spec.id, slug=plan.slug, module_id=_module_id(course, spec)
    )
    revision = add_proposed(
        ASSIGNMENT, user, assignment, plan.item.source_assignment, plan.text, {},
        author=_credit(plan.item, proposal), summary=proposal.title,
    )  # fmt: skip
    record_event(
        course, "assignment_added", user, assignment.module, title=spec.title, slug=plan.slug
    )
    return revision


def assignment_title(text: str, slug: str) -> str:
    """The title in an assignment's YAML, or its slug when the text does not read."""
    try:
        return parse_assignment(text, file_name(slug), slug).title
    except BundleError:
        return slug
