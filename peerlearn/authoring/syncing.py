"""Taking upstream improvements into a fork or translation.

Each fork module remembers the upstream revision it last took (its merge base). When the
upstream module has moved on, the fork's text is merged three-way with the upstream text
(:mod:`peerlearn.content.merge`); the new revision credits the upstream author, since
the words are theirs, and records the maintainer who saved it. A translation cannot be
merged (the languages differ): its modules are only marked outdated until a maintainer
has translated the change and says so. Assignments are synced alongside modules by
:mod:`peerlearn.authoring.syncing_assignments` (not for translations).

Services take the acting user, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from peerlearn.accounts.models import User
from peerlearn.authoring import notices
from peerlearn.authoring.forking import copy_module, unique_slug
from peerlearn.authoring.lineage import parent_key
from peerlearn.authoring.syncing_assignments import (
    AssignmentPlan,
    AssignmentStatus,
    apply_assignment_sync,
    assignment_status,
    plan_assignment_sync,
)
from peerlearn.content.merge import MergeResult, merge3, merge_titles
from peerlearn.content.models import Course, Module, ModuleRevision
from peerlearn.content.revisions import add_revision, record_event
from peerlearn.db import utcnow
from peerlearn.extensions import db


class SyncError(ValueError):
    """A sync request that cannot be applied; ``code`` says why (for the view's message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  #: stale_preview, not_outdated, no_upstream


@dataclass(frozen=True)
class ModuleStatus:
    """How one fork module stands against its upstream module (ids only, no text)."""

    module_id: int
    module_slug: str
    upstream_module_id: int
    upstream_slug: str
    base_revision_id: int | None
    theirs_revision_id: int | None
    #: Upstream changed the text or title since the revision last taken.
    upstream_changed: bool
    #: The fork's current text and title already equal upstream's.
    same_as_ours: bool


@dataclass(frozen=True)
class UpstreamStatus:
    """What upstream offers a fork: changed modules and modules added since the fork."""

    upstream: Course
    is_translation: bool
    modules: list[ModuleStatus]
    added_count: int
    #: Fork assignments whose upstream moved on (always empty for a translation).
    assignments: list[AssignmentStatus] = field(default_factory=list)
    added_assignments: int = 0

    @property
    def changed_assignments(self) -> list[AssignmentStatus]:
        return [a for a in self.assignments if a.to_take]

    @property
    def changed(self) -> list[ModuleStatus]:
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
    """Compare ``fork`` with ``upstream`` in two queries, without loading any text."""
    ours, theirs, base = aliased(ModuleRevision), aliased(ModuleRevision), aliased(ModuleRevision)
    up = aliased(Module)
    rows = db.session.execute(
        select(
            Module.id,
            Module.slug,
            up.id,
            up.slug,
            Module.upstream_revision_id,
            up.current_revision_id,
            ours.content_id,
            ours.title,
            theirs.content_id,
            theirs.title,
            base.content_id,
            base.title,
        )
        .join(up, up.id == Module.upstream_module_id)
        .join(ours, ours.id == Module.current_revision_id)
        .join(theirs, theirs.id == up.current_revision_id)
        .outerjoin(base, base.id == Module.upstream_revision_id)
        .where(
            Module.course_id == fork.id,
            Module.removed_at.is_(None),
            up.course_id == upstream.id,
            up.removed_at.is_(None),
            or_(
                Module.upstream_revision_id.is_(None),
                Module.upstream_revision_id != up.current_revision_id,
            ),
        )
        .order_by(Module.position)
    )
    modules = [
        ModuleStatus(
            module_id=r[0],
            module_slug=r[1],
            upstream_module_id=r[2],
            upstream_slug=r[3],
            base_revision_id=r[4],
            theirs_revision_id=r[5],
            upstream_changed=(r[8], r[9]) != (r[10], r[11]),
            same_as_ours=(r[8], r[9]) == (r[6], r[7]),
        )
        for r in rows
    ]
    added = db.session.scalar(
        select(func.count()).select_from(_added_query(fork, upstream).subquery())
    )
    if fork.translation_of is not None:  # assignment text is not in the same language
        return UpstreamStatus(upstream, True, modules, added or 0)
    assignments, added_assignments = assignment_status(fork, upstream)
    return UpstreamStatus(upstream, False, modules, added or 0, assignments, added_assignments)


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
class PendingModule:
    """A fork module with upstream changes to take, merged and ready to show or save."""

    module: Module
    theirs: ModuleRevision
    merge: MergeResult
    #: The merged title, or None when both sides retitled it differently.
    title: str | None

    @property
    def clean(self) -> bool:
        return self.merge.clean and self.title is not None


@dataclass
class SyncPlan:
    """Everything a sync would do, computed without writing anything."""

    fork: Course
    upstream: Course
    pending: list[PendingModule]
    added: list[Module]
    #: Modules whose upstream moved without anything to take (already equal, or reverted).
    stale: list[int] = field(default_factory=list)
    assignments: AssignmentPlan = field(default_factory=AssignmentPlan)

    @property
    def token(self) -> str:
        """What the maintainer saw, so that a POST made against an older preview is refused."""
        modules = ",".join(
            f"{p.module.id}:{p.theirs.id}:{p.module.current_revision_id}" for p in self.pending
        )
        assignments = self.assignments.token
        return f"{modules}|{assignments}" if assignments else modules

    @property
    def empty(self) -> bool:
        """Nothing to merge or add, modules and assignments alike."""
        return not (
            self.pending or self.added or self.assignments.pending or self.assignments.added
        )

    @property
    def conflicts(self) -> list[PendingModule]:
        return [p for p in self.pending if not p.clean]


def plan_sync(fork: Course, upstream: Course) -> SyncPlan:
    """Merge every changed module in memory; the preview page shows this, POST applies it."""
    status = upstream_status(fork, upstream)
    wanted = {m.module_id for m in status.changed} if not status.is_translation else set()
    stale = [m.module_id for m in status.modules if m.module_id not in wanted]
    pending: list[PendingModule] = []
    if wanted:
        modules = db.session.scalars(
            select(Module)
            .where(Module.id.in_(wanted))
            .options(
                joinedload(Module.current),
                joinedload(Module.upstream_revision),
                joinedload(Module.upstream_module).joinedload(Module.current),
            )
            .order_by(Module.position)
        ).unique()
        for module in modules:
            assert module.upstream_module is not None
            theirs = module.upstream_module.current
            base = module.upstream_revision
            base_body, base_title = (base.body, base.title) if base else ("", module.title)
            pending.append(
                PendingModule(
                    module=module,
                    theirs=theirs,
                    merge=merge3(base_body, module.current.body, theirs.body),
                    title=merge_titles(base_title, module.title, theirs.title),
                )
            )
    added = list(
        db.session.scalars(_added_query(fork, upstream).options(selectinload(Module.current)))
    )
    return SyncPlan(fork, upstream, pending, added, stale, plan_assignment_sync(fork, upstream))


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
    changed = 0
    for item in plan.pending:
        title, body = item.title or item.module.title, item.merge.text
        if not item.clean:
            title, body = resolutions.get(item.module.id, (title, body))
        current = item.module.current
        if (title, body) != (current.title, current.body):
            add_revision(
                item.module,
                body,
                author=item.theirs.author,
                saved_by=user,
                kind="sync",
                parent=current,
                summary=plan.upstream.title,
                title=title,
            )
            changed += 1
        item.module.upstream_revision_id = item.theirs.id
    _advance_stale(plan.stale)
    added = [m for m in plan.added if m.id in add_ids]
    _add_upstream_modules(user, plan.fork, added)
    merged_assignments, added_assignments = apply_assignment_sync(
        user,
        plan.fork,
        plan.upstream,
        plan.assignments,
        resolutions=assignment_resolutions or {},
        add_ids=add_assignment_ids or set(),
    )
    if not plan.pending and not added and not plan.assignments.pending and not added_assignments:
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


def _advance_stale(module_ids: list[int]) -> None:
    """Move the merge base of modules whose upstream change needs nothing taken."""
    if not module_ids:
        return
    for module in db.session.scalars(
        select(Module).where(Module.id.in_(module_ids)).options(joinedload(Module.upstream_module))
    ):
        if module.upstream_module is not None:
            module.upstream_revision_id = module.upstream_module.current_revision_id


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
