"""What the course and module pages show about a course's lineage: the fork box with
upstream status and "also available in", outdated translated modules, and attribution
through the fork chain. The forks blueprint hands them to the catalog's pages
(``catalog.pages``), whose views call them before rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, url_for

from peerlearn import permissions
from peerlearn.authoring import lineage, syncing
from peerlearn.catalog import services as catalog
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.web import current_actor


def _ancestors(course: Course) -> list[Course]:
    """Ancestors, cached for the request: the lineage box and the attribution both ask."""
    cache: dict[int, list[Course]] = g.setdefault("fork_ancestors", {})
    if course.id not in cache:
        cache[course.id] = lineage.ancestors(course)
    return cache[course.id]


def source_diff_url(source: Course, module_slug: str, old: int | None, new: int | None) -> str:
    """What changed in a source module between two revisions; its page if no diff exists.

    The diff page belongs to the module editor; until it is registered, the link falls
    back to the source module itself.
    """
    if (
        old is not None
        and new is not None
        and "authoring.module_diff" in current_app.view_functions
    ):
        revisions: dict[str, Any] = {"from": old, "to": new}  # "from" is a keyword
        return url_for(
            "authoring.module_diff", slug=source.slug, module_slug=module_slug, **revisions
        )
    return url_for("catalog.module", slug=source.slug, module_slug=module_slug)


# --- What the course and module pages show -------------------------------------------


@dataclass
class CourseLineage:
    upstream: Course | None
    status: syncing.UpstreamStatus | None
    siblings: list[Course]
    can_fork: bool
    can_sync: bool
    #: For a translation: (fork module slug, title, diff url) of outdated modules.
    outdated: list[tuple[str, str, str]] = field(default_factory=list)


def course_lineage(course: Course) -> CourseLineage:
    """Upstream status, sibling translations and fork links for the course page."""
    chain = _ancestors(course)
    upstream = chain[1] if len(chain) > 1 else None
    status = syncing.upstream_status(course, upstream) if upstream is not None else None
    outdated: list[tuple[str, str, str]] = []
    if status is not None and status.is_translation and status.changed:
        titles = {e.id: e.title for e in catalog.outlines([course.id])[course.id]}
        outdated = [
            (
                m.slug,
                titles.get(m.document_id, m.slug),
                source_diff_url(
                    status.upstream, m.upstream_slug, m.base_revision_id, m.theirs_revision_id
                ),
            )
            for m in status.changed
        ]
    return CourseLineage(
        upstream=upstream,
        status=status,
        siblings=lineage.sibling_translations(course),
        can_fork=permissions.can_fork(current_actor(), course),
        can_sync=upstream is not None
        and permissions.can_sync_from_upstream(current_actor(), course),
        outdated=outdated,
    )


@dataclass
class ModuleLineage:
    outdated: bool
    source: Course | None = None
    diff_url: str = ""
    can_mark: bool = False


def module_lineage(course: Course, module: Module) -> ModuleLineage:
    """Whether a translated module lags behind its source module, for the module page."""
    if not course.translation_of or module.upstream_module_id is None:
        return ModuleLineage(outdated=False)
    source_module = db.session.get(Module, module.upstream_module_id)
    if (
        source_module is None
        or source_module.removed_at is not None
        or source_module.current_revision_id == module.upstream_revision_id
    ):
        return ModuleLineage(outdated=False)
    base = module.upstream_revision
    theirs = source_module.current
    if base is not None and (base.content_id, base.title) == (theirs.content_id, theirs.title):
        return ModuleLineage(outdated=False)
    source = source_module.course
    return ModuleLineage(
        outdated=True,
        source=source,
        diff_url=source_diff_url(
            source, source_module.slug, module.upstream_revision_id, theirs.id
        ),
        can_mark=permissions.can_sync_from_upstream(current_actor(), course),
    )


@dataclass
class Attribution:
    authors: list[str]
    parent: Course | None
    root: Course | None


def attribution_for(course: Course, module: Module | None = None) -> Attribution:
    """Who to credit and where it came from; on a module page (``module``), for that
    module's chain. The page's view passes the module it shows, so nothing here reads the
    request."""
    chain = _ancestors(course)
    return Attribution(
        authors=lineage.credited_authors(course, module, chain),
        parent=chain[1] if len(chain) > 1 else None,
        root=chain[-1] if len(chain) > 2 else None,
    )


# --- Fork ----------------------------------------------------------------------------
