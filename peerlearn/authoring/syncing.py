"""Taking upstream improvements into a fork or translation.

Each fork module remembers the upstream revision it last took (its merge base). When the
upstream module has moved on, the fork's text is merged three-way with the upstream text
(:mod:`peerlearn.content.merge`); the new revision credits the upstream author, since
the words are theirs, and records the maintainer who saved it. A translation cannot be
merged (the languages differ): its modules are only marked outdated until a maintainer
has translated the change and says so; its assignments are left out (their text is in
another language, so nothing is counted or merged for them; the sync page says so).

The three-way merge of changed documents is :mod:`peerlearn.content.sync`, one
implementation for modules and assignments; this module adds what upstream added (a
module at the fork's end, an assignment onto the fork's module with the same key) and
ties both types into one sync. Services take the acting user, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.services import ASSIGNMENT, copy_assignments
from peerlearn.authoring import notices
from peerlearn.authoring.forking import copy_module, unique_slug
from peerlearn.authoring.lineage import parent_key
from peerlearn.authoring.module_document import MODULE
from peerlearn.content.models import Course, Module
from peerlearn.content.revisions import record_event
from peerlearn.content.sync import (
    DocumentPlan,
    DocumentStatus,
    apply_documents,
    plan_documents,
    sync_status,
)
from peerlearn.db import utcnow
from peerlearn.extensions import db


class SyncError(ValueError):
    """A sync request that cannot be applied; ``code`` says why (for the view's message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  #: stale_preview, not_outdated, no_upstream


@dataclass(frozen=True)
class UpstreamStatus:
    """What upstream offers a fork: changed modules and modules added since the fork."""

    upstream: Course
    is_translation: bool
    modules: list[DocumentStatus]
    added_count: int
    #: Fork assignments whose upstream moved on (always empty for a translation).
    assignments: list[DocumentStatus] = field(default_factory=list)
    added_assignments: int = 0

    @property
    def changed_assignments(self) -> list[DocumentStatus]:
        return [a for a in self.assignments if a.to_take]

    @property
    def changed(self) -> list[DocumentStatus]:
        """Modules with upstream changes the fork has not taken (outdated, for translations)."""
        if self.is_translation:
            return [m for m in self.modules if m.upstream_changed]
        return [m for m in self.modules if m.upstream_changed and not m.same_as_ours]

    @property
    def not_taken(self) -> int:
        return (
            len(self.changed)
            + self.added_count
            + len(self.changed_assignments)
            + self.added_assignments
        )


def upstream_of(course: Course) -> Course | None:
    key = parent_key(course)
    if key is None:
        return None
    return db.session.scalar(select(Course).where(Course.key == key))


def upstream_status(fork: Course, upstream: Course) -> UpstreamStatus:
    """Compare ``fork`` with ``upstream`` in a few queries, without loading any text."""
    modules = sync_status(MODULE, fork.id, upstream.id)
    added = db.session.scalar(
        select(func.count()).select_from(_added_query(fork, upstream).subquery())
    )
    if fork.translation_of is not None:  # assignment text is not in the same language
        return UpstreamStatus(upstream, True, modules, added or 0)
    assignments = sync_status(ASSIGNMENT, fork.id, upstream.id)
    added_assignments = db.session.scalar(
        select(func.count()).select_from(_added_assignments_query(fork, upstream).subquery())
    )
    return UpstreamStatus(upstream, False, modules, added or 0, assignments, added_assignments or 0)


def _added_query(fork: Course, upstream: Course) -> Select[Module]:
    """Active upstream modules whose key the fork has never had (a module the fork
    removed keeps its key, so it is not offered again)."""
    mine = aliased(Module)
    return (
        select(Module)
        .where(
            Module.course_id == upstream.id,
            Module.removed_at.is_(None),
            ~exists().where(mine.course_id == fork.id, mine.key == Module.key),
        )
        .order_by(Module.position)
    )


@dataclass
class SyncPlan:
    """Everything a sync would do, computed without writing anything."""

    fork: Course
    upstream: Course
    modules: DocumentPlan
    assignments: DocumentPlan = field(default_factory=DocumentPlan)

    @property
    def token(self) -> str:
        """What the maintainer saw, so that a POST made against an older preview is refused."""
        assignments = self.assignments.token
        return f"{self.modules.token}|{assignments}" if assignments else self.modules.token

    @property
    def empty(self) -> bool:
        """Nothing to merge or add, modules and assignments alike."""
        return not (
            self.modules.pending
            or self.modules.added
            or self.assignments.pending
            or self.assignments.added
        )


def plan_sync(fork: Course, upstream: Course) -> SyncPlan:
    """Merge every changed module and assignment in memory; the preview page shows this,
    POST applies it. A translation only gets the modules added upstream."""
    status = upstream_status(fork, upstream)
    wanted = {m.document_id for m in status.changed} if not status.is_translation else set()
    modules = plan_documents(MODULE, status.modules, wanted)
    modules.added = list(
        db.session.scalars(_added_query(fork, upstream).options(selectinload(Module.current)))
    )
    if status.is_translation:
        return SyncPlan(fork, upstream, modules)
    assignments = plan_documents(
        ASSIGNMENT, status.assignments, {a.document_id for a in status.changed_assignments}
    )
    assignments.added = list(
        db.session.scalars(
            _added_assignments_query(fork, upstream).options(selectinload(Assignment.current))
        )
    )
    return SyncPlan(fork, upstream, modules, assignments)


def apply_sync(
    user: User,
    plan: SyncPlan,
    *,
    token: str,
    resolutions: dict[int, tuple[str, str]],
    add_ids: set[int],
    assignment_resolutions: dict[int, str] | None = None,
    add_assignment_ids: set[int] | None = None,
) -> tuple[int, int]:
    """Take upstream changes into ``plan.fork``; returns how many modules and how many
    assignments changed (merged or added).

    ``resolutions`` maps a conflicted module's id to the (title, body) the maintainer
    settled on, ``assignment_resolutions`` a conflicted assignment's id to its YAML.
    ``token`` must be the plan's token from the preview the maintainer saw.
    """
    if token != plan.token:
        raise SyncError("stale_preview")
    changed = apply_documents(
        MODULE,
        user,
        plan.modules,
        resolutions={i: ({"title": title}, body) for i, (title, body) in resolutions.items()},
        summary=plan.upstream.title,
    )
    added = [m for m in plan.modules.added if m.id in add_ids]
    _add_upstream_modules(user, plan.fork, added)
    merged_assignments = apply_documents(
        ASSIGNMENT,
        user,
        plan.assignments,
        resolutions={i: ({}, text) for i, text in (assignment_resolutions or {}).items()},
        summary=plan.upstream.title,
    )
    added_assignments = [a for a in plan.assignments.added if a.id in (add_assignment_ids or set())]
    if added_assignments:
        taken = set(
            db.session.scalars(select(Assignment.slug).where(Assignment.course_id == plan.fork.id))
        )
        copy_assignments(
            plan.upstream, plan.fork, user, ids={a.id for a in added_assignments}, kind="sync",
            summary=plan.fork.title, slug_for=lambda slug: unique_slug(slug, taken),
        )  # fmt: skip
    if (
        not plan.modules.pending
        and not added
        and not plan.assignments.pending
        and not added_assignments
    ):
        db.session.flush()
        return 0, 0  # nothing was offered or chosen: no history entry for an empty sync
    record_event(
        plan.fork,
        "synced",
        user,
        upstream=plan.upstream.slug,
        merged=changed,
        added=[m.key for m in added],
        merged_assignments=merged_assignments,
        added_assignments=[a.key for a in added_assignments],
    )
    plan.fork.updated_at = utcnow()
    db.session.flush()
    notices.upstream_changed(plan.fork, user)  # the fork's own forks
    return changed + len(added), merged_assignments + len(added_assignments)


def _add_upstream_modules(user: User, fork: Course, sources: list[Module]) -> None:
    """Append modules added upstream to the end of the fork, keeping their key."""
    if not sources:
        return
    existing = db.session.execute(
        select(Module.slug, Module.position).where(Module.course_id == fork.id)
    ).all()
    taken = {slug for slug, _ in existing}
    position = max((pos for _, pos in existing), default=0)
    for source in sources:
        position += 1
        copy = copy_module(
            source,
            fork,
            slug=unique_slug(source.slug, taken),
            position=position,
            user=user,
            kind="sync",
            summary=fork.title,
        )
        record_event(fork, "module_added", user, copy, upstream=source.id)


def add_from_upstream(user: User, fork: Course, upstream: Course, add_ids: set[int]) -> int:
    """For a translation: copy chosen modules added upstream (to be translated)."""
    sources = [m for m in db.session.scalars(_added_query(fork, upstream)) if m.id in add_ids]
    _add_upstream_modules(user, fork, sources)
    if sources:
        record_event(fork, "synced", user, upstream=upstream.slug, added=[m.key for m in sources])
        fork.updated_at = utcnow()
        db.session.flush()
    return len(sources)


def mark_up_to_date(user: User, module: Module) -> None:
    """A translator has carried the source's latest change over: move the base to it."""
    source = module.upstream_module
    if source is None or source.removed_at is not None:
        raise SyncError("no_upstream")
    if module.upstream_revision_id == source.current_revision_id:
        raise SyncError("not_outdated")
    module.upstream_revision_id = source.current_revision_id
    record_event(
        module.course, "synced", user, module, upstream_revision=source.current_revision_id
    )
    db.session.flush()


def _added_assignments_query(fork: Course, upstream: Course) -> Select[Assignment]:
    """Active upstream assignments whose key the fork never had (one the fork removed keeps
    its key, so it is not offered again) whose module the fork has too (an active module
    with the same key)."""
    mine, up_module, my_module = aliased(Assignment), aliased(Module), aliased(Module)
    return (
        select(Assignment)
        .join(up_module, up_module.id == Assignment.module_id)
        .where(
            Assignment.course_id == upstream.id,
            Assignment.removed_at.is_(None),
            ~exists().where(mine.course_id == fork.id, mine.key == Assignment.key),
            exists().where(
                my_module.course_id == fork.id,
                my_module.key == up_module.key,
                my_module.removed_at.is_(None),
            ),
        )
        .order_by(Assignment.slug)
    )
