"""Deciding on a change proposal: accept (applied three-way, credited to its authors) or
decline with a reason. Split from ``proposals`` so each module stays small.

Accepting applies each module upstream: unchanged upstream takes the proposed text as is,
an upstream that moved on is merged three-way (``merge3``), and regions both sides changed
differently go to a maintainer, who resolves them before anything is saved. Assignments
are applied the same way by ``proposal_assignments``, which also checks their YAML.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from blinker import Namespace
from sqlalchemy import select, update

from peerlearn.accounts.models import User
from peerlearn.assignments.models import AssignmentRevision
from peerlearn.authoring import notices
from peerlearn.authoring.forking import unique_slug
from peerlearn.authoring.module_document import MODULE
from peerlearn.authoring.proposal_assignments import (
    AssignmentConflict,
    AssignmentResolution,
    apply_assignments,
    kept_resolutions,
    plan_assignments,
)
from peerlearn.authoring.proposal_models import ChangeProposal, ProposalModule
from peerlearn.authoring.proposals import ACCEPTED, DECLINED, OPEN, ProposalError
from peerlearn.content.merge import Conflict
from peerlearn.content.models import Module, ModuleRevision
from peerlearn.content.proposals import (
    add_proposed,
    apply_proposed,
    credited,
    link_if_taken,
    plan_proposed,
)
from peerlearn.content.revisions import record_event
from peerlearn.db import rowcount, utcnow
from peerlearn.extensions import db

#: ``proposal_accepted.send(proposal, revisions=[...])`` once a proposal is applied upstream
#: (recognition issues contributor badges from it).
proposal_accepted = Namespace().signal("proposal-accepted")


class AlreadyDecided(Exception):
    """The proposal was accepted or declined already (perhaps by a double click)."""


@dataclass(frozen=True)
class ModuleConflict:
    """A module whose accept needs a person: both sides changed the same region."""

    item: ProposalModule
    upstream: ModuleRevision
    conflicts: tuple[Conflict, ...]
    #: Both sides renamed the module differently.
    title_conflict: bool
    #: The maintainer's resolution, still valid, shown again while other items need work.
    kept: Resolution | None = None

    @property
    def suggested_title(self) -> str:
        """The proposal's title, unless only upstream renamed the module."""
        proposed = self.item.proposed_revision.title
        base = self.item.base_revision
        if base is not None and proposed == base.title:
            return self.upstream.title
        return proposed


class NeedsResolution(Exception):
    """Accepting would overwrite upstream changes, or save an assignment that is not valid;
    nothing was saved. Holds every item the resolution form must show, in proposal order."""

    def __init__(
        self,
        conflicts: list[ModuleConflict],
        assignment_conflicts: list[AssignmentConflict] | None = None,
    ) -> None:
        self.assignment_conflicts = sorted(assignment_conflicts or [], key=lambda c: c.item.id)
        super().__init__(
            f"{len(conflicts)} modules and {len(self.assignment_conflicts)} assignments need work"
        )
        self.conflicts = sorted(conflicts, key=lambda c: c.item.id)

    @property
    def stale(self) -> bool:
        """After resolutions were sent: something they resolved changed upstream, or a new
        conflict appeared (their own assignment text failing the checks is not staleness)."""
        return any(c.kept is None for c in self.conflicts) or any(
            not c.resolved for c in self.assignment_conflicts
        )


@dataclass(frozen=True)
class Resolution:
    """A maintainer's text for a conflicted module, made against one upstream revision.

    If upstream moved again since the resolution page was shown, the resolution is stale
    and the module is merged (and perhaps shown as a conflict) again.
    """

    title: str
    body: str
    upstream_revision_id: int


def _decide(user: User, proposal: ChangeProposal, status: str, reason: str = "") -> None:
    """Move an open proposal to ``status``, or raise AlreadyDecided.

    A conditional UPDATE rather than read-then-write: of two concurrent decisions (a double
    click, two maintainers) exactly one changes a row, the other sees none and stops.
    """
    result = db.session.execute(
        update(ChangeProposal)
        .where(ChangeProposal.id == proposal.id, ChangeProposal.status == OPEN)
        .values(status=status, decided_by_id=user.id, decided_at=utcnow(), decision_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise AlreadyDecided
    db.session.expire(
        proposal, ["status", "decided_by_id", "decided_by", "decided_at", "decision_reason"]
    )
    notices.proposal_decided(proposal, user, status)


def decline(user: User, proposal: ChangeProposal, reason: str) -> None:
    if not reason.strip():
        raise ProposalError("empty reason")
    if proposal.status != OPEN:
        raise AlreadyDecided
    _decide(user, proposal, DECLINED, reason.strip())


@dataclass(frozen=True)
class _Plan:
    """What accepting will save for one existing upstream module."""

    item: ProposalModule
    title: str
    body: str
    #: The maintainer's resolution this plan came from, if any.
    resolution: Resolution | None = None


def _plan_module(
    item: ProposalModule, resolution: Resolution | None
) -> _Plan | ModuleConflict | None:
    """Merge one module's proposed text into upstream's current text.

    None means upstream already has exactly the proposed text and title.
    """
    target = item.target_module
    assert target is not None
    current = target.current
    proposed = item.proposed_revision
    kept: tuple[int, str, dict[str, Any]] | None = None
    if resolution is not None:
        title = resolution.title.strip() or proposed.title
        kept = (resolution.upstream_revision_id, resolution.body, {"title": title})
    planned = plan_proposed(MODULE, current, proposed, item.base_revision, kept)
    if planned is None:
        return None
    if planned.needs_person:
        return ModuleConflict(item, current, planned.conflicts, planned.fields_conflict)
    return _Plan(
        item, planned.fields["title"], planned.text, resolution if planned.resolved else None
    )


def _kept_modules(plans: list[_Plan]) -> list[ModuleConflict]:
    """Module resolutions that could be saved, to show again while other items need work."""
    kept = []
    for plan in plans:
        if plan.resolution is None:
            continue
        again = _plan_module(plan.item, None)
        if isinstance(again, ModuleConflict):
            kept.append(replace(again, kept=plan.resolution))
    return kept


def accept(
    user: User,
    proposal: ChangeProposal,
    resolutions: dict[int, Resolution] | None = None,
    assignment_resolutions: dict[int, AssignmentResolution] | None = None,
) -> list[ModuleRevision | AssignmentRevision]:
    """Apply the proposal upstream and mark it accepted; return the new upstream revisions.

    Raises NeedsResolution, having saved nothing, while any module or assignment has an
    unresolved conflict or an assignment text is not valid. ``resolutions`` maps
    ProposalModule ids, ``assignment_resolutions`` ProposalAssignment ids, to a
    maintainer's text.

    A fork module is pointed at its new upstream revision only when upstream now has
    exactly its proposed text: after a three-way merge upstream also holds other people's
    changes the fork has not taken, and the old base lets the next sync bring them in
    instead of the fork appearing to have deleted them.
    """
    if proposal.status != OPEN:
        raise AlreadyDecided
    resolutions = resolutions or {}
    plans: list[_Plan] = []
    conflicts: list[ModuleConflict] = []
    for item in proposal.modules:
        if item.target_module is None:
            continue
        planned = _plan_module(item, resolutions.get(item.id))
        if isinstance(planned, ModuleConflict):
            conflicts.append(planned)
        elif planned is not None:
            plans.append(planned)
    incoming = {item.source_module.key for item in proposal.modules if item.target_module is None}
    assignment_plans, assignment_conflicts = plan_assignments(
        proposal, assignment_resolutions or {}, incoming
    )
    if conflicts or assignment_conflicts:
        raise NeedsResolution(
            conflicts + _kept_modules(plans),
            assignment_conflicts + kept_resolutions(proposal, assignment_plans),
        )
    _decide(user, proposal, ACCEPTED)

    revisions: list[ModuleRevision | AssignmentRevision] = []
    for plan in plans:
        target = plan.item.target_module
        assert target is not None
        revisions.append(
            apply_proposed(
                MODULE,
                user,
                target,
                plan.body,
                {"title": plan.title},
                author=_credit(plan.item, proposal),
                summary=proposal.title,
            )
        )
    for item in proposal.modules:
        if item.target_module is None:
            revisions.append(_add_new_module(user, proposal, item))
            continue
        link_if_taken(MODULE, item.source_module, item.target_module, item.proposed_revision)
    revisions.extend(apply_assignments(user, proposal, assignment_plans))
    record_event(
        proposal.target_course,
        "proposal_accepted",
        user,
        proposal=proposal.id,
        title=proposal.title,
        source=proposal.source_course.slug,
    )
    db.session.flush()
    notices.upstream_changed(proposal.target_course, user)
    proposal_accepted.send(proposal, revisions=revisions)
    return revisions


def _credit(item: ProposalModule, proposal: ChangeProposal) -> User | None:
    return credited(item.proposed_revision, proposal.author)


def _add_new_module(user: User, proposal: ChangeProposal, item: ProposalModule) -> ModuleRevision:
    """Append a module the fork added to the end of the upstream course."""
    course = proposal.target_course
    existing = db.session.execute(
        select(Module.key, Module.slug, Module.position).where(Module.course_id == course.id)
    ).all()
    keys = {row.key for row in existing}
    slugs = {row.slug for row in existing}
    source = item.source_module
    key = source.key if source.key not in keys else uuid.uuid4().hex
    slug = unique_slug(source.slug, slugs)
    module = Module(
        course_id=course.id,
        key=key,
        slug=slug,
        position=max((row.position for row in existing), default=0) + 1,
    )
    proposed = item.proposed_revision
    revision = add_proposed(
        MODULE, user, module, source, proposed.body, {"title": proposed.title},
        author=_credit(item, proposal), summary=proposal.title,
    )  # fmt: skip
    record_event(course, "module_added", user, module=module, title=proposed.title)
    return revision
