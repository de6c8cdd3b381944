"""Reading an assignment's spec from its current revision.

The text is the canonical YAML of ``assignment_writer``, saved like every document's text
through ``content.revisions.add_revision``, so history, forks and bundle export treat
assignments as they treat modules.
"""

from __future__ import annotations

from functools import lru_cache

from peerlearn.assignments.models import Assignment
from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.assignment_spec import AssignmentSpec


def spec_of(assignment: Assignment) -> AssignmentSpec:
    """The current spec. Revisions never change, so parsing is cached by revision."""
    revision = assignment.current
    return _parse_cached(revision.id, revision.text, assignment.slug)


@lru_cache(maxsize=256)
def _parse_cached(revision_id: int, text: str, slug: str) -> AssignmentSpec:
    return parse_assignment(text, f"assignments/{slug}.yml", slug)
