"""Reading an assignment's history: its revisions with their sizes, and the difference
between two of them, the way module history reads (``content.history``).

An assignment is one YAML text, so one line diff shows every change: the prompt, a rubric
level or a deadline. Every list is loaded in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.content.diff import DiffBlock, diff_stats, line_diff_blocks
from peerlearn.content.history import PER_PAGE, Page
from peerlearn.content.models import ModuleContent
from peerlearn.extensions import db


@dataclass(frozen=True)
class AssignmentHistoryEntry:
    revision: AssignmentRevision
    #: 1-based position of the revision in its assignment's history.
    number: int
    added: int
    removed: int


@dataclass(frozen=True)
class AssignmentDiff:
    old: AssignmentRevision
    new: AssignmentRevision
    old_number: int
    new_number: int
    blocks: list[DiffBlock]
    added: int
    removed: int


def revision_number(revision: AssignmentRevision) -> int:
    """The revision's 1-based number within its assignment (ids only grow)."""
    return int(
        db.session.scalar(
            select(func.count(AssignmentRevision.id)).where(
                AssignmentRevision.assignment_id == revision.assignment_id,
                AssignmentRevision.id <= revision.id,
            )
        )
        or 0
    )


def assignment_history(assignment: Assignment, page: int, per_page: int = PER_PAGE) -> Page | None:
    """A page of the assignment's revisions, newest first, with words added and removed
    against each one's parent. None when the page does not exist."""
    total = int(
        db.session.scalar(
            select(func.count(AssignmentRevision.id)).where(
                AssignmentRevision.assignment_id == assignment.id
            )
        )
        or 0
    )
    if page < 1 or page > Page([], page, per_page, total).pages:
        return None
    revisions = list(
        db.session.scalars(
            select(AssignmentRevision)
            .where(AssignmentRevision.assignment_id == assignment.id)
            .options(selectinload(AssignmentRevision.author))
            .order_by(AssignmentRevision.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    # Parents' text in one query, whatever the page holds.
    parent_ids = {r.parent_id for r in revisions if r.parent_id is not None}
    parent_text: dict[int, str] = {}
    if parent_ids:
        parent_text = dict(
            db.session.execute(
                select(AssignmentRevision.id, ModuleContent.body)
                .join(ModuleContent, ModuleContent.id == AssignmentRevision.content_id)
                .where(AssignmentRevision.id.in_(parent_ids))
            ).all()
        )
    entries = []
    offset = (page - 1) * per_page
    for index, revision in enumerate(revisions):
        old = parent_text.get(revision.parent_id, "") if revision.parent_id else ""
        added, removed = diff_stats(old, revision.text)
        entries.append(AssignmentHistoryEntry(revision, total - offset - index, added, removed))
    return Page(entries, page, per_page, total)


def compare(old: AssignmentRevision, new: AssignmentRevision) -> AssignmentDiff:
    """What changed from ``old`` to ``new``, as line blocks with a little context."""
    added, removed = diff_stats(old.text, new.text)
    return AssignmentDiff(
        old=old,
        new=new,
        old_number=revision_number(old),
        new_number=revision_number(new),
        blocks=line_diff_blocks(old.text, new.text, context=2),
        added=added,
        removed=removed,
    )
