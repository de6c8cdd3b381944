"""What a person gave to the commons, for their profile and their contributions page
(like MediaWiki's Special:Contributions): module and assignment revisions they wrote,
proposals merged upstream, and how many reviews they gave and how helpful their authors
found them.

Revisions and accepted proposals are public already (every course's history credits
them), so they are listed for anyone. Reviews are learning activity: the profile shows
their counts only where the person's activity is visible, and never which build logs
they were of (peer review is double-blind).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.assignments.revisions import spec_of
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.authoring.proposals import ACCEPTED
from peerlearn.content.models import Course, Module, ModuleRevision
from peerlearn.extensions import db
from peerlearn.recognition.awarding import HELPFUL_RATING
from peerlearn.review.models import Review, ReviewFeedback, ReviewKind, ReviewState

PER_PAGE = 20
#: Revisions a person wrote. Not "fork", "sync" or "import": those copy text written
#: elsewhere (credited to its author where it was written).
AUTHORED_KINDS = ("create", "edit", "merge", "revert", "proposal")
MODULE, ASSIGNMENT = "module", "assignment"
#: How many merged proposals the profile lists (the rest are on the contributions page).
PROFILE_MERGED = 5


@dataclass(frozen=True)
class Contribution:
    """One revision: of a module (``module_slug``), or of an assignment
    (``assignment_slug``; its title is the assignment's current one)."""

    revision_id: int
    parent_id: int | None
    created_at: datetime
    kind: str
    summary: str
    title: str
    module_slug: str | None
    assignment_slug: str | None
    #: The module or assignment has left its course (its history stays).
    removed: bool
    course_slug: str
    course_title: str
    course_language: str


@dataclass(frozen=True)
class ContributionPage:
    items: list[Contribution]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _modules(user: User) -> Select[*tuple[Any, ...]]:
    return (
        select(
            literal(MODULE).label("what"),
            ModuleRevision.id,
            ModuleRevision.parent_id,
            ModuleRevision.created_at,
            ModuleRevision.kind,
            ModuleRevision.summary,
            ModuleRevision.title,
            Module.slug.label("item_slug"),
            Module.removed_at,
            Course.slug.label("course_slug"),
            Course.title.label("course_title"),
            Course.language,
            literal(0).label("assignment_id"),
        )
        .join(Module, Module.id == ModuleRevision.module_id)
        .join(Course, Course.id == Module.course_id)
        .where(ModuleRevision.author_id == user.id, ModuleRevision.kind.in_(AUTHORED_KINDS))
    )


def _assignments(user: User) -> Select[*tuple[Any, ...]]:
    return (
        select(
            literal(ASSIGNMENT).label("what"),
            AssignmentRevision.id,
            AssignmentRevision.parent_id,
            AssignmentRevision.created_at,
            AssignmentRevision.kind,
            AssignmentRevision.summary,
            literal("").label("title"),
            Assignment.slug.label("item_slug"),
            Assignment.removed_at,
            Course.slug.label("course_slug"),
            Course.title.label("course_title"),
            Course.language,
            Assignment.id.label("assignment_id"),
        )
        .join(Assignment, Assignment.id == AssignmentRevision.assignment_id)
        .join(Course, Course.id == Assignment.course_id)
        .where(
            AssignmentRevision.author_id == user.id,
            AssignmentRevision.kind.in_(AUTHORED_KINDS),
        )
    )


def _count(query: Select[*tuple[Any, ...]]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def contributions_page(user: User, page: int, per_page: int = PER_PAGE) -> ContributionPage | None:
    """One page of the module and assignment revisions ``user`` wrote, newest first, in
    at most four queries; None when there is no such page."""
    total = _count(_modules(user)) + _count(_assignments(user))
    pages = max(1, math.ceil(total / per_page))
    if page < 1 or page > pages:
        return None
    both = union_all(_modules(user), _assignments(user)).subquery()
    rows = db.session.execute(
        select(both)
        .order_by(both.c.created_at.desc(), both.c.what, both.c.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    titles = _assignment_titles({row.assignment_id for row in rows if row.what == ASSIGNMENT})
    items = [
        Contribution(
            revision_id=row.id,
            parent_id=row.parent_id,
            created_at=row.created_at,
            kind=row.kind,
            summary=row.summary,
            title=row.title if row.what == MODULE else titles.get(row.assignment_id, row.item_slug),
            module_slug=row.item_slug if row.what == MODULE else None,
            assignment_slug=row.item_slug if row.what == ASSIGNMENT else None,
            removed=row.removed_at is not None,
            course_slug=row.course_slug,
            course_title=row.course_title,
            course_language=row.language,
        )
        for row in rows
    ]
    return ContributionPage(items, page, per_page, total)


def _assignment_titles(ids: set[int]) -> dict[int, str]:
    """The current titles of the assignments ``ids`` (in their YAML), in one query."""
    if not ids:
        return {}
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.id.in_(ids)).options(selectinload(Assignment.current))
    )
    titles = {}
    for assignment in assignments:
        try:
            titles[assignment.id] = spec_of(assignment).title
        except Exception:  # a text that no longer parses: its slug names it
            titles[assignment.id] = assignment.slug
    return titles


@dataclass(frozen=True)
class Merged:
    """A change proposal of the person's, accepted upstream."""

    proposal_id: int
    title: str
    course_slug: str
    course_title: str
    course_language: str
    decided_at: datetime | None


def merged_upstream(user: User, limit: int = PROFILE_MERGED) -> tuple[list[Merged], int]:
    """``user``'s latest accepted proposals and how many there are (two queries)."""
    accepted = (ChangeProposal.author_id == user.id, ChangeProposal.status == ACCEPTED)
    total = int(db.session.scalar(select(func.count(ChangeProposal.id)).where(*accepted)) or 0)
    if not total:
        return [], 0
    rows = db.session.execute(
        select(
            ChangeProposal.id,
            ChangeProposal.title,
            ChangeProposal.decided_at,
            Course.slug,
            Course.title.label("course_title"),
            Course.language,
        )
        .join(Course, Course.id == ChangeProposal.target_course_id)
        .where(*accepted)
        .order_by(ChangeProposal.decided_at.desc(), ChangeProposal.id.desc())
        .limit(limit)
    )
    merged = [
        Merged(row.id, row.title, row.slug, row.course_title, row.language, row.decided_at)
        for row in rows
    ]
    return merged, total


@dataclass(frozen=True)
class ReviewCounts:
    given: int
    #: Of those, rated by the build log's author, and rated helpful (4 or 5 out of 5).
    rated: int
    helpful: int


def review_counts(user: User) -> ReviewCounts:
    """How many peer reviews ``user`` submitted and how their authors rated them: counts
    only, in one query."""
    given, rated, helpful = db.session.execute(
        select(
            func.count(Review.id),
            func.count(ReviewFeedback.id),
            func.coalesce(func.sum(case((ReviewFeedback.rating >= HELPFUL_RATING, 1), else_=0)), 0),
        )
        .outerjoin(ReviewFeedback, ReviewFeedback.review_id == Review.id)
        .where(
            Review.reviewer_id == user.id,
            Review.kind == ReviewKind.PEER.value,
            Review.state == ReviewState.SUBMITTED.value,
        )
    ).one()
    return ReviewCounts(int(given or 0), int(rated or 0), int(helpful or 0))
