"""Taking upstream changes to assignments into a fork, the way :mod:`syncing` does for modules.

A fork's assignment remembers the upstream revision it last took (its merge base). When the
upstream assignment has moved on, the fork's YAML is merged three-way with upstream's. Two
valid files can merge into an invalid one, so a clean merge must still validate, or it is
treated as a conflict the maintainer resolves by hand. Assignments added upstream are
offered when the module they belong to exists in the fork (matched by module key).

Translations are left out: their assignment text is in another language, so nothing here
is counted or merged for them (the sync page says so).

Services take the acting user, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.assignments.services import AssignmentError, file_name, validate_text
from peerlearn.authoring.forking import unique_slug
from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.format import BundleError
from peerlearn.content.merge import MergeResult, merge3
from peerlearn.content.models import Course, Module
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db


@dataclass(frozen=True)
class AssignmentStatus:
    """How one fork assignment stands against its upstream assignment (ids only)."""

    assignment_id: int
    assignment_slug: str
    upstream_assignment_id: int
    base_revision_id: int | None
    theirs_revision_id: int | None
    #: Upstream changed the text since the revision last taken.
    upstream_changed: bool
    #: The fork's current text already equals upstream's.
    same_as_ours: bool

    @property
    def to_take(self) -> bool:
        return self.upstream_changed and not self.same_as_ours


def assignment_status(fork: Course, upstream: Course) -> tuple[list[AssignmentStatus], int]:
    """Assignments whose upstream moved on, and how many upstream added: two queries."""
    ours, theirs, base = (
        aliased(AssignmentRevision),
        aliased(AssignmentRevision),
        aliased(AssignmentRevision),
    )
    up = aliased(Assignment)
    rows = db.session.execute(
        select(
            Assignment.id,
            Assignment.slug,
            up.id,
            Assignment.upstream_revision_id,
            up.current_revision_id,
            ours.content_id,
            theirs.content_id,
            base.content_id,
        )
        .join(up, up.id == Assignment.upstream_assignment_id)
        .join(ours, ours.id == Assignment.current_revision_id)
        .join(theirs, theirs.id == up.current_revision_id)
        .outerjoin(base, base.id == Assignment.upstream_revision_id)
        .where(
            Assignment.course_id == fork.id,
            Assignment.removed_at.is_(None),
            up.course_id == upstream.id,
            up.removed_at.is_(None),
            or_(
                Assignment.upstream_revision_id.is_(None),
                Assignment.upstream_revision_id != up.current_revision_id,
            ),
        )
        .order_by(Assignment.slug)
    )
    statuses = [
        AssignmentStatus(
            assignment_id=r[0],
            assignment_slug=r[1],
            upstream_assignment_id=r[2],
            base_revision_id=r[3],
            theirs_revision_id=r[4],
            upstream_changed=r[6] != r[7],
            same_as_ours=r[6] == r[5],
        )
        for r in rows
    ]
    added = db.session.scalar(
        select(func.count()).select_from(_added_query(fork, upstream).subquery())
    )
    return statuses, added or 0


def _added_query(fork: Course, upstream: Course) -> Select[Assignment, str]:
    """Active upstream assignments whose key the fork never had (one the fork removed keeps
    its key, so it is not offered again), with the key of their module, when the fork has an
    active module with that key."""
    mine, up_module, my_module = aliased(Assignment), aliased(Module), aliased(Module)
    return (
        select(Assignment, up_module.key)
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


@dataclass
class PendingAssignment:
    """A fork assignment with upstream changes to take, merged and ready to show or save."""

    assignment: Assignment
    theirs: AssignmentRevision
    merge: MergeResult
    #: Why the cleanly merged text cannot be saved (it does not validate), or None.
    invalid: AssignmentError | None = None

    @property
    def clean(self) -> bool:
        return self.merge.clean and self.invalid is None


@dataclass
class AssignmentPlan:
    pending: list[PendingAssignment] = field(default_factory=list)
    added: list[Assignment] = field(default_factory=list)
    #: Assignments whose upstream moved without anything to take.
    stale: list[int] = field(default_factory=list)

    @property
    def token(self) -> str:
        return ",".join(
            f"a{p.assignment.id}:{p.theirs.id}:{p.assignment.current_revision_id}"
            for p in self.pending
        )

    @property
    def conflicts(self) -> list[PendingAssignment]:
        return [p for p in self.pending if not p.clean]


def plan_assignment_sync(fork: Course, upstream: Course) -> AssignmentPlan:
    """Merge every changed assignment in memory and check the merged YAML."""
    if fork.translation_of is not None:
        return AssignmentPlan()
    statuses, _count = assignment_status(fork, upstream)
    wanted = {s.assignment_id for s in statuses if s.to_take}
    stale = [s.assignment_id for s in statuses if s.assignment_id not in wanted]
    up = aliased(Assignment)
    pending: list[PendingAssignment] = []
    if wanted:
        assignments = db.session.scalars(
            select(Assignment)
            .where(Assignment.id.in_(wanted))
            .options(joinedload(Assignment.current))
            .order_by(Assignment.slug)
        ).unique()
        items = list(assignments)
        revisions = {
            r.id: r
            for r in db.session.scalars(
                select(AssignmentRevision)
                .where(
                    or_(
                        AssignmentRevision.id.in_(
                            [a.upstream_revision_id for a in items if a.upstream_revision_id]
                        ),
                        AssignmentRevision.id.in_(
                            select(up.current_revision_id).where(
                                up.id.in_([a.upstream_assignment_id for a in items])
                            )
                        ),
                    )
                )
                .options(selectinload(AssignmentRevision.author))
            )
        }
        theirs_of = dict(
            db.session.execute(
                select(up.id, up.current_revision_id).where(
                    up.id.in_([a.upstream_assignment_id for a in items])
                )
            ).all()
        )
        for assignment in items:
            # assignment_status joined each wanted assignment to its upstream and to that
            # upstream's current revision: both ids are set.
            upstream_id = assignment.upstream_assignment_id
            assert upstream_id is not None
            theirs_id = theirs_of[upstream_id]
            assert theirs_id is not None
            theirs = revisions[theirs_id]
            base = revisions.get(assignment.upstream_revision_id or 0)
            merged = merge3(base.text if base else "", assignment.current.text, theirs.text)
            item = PendingAssignment(assignment, theirs, merged)
            if merged.clean:
                item.invalid = check_text(fork, assignment, merged.text)
            pending.append(item)
    added = [
        row[0]
        for row in db.session.execute(
            _added_query(fork, upstream).options(selectinload(Assignment.current))
        )
    ]
    return AssignmentPlan(pending, added, stale)


def check_text(fork: Course, assignment: Assignment, text: str) -> AssignmentError | None:
    """Why ``text`` cannot be saved as ``assignment`` of ``fork``, or None if it can."""
    try:
        validate_text(fork, text, assignment.slug, assignment.key)
    except AssignmentError as error:
        return error
    return None


def check_resolutions(
    plan: AssignmentPlan, resolutions: dict[int, str]
) -> dict[int, AssignmentError]:
    """The resolutions the maintainer sent that cannot be saved, by assignment id."""
    errors: dict[int, AssignmentError] = {}
    for item in plan.conflicts:
        text = resolutions.get(item.assignment.id)
        if text is None:
            continue
        error = check_text(item.assignment.course, item.assignment, text)
        if error is not None:
            errors[item.assignment.id] = error
    return errors


def apply_assignment_sync(
    user: User,
    fork: Course,
    upstream: Course,
    plan: AssignmentPlan,
    *,
    resolutions: dict[int, str],
    add_ids: set[int],
) -> tuple[int, list[Assignment]]:
    """Take upstream assignment changes; (how many changed, which were added).

    A conflicted assignment without a resolution keeps the fork's text. A resolution that
    does not validate raises :class:`AssignmentError` (the view checks them first).
    """
    changed = 0
    for item in plan.pending:
        current = item.assignment.current
        text = item.merge.text if item.clean else resolutions.get(item.assignment.id, current.text)
        if text != current.text:
            error = check_text(fork, item.assignment, text)
            if error is not None:
                raise error
            add_revision(
                item.assignment,
                text,
                author=item.theirs.author,
                saved_by=user,
                kind="sync",
                parent=current,
                summary=upstream.title,
            )
            _follow_module(fork, item.assignment, text)
            changed += 1
        item.assignment.upstream_revision_id = item.theirs.id
    _advance_stale(plan.stale)
    added = [a for a in plan.added if a.id in add_ids]
    _copy_added(user, fork, added)
    db.session.flush()
    return changed, added


def _follow_module(fork: Course, assignment: Assignment, text: str) -> None:
    """Point the assignment at the fork module its new text names."""
    try:
        spec = parse_assignment(text, file_name(assignment.slug), assignment.slug)
    except BundleError:  # validated just before; nothing to follow otherwise
        return
    module_id = db.session.scalar(
        select(Module.id).where(Module.course_id == fork.id, Module.key == spec.module)
    )
    if module_id is not None:
        assignment.module_id = module_id


def _advance_stale(assignment_ids: list[int]) -> None:
    """Move the merge base of assignments whose upstream change needs nothing taken."""
    if not assignment_ids:
        return
    up = aliased(Assignment)
    current_of = dict(
        db.session.execute(
            select(Assignment.id, up.current_revision_id)
            .join(up, up.id == Assignment.upstream_assignment_id)
            .where(Assignment.id.in_(assignment_ids))
        ).all()
    )
    for assignment in db.session.scalars(
        select(Assignment).where(Assignment.id.in_(assignment_ids))
    ):
        assignment.upstream_revision_id = current_of.get(
            assignment.id, assignment.upstream_revision_id
        )


def _copy_added(user: User, fork: Course, sources: list[Assignment]) -> None:
    """Copy assignments added upstream, onto the fork's module with the same key."""
    if not sources:
        return
    taken = set(db.session.scalars(select(Assignment.slug).where(Assignment.course_id == fork.id)))
    module_ids = dict(
        db.session.execute(
            select(Module.key, Module.id).where(
                Module.course_id == fork.id, Module.removed_at.is_(None)
            )
        ).all()
    )
    sources_full = db.session.scalars(
        select(Assignment)
        .where(Assignment.id.in_([s.id for s in sources]))
        .options(
            selectinload(Assignment.module),
            selectinload(Assignment.current).selectinload(AssignmentRevision.author),
        )
        .order_by(Assignment.slug)
    )
    for source in sources_full:
        module_key = source.module.key if source.module is not None else None
        copy = Assignment(
            course_id=fork.id,
            key=source.key,
            slug=unique_slug(source.slug, taken),
            module_id=module_ids.get(module_key) if module_key else None,
            upstream_assignment_id=source.id,
            upstream_revision_id=source.current_revision_id,
        )
        db.session.add(copy)
        db.session.flush()
        add_revision(
            copy,
            source.current.text,
            author=source.current.author,
            saved_by=user,
            kind="sync",
            summary=fork.title,
        )
