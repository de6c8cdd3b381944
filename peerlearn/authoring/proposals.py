"""Change proposals: a fork offers chosen modules and assignments back to the course it
came from.

A proposal records, per module and per assignment, the fork's revision and the upstream
revision it was based on. Accepting (``proposal_decisions``) applies each one upstream:
unchanged upstream takes the proposed text as is, an upstream that moved on is merged
three-way (``merge3``), and regions both sides changed differently go to a maintainer, who
resolves them before anything is saved. Accepted text is credited to whoever wrote it; the
accepting maintainer is only ``saved_by``.

Services take the acting user, flush and never commit: the view commits once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.services import ASSIGNMENT
from peerlearn.authoring import notices
from peerlearn.authoring.module_document import MODULE
from peerlearn.authoring.proposal_assignments import assignment_title
from peerlearn.authoring.proposal_models import (
    ChangeProposal,
    ProposalAssignment,
    ProposalComment,
    ProposalModule,
)
from peerlearn.catalog.services import course_by_key
from peerlearn.content.diff import DiffBlock, Segment, line_diff_blocks, word_diff
from peerlearn.content.models import Course, Module
from peerlearn.content.proposals import proposable, shown_against
from peerlearn.extensions import db

OPEN, ACCEPTED, DECLINED = "open", "accepted", "declined"


class ProposalError(ValueError):
    """Input the forms should have refused already (empty text, a module not on offer)."""


@dataclass(frozen=True)
class ModuleChange:
    """What one proposed module would change upstream, for the proposal page."""

    item: ProposalModule
    old_title: str
    new_title: str
    segments: list[Segment]
    is_new: bool

    @property
    def title_changed(self) -> bool:
        return not self.is_new and self.old_title != self.new_title

    @property
    def text_changed(self) -> bool:
        return any(segment.op != "equal" for segment in self.segments)


@dataclass(frozen=True)
class AssignmentChange:
    """What one proposed assignment would change upstream: a line diff of its YAML."""

    item: ProposalAssignment
    title: str
    blocks: list[DiffBlock]
    is_new: bool


@dataclass(frozen=True)
class ProposalRow:
    proposal: ChangeProposal
    modules: int
    comments: int
    assignments: int = 0


@dataclass(frozen=True)
class ProposalPage:
    rows: list[ProposalRow]
    total: int
    page: int
    pages: int


def upstream_of(fork: Course) -> Course | None:
    """The course a fork or translation came from, if it still exists."""
    return course_by_key(fork.forked_from or fork.translation_of)


def proposable_modules(fork: Course) -> list[Module]:
    """Fork modules whose text or title differs from the upstream revision they were based
    on, and modules the fork added; in course order."""
    return proposable(MODULE, fork.id)


def proposable_assignments(fork: Course) -> list[Assignment]:
    """Fork assignments whose YAML differs from the upstream revision they were based on,
    and assignments the fork added; by slug."""
    return proposable(ASSIGNMENT, fork.id)


def create_proposal(
    user: User,
    fork: Course,
    module_ids: list[int],
    title: str,
    description: str,
    assignment_ids: list[int] | None = None,
) -> ChangeProposal:
    """Offer the chosen fork modules and assignments to the fork's upstream course."""
    target = upstream_of(fork)
    assignment_ids = assignment_ids or []
    candidates = {module.id: module for module in proposable_modules(fork)}
    offered = {a.id: a for a in proposable_assignments(fork)} if assignment_ids else {}
    if target is None or not title.strip() or not (module_ids or assignment_ids):
        raise ProposalError("no upstream, title, modules or assignments")
    if any(module_id not in candidates for module_id in module_ids):
        raise ProposalError("module not on offer")
    if any(assignment_id not in offered for assignment_id in assignment_ids):
        raise ProposalError("assignment not on offer")
    proposal = ChangeProposal(
        source_course_id=fork.id,
        target_course_id=target.id,
        author_id=user.id,
        title=title.strip(),
        description=description.strip(),
        status=OPEN,
    )
    for module_id in dict.fromkeys(module_ids):
        module = candidates[module_id]
        proposal.modules.append(
            ProposalModule(
                source_module_id=module.id,
                target_module_id=module.upstream_module_id,
                proposed_revision_id=module.current_revision_id,
                base_revision_id=module.upstream_revision_id,
            )
        )
    for assignment_id in dict.fromkeys(assignment_ids):
        assignment = offered[assignment_id]
        proposal.assignments.append(
            ProposalAssignment(
                source_assignment_id=assignment.id,
                target_assignment_id=assignment.upstream_assignment_id,
                proposed_revision_id=assignment.current_revision_id,
                base_revision_id=assignment.upstream_revision_id,
            )
        )
    db.session.add(proposal)
    db.session.flush()
    notices.proposal_made(proposal)
    return proposal


def _count_to(course: Course, *where: ColumnElement[bool]) -> int:
    query = select(func.count(ChangeProposal.id)).where(
        ChangeProposal.target_course_id == course.id, *where
    )
    return int(db.session.scalar(query) or 0)


def open_count(course: Course) -> int:
    return _count_to(course, ChangeProposal.status == OPEN)


def proposals_for_course(course: Course, page: int, per_page: int) -> ProposalPage:
    """Proposals to ``course``, open ones first, newest first; five queries per page."""
    total = _count_to(course)
    proposals = list(
        db.session.scalars(
            select(ChangeProposal)
            .where(ChangeProposal.target_course_id == course.id)
            .options(
                joinedload(ChangeProposal.author),
                joinedload(ChangeProposal.source_course),
                joinedload(ChangeProposal.decided_by),
            )
            .order_by(
                case((ChangeProposal.status == OPEN, 0), else_=1),
                ChangeProposal.created_at.desc(),
                ChangeProposal.id.desc(),
            )
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    ids = [p.id for p in proposals]
    modules = _counts(ProposalModule.proposal_id, ids)
    comments = _counts(ProposalComment.proposal_id, ids)
    assignments = _counts(ProposalAssignment.proposal_id, ids)
    rows = [
        ProposalRow(p, modules.get(p.id, 0), comments.get(p.id, 0), assignments.get(p.id, 0))
        for p in proposals
    ]
    return ProposalPage(rows, total, page, max(1, math.ceil(total / per_page)))


def _counts(column: InstrumentedAttribute[int], ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column))
    return {key: count for key, count in rows}


def load_proposal(proposal_id: int) -> ChangeProposal | None:
    """A proposal with everything its page shows, in a fixed number of queries."""
    return db.session.scalar(
        select(ChangeProposal)
        .where(ChangeProposal.id == proposal_id)
        .options(
            joinedload(ChangeProposal.author),
            joinedload(ChangeProposal.decided_by),
            joinedload(ChangeProposal.source_course),
            joinedload(ChangeProposal.target_course),
            selectinload(ChangeProposal.modules).options(
                selectinload(ProposalModule.proposed_revision),
                selectinload(ProposalModule.base_revision),
                selectinload(ProposalModule.source_module),
                selectinload(ProposalModule.target_module).selectinload(Module.current),
            ),
            selectinload(ChangeProposal.assignments).options(
                selectinload(ProposalAssignment.proposed_revision),
                selectinload(ProposalAssignment.base_revision),
                selectinload(ProposalAssignment.source_assignment),
                selectinload(ProposalAssignment.target_assignment).selectinload(Assignment.current),
            ),
            selectinload(ChangeProposal.comments).joinedload(ProposalComment.author),
        )
    )


def module_changes(proposal: ChangeProposal) -> list[ModuleChange]:
    """Per module, the proposed text against what upstream has now.

    Once accepted, upstream *is* the proposal, so the change is shown against the revision
    the fork had started from instead.
    """
    changes = []
    for item in proposal.modules:
        proposed = item.proposed_revision
        old = shown_against(item.target_module, item.base_revision, proposal.status == ACCEPTED)
        old_title, old_body = (old.title, old.body) if old is not None else ("", "")
        changes.append(
            ModuleChange(
                item=item,
                old_title=old_title,
                new_title=proposed.title,
                segments=word_diff(old_body, proposed.body),
                is_new=item.target_module is None,
            )
        )
    return changes


def assignment_changes(proposal: ChangeProposal) -> list[AssignmentChange]:
    """Per assignment, the proposed YAML against upstream's current YAML (once accepted,
    against the revision the fork had started from, as for modules)."""
    changes = []
    for item in proposal.assignments:
        proposed = item.proposed_revision
        against = shown_against(
            item.target_assignment, item.base_revision, proposal.status == ACCEPTED
        )
        old = against.text if against is not None else ""
        changes.append(
            AssignmentChange(
                item=item,
                title=assignment_title(proposed.text, item.source_assignment.slug),
                blocks=line_diff_blocks(old, proposed.text),
                is_new=item.target_assignment is None,
            )
        )
    return changes


def add_comment(user: User, proposal: ChangeProposal, body: str) -> ProposalComment:
    if not body.strip():
        raise ProposalError("empty comment")
    comment = ProposalComment(proposal_id=proposal.id, author_id=user.id, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    return comment
