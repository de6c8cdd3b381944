"""Saving assignment text and reading its spec: the one way an assignment revision is made.

The text is the canonical YAML of ``assignment_writer``, deduplicated in ``module_contents`` like
module text, so history, forks and bundle export treat assignments as they treat modules.
"""

from __future__ import annotations

from functools import lru_cache

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.content.revisions import content_for
from peerlearn.extensions import db


def add_assignment_revision(
    assignment: Assignment,
    text: str,
    *,
    author: User | None,
    kind: str,
    parent: AssignmentRevision | None = None,
    summary: str = "",
    saved_by: User | None = None,
) -> AssignmentRevision:
    """Append a revision with ``text`` (already validated) and make it current."""
    revision = AssignmentRevision(
        assignment_id=assignment.id,
        content=content_for(text),
        author_id=author.id if author is not None else None,
        saved_by_id=saved_by.id if saved_by is not None and saved_by is not author else None,
        parent_id=parent.id if parent is not None else None,
        kind=kind,
        summary=summary[:200],
    )
    db.session.add(revision)
    db.session.flush()
    assignment.current = revision
    db.session.flush()
    return revision


def spec_of(assignment: Assignment) -> AssignmentSpec:
    """The current spec. Revisions never change, so parsing is cached by revision."""
    revision = assignment.current
    return _parse_cached(revision.id, revision.text, assignment.slug)


@lru_cache(maxsize=256)
def _parse_cached(revision_id: int, text: str, slug: str) -> AssignmentSpec:
    return parse_assignment(text, f"assignments/{slug}.yml", slug)
