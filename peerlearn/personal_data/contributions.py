"""What a person gave to the commons, for their profile and their contributions page
(like MediaWiki's Special:Contributions): module revisions they wrote, proposals merged
upstream, and how many reviews they gave and how helpful their authors found them.

Revisions and accepted proposals are public already (every course's history credits
them), so they are listed for anyone. Reviews are learning activity: the profile shows
their counts only where the person's activity is visible, and never which build logs
they were of (peer review is double-blind).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select

from peerlearn.accounts.models import User
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
#: How many merged proposals the profile lists (the rest are on the contributions page).
PROFILE_MERGED = 5


@dataclass(frozen=True)
class Contribution:
    revision_id: int
    parent_id: int | None
    created_at: datetime
    kind: str
    summary: str
    title: str
    module_slug: str
    module_removed: bool
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


def _authored(user: User) -> tuple[ColumnElement[bool], ...]:
    return (
        ModuleRevision.author_id == user.id,
        ModuleRevision.kind.in_(AUTHORED_KINDS),
    )


def contributions_page(user: User, page: int, per_page: int = PER_PAGE) -> ContributionPage | None:
    """One page of ``user``'s revisions, newest first, in two queries; None when there is
    no such page."""
    total = int(
        db.session.scalar(select(func.count(ModuleRevision.id)).where(*_authored(user))) or 0
    )
    pages = max(1, math.ceil(total / per_page))
    if page < 1 or page > pages:
        return None
    rows = db.session.execute(
        select(
            ModuleRevision.id,
            ModuleRevision.parent_id,
            ModuleRevision.created_at,
            ModuleRevision.kind,
            ModuleRevision.summary,
            ModuleRevision.title,
            Module.slug.label("module_slug"),
            Module.removed_at,
            Course.slug.label("course_slug"),
            Course.title.label("course_title"),
            Course.language,
        )
        .join(Module, Module.id == ModuleRevision.module_id)
        .join(Course, Course.id == Module.course_id)
        .where(*_authored(user))
        .order_by(ModuleRevision.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    items = [
        Contribution(
            row.id,
            row.parent_id,
            row.created_at,
            row.kind,
            row.summary,
            row.title,
            row.module_slug,
            row.removed_at is not None,
            row.course_slug,
            row.course_title,
            row.language,
        )
        for row in rows
    ]
    return ContributionPage(items, page, per_page, total)


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
