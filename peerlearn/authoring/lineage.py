"""Where a course comes from and where it went: ancestors, the fork network, sibling
translations and the authors a fork must credit.

A course records its parent by bundle key (``forked_from`` / ``translation_of``) and each
module its upstream module, so lineage is a graph in two tables. Every function here walks
it with recursive CTEs, so a page costs the same few queries for a network of three
courses or three hundred (house rule 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, cast, func, inspect, literal_column, null, or_, select
from sqlalchemy.orm import aliased

from peerlearn.accounts.models import User
from peerlearn.content.models import (
    Course,
    CourseAuthor,
    CourseEvent,
    CourseMaintainer,
    Module,
    ModuleRevision,
)
from peerlearn.extensions import db

#: A lineage deeper than this is bad data (a cycle between imported bundles), not a
#: real chain of forks; the recursive queries stop there.
MAX_DEPTH = 50


def parent_key(course: Course) -> str | None:
    """The key of the course this one was forked or translated from."""
    return course.forked_from or course.translation_of


def ancestors(course: Course) -> list[Course]:
    """``course`` then its parent, grandparent, ... up to the root, in one query.

    A parent key that names no course on this site ends the chain there. A course that
    was neither forked nor translated is its own chain, without a query.
    """
    if parent_key(course) is None:
        return [course]
    course_parent = func.coalesce(Course.forked_from, Course.translation_of)
    up = (
        select(
            Course.id.label("id"),
            course_parent.label("parent"),
            literal_column("0", Integer).label("depth"),
        )
        .where(Course.id == course.id)
        .cte("lineage_up", recursive=True)
    )
    older = aliased(Course)
    up = up.union_all(
        select(older.id, func.coalesce(older.forked_from, older.translation_of), up.c.depth + 1)
        .join(up, older.key == up.c.parent)
        .where(up.c.depth < MAX_DEPTH)
    )
    rows = db.session.execute(select(Course).join(up, Course.id == up.c.id).order_by(up.c.depth))
    chain: list[Course] = []
    for found in rows.scalars():
        if found in chain:  # a cycle: stop where it closes
            break
        chain.append(found)
    return chain


def network_courses(root: Course) -> list[Course]:
    """``root`` and every course forked or translated from it, at any depth, in one query."""
    down = (
        select(
            Course.id.label("id"),
            Course.key.label("key"),
            literal_column("0", Integer).label("depth"),
        )
        .where(Course.id == root.id)
        .cte("lineage_down", recursive=True)
    )
    newer = aliased(Course)
    down = down.union_all(
        select(newer.id, newer.key, down.c.depth + 1)
        .join(down, or_(newer.forked_from == down.c.key, newer.translation_of == down.c.key))
        .where(down.c.depth < MAX_DEPTH)
    )
    rows = db.session.scalars(select(Course).join(down, Course.id == down.c.id))
    return list(dict.fromkeys(rows))


@dataclass
class NetworkNode:
    """One course in the fork network page's tree."""

    course: Course
    maintainers: list[str]
    last_activity: datetime | None
    children: list[NetworkNode] = field(default_factory=list)

    @property
    def is_translation(self) -> bool:
        return self.course.translation_of is not None


def fork_network(course: Course) -> NetworkNode:
    """The whole lineage ``course`` belongs to, as a tree from its root.

    Five queries whatever the size: ancestors, the network, maintainers and the latest
    revision and course event per course. The tree is built in Python.
    """
    root = ancestors(course)[-1]
    courses = network_courses(root)
    ids = [c.id for c in courses]
    maintainers: dict[int, list[str]] = {i: [] for i in ids}
    for course_id, username in db.session.execute(
        select(CourseMaintainer.course_id, User.username)
        .join(User, User.id == CourseMaintainer.user_id)
        .where(CourseMaintainer.course_id.in_(ids))
        .order_by(CourseMaintainer.id)
    ):
        maintainers[course_id].append(username)
    activity = _last_activity(ids)
    nodes = {c.key: NetworkNode(c, maintainers[c.id], activity.get(c.id)) for c in courses}
    for node in nodes.values():
        key = parent_key(node.course)
        if node.course.id != root.id and key in nodes:
            nodes[key].children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.course.title.casefold(), child.course.id))
    return nodes[root.key]


def _last_activity(course_ids: list[int]) -> dict[int, datetime]:
    """The latest revision or course event per course (two grouped queries)."""
    latest: dict[int, datetime] = {}
    revisions = (
        select(Module.course_id, func.max(ModuleRevision.created_at))
        .join(ModuleRevision, ModuleRevision.module_id == Module.id)
        .where(Module.course_id.in_(course_ids))
        .group_by(Module.course_id)
    )
    events = (
        select(CourseEvent.course_id, func.max(CourseEvent.created_at))
        .where(CourseEvent.course_id.in_(course_ids))
        .group_by(CourseEvent.course_id)
    )
    for stmt in (revisions, events):
        for course_id, when in db.session.execute(stmt):
            if when is not None and (course_id not in latest or when > latest[course_id]):
                latest[course_id] = when
    return latest


def sibling_translations(course: Course) -> list[Course]:
    """Other language versions of ``course``: its source, the source's other translations
    and its own translations (one query), ordered by language."""
    source_key = course.translation_of or course.key
    rows = db.session.scalars(
        select(Course)
        .where(
            or_(
                Course.key == source_key,
                Course.translation_of == source_key,
                Course.translation_of == course.key,
            ),
            Course.id != course.id,
        )
        .order_by(Course.language, Course.title)
    )
    return list(rows)


def credited_authors(
    course: Course, module: Module | None = None, lineage: list[Course] | None = None
) -> list[str]:
    """Everyone to credit for ``course`` (or one of its modules), first appearance first.

    The credited authors of the course and of each course up its lineage, then the authors
    of every revision of its modules and, through each module's upstream chain, of the
    upstream revisions up to the one the fork took. At most three queries, however long
    the chain or the history; fewer when the caller passes the ``lineage`` it already has
    (:func:`ancestors`) and the courses' authors are loaded already.
    """
    if lineage is None:
        lineage = ancestors(course)
    depth_of = {c.id: depth for depth, c in enumerate(lineage)}
    by_depth: dict[int, list[str]] = {}
    unloaded = [c.id for c in lineage if "authors" in inspect(c).unloaded]
    if unloaded:
        for course_id, name in db.session.execute(
            select(CourseAuthor.course_id, CourseAuthor.name)
            .where(CourseAuthor.course_id.in_(unloaded))
            .order_by(CourseAuthor.position)
        ):
            by_depth.setdefault(depth_of[course_id], []).append(name)
    for depth, known in enumerate(lineage):
        if known.id not in unloaded:
            by_depth.setdefault(depth, []).extend(known.author_names)
    for depth, username in _revision_authors(course, module):
        by_depth.setdefault(depth, []).append(username)
    names = [name for depth in sorted(by_depth) for name in by_depth[depth]]
    return list(dict.fromkeys(names))


def _revision_authors(course: Course, module: Module | None) -> list[tuple[int, str]]:
    """(depth, username) of revision authors along the module chains, in order."""
    start = select(
        Module.id.label("module_id"),
        Module.upstream_module_id.label("up_id"),
        Module.upstream_revision_id.label("up_rev"),
        cast(null(), Integer).label("limit_rev"),
        literal_column("0", Integer).label("depth"),
        Module.position.label("pos"),
    ).where(Module.course_id == course.id, Module.removed_at.is_(None))
    if module is not None:
        start = start.where(Module.id == module.id)
    chain = start.cte("module_chain", recursive=True)
    upstream = aliased(Module)
    chain = chain.union_all(
        select(
            upstream.id,
            upstream.upstream_module_id,
            upstream.upstream_revision_id,
            chain.c.up_rev,
            chain.c.depth + 1,
            chain.c.pos,
        )
        .join(chain, upstream.id == chain.c.up_id)
        .where(chain.c.depth < MAX_DEPTH)
    )
    first_revision = func.min(ModuleRevision.id)
    rows = db.session.execute(
        select(chain.c.depth, User.display_name)
        .select_from(ModuleRevision)
        .join(chain, ModuleRevision.module_id == chain.c.module_id)
        .join(User, User.id == ModuleRevision.author_id)
        # Revision ids only grow, so "up to the revision taken" is an id comparison.
        .where(or_(chain.c.limit_rev.is_(None), ModuleRevision.id <= chain.c.limit_rev))
        .group_by(chain.c.depth, chain.c.pos, User.display_name)
        .order_by(chain.c.depth, chain.c.pos, first_revision)
    )
    return [(depth, username) for depth, username in rows]
