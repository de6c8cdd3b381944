"""Offering a fork's document back upstream, for any document type: what accepting a
proposed revision would make of the upstream document, and saving it.

A proposal carries, per document, the fork's revision and the upstream revision it was
based on. Unchanged upstream takes the proposed content as is; an upstream that moved on
is merged three-way (base: the revision the fork's copy came from; ours: upstream's
current content; theirs: the proposed content), and regions both sides changed
differently go to a maintainer. Accepted text is credited to whoever wrote it; the
accepting maintainer is only ``saved_by``. What a proposal is, and how documents the fork
added are created upstream, stays with the proposals feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from peerlearn.accounts.models import User
from peerlearn.content.documents import DocumentType
from peerlearn.content.merge import Conflict, merge3
from peerlearn.content.revisions import add_revision, reads_like
from peerlearn.extensions import db


@dataclass(frozen=True)
class ProposedMerge:
    """The proposed revision merged into upstream's current one, nothing written."""

    text: str
    #: The other columns merged (a module's title), or None when both sides changed one.
    fields: dict[str, Any] | None
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)
    #: What a resolution form starts with: the proposed text with upstream's clean changes
    #: merged in (the conflicted passages are shown beside it).
    start: str = ""

    @property
    def clean(self) -> bool:
        return not self.conflicts and self.fields is not None


def merge_proposed(
    document_type: DocumentType[Any, Any], current: Any, proposed: Any, base: Any | None
) -> ProposedMerge | None:
    """Merge ``proposed`` into upstream's ``current`` from ``base``; None when upstream
    already reads exactly like the proposal."""
    if reads_like(document_type, current, proposed):
        return None
    fields = document_type.merge_fields(
        document_type.fields(base if base is not None else current),
        document_type.fields(current),
        document_type.fields(proposed),
    )
    if base is None or base.content_id == current.content_id:
        return ProposedMerge(proposed.text, fields, (), proposed.text)
    merged = merge3(base.text, current.text, proposed.text)
    start = merge3(base.text, proposed.text, current.text).text if merged.conflicts else merged.text
    return ProposedMerge(merged.text, fields, merged.conflicts, start)


@dataclass(frozen=True)
class Planned:
    """What accepting would do with one proposed document that exists upstream: save
    ``text`` and ``fields``, or, when ``needs_person``, show it on the resolution form."""

    text: str
    fields: dict[str, Any]
    #: Regions both sides changed differently.
    conflicts: tuple[Conflict, ...] = ()
    #: Both sides changed one of the other columns (a module's title) differently.
    fields_conflict: bool = False
    #: Why the type refuses ``text`` (an assignment that is not valid upstream), or None.
    problem: Exception | None = None
    #: ``text`` is the maintainer's resolution, made against upstream's current revision.
    resolved: bool = False

    @property
    def needs_person(self) -> bool:
        return bool(self.conflicts) or self.fields_conflict or self.problem is not None


def plan_proposed(
    document_type: DocumentType[Any, Any],
    current: Any,
    proposed: Any,
    base: Any | None,
    resolution: tuple[int, str, dict[str, Any]] | None,
    check: Callable[[str], Exception | None] = lambda text: None,
) -> Planned | None:
    """Plan one proposed document against upstream's ``current`` revision, the same way
    for every type; None when upstream already reads exactly like the proposal.

    ``resolution`` is a maintainer's (upstream revision id, text, fields); it is used only
    when made against ``current``, otherwise it is stale and the proposal is merged again.
    ``check`` is the type's test of a text about to be saved (None when it may be).
    """
    if resolution is not None and resolution[0] == current.id:
        _, text, fields = resolution
        return Planned(text, fields, problem=check(text), resolved=True)
    merged = merge_proposed(document_type, current, proposed, base)
    if merged is None:
        return None
    if not merged.clean:
        return Planned(
            merged.start,
            merged.fields or {},
            merged.conflicts,
            fields_conflict=merged.fields is None,
        )
    assert merged.fields is not None
    return Planned(merged.text, merged.fields, problem=check(merged.text))


def credited(proposed: Any, proposer: User | None) -> User | None:
    """The words' author: who wrote the fork revision, else (bundle text) the proposer;
    the accepting maintainer is only ``saved_by``."""
    author: User | None = proposed.author
    return author or proposer


def proposable(document_type: DocumentType[Any, Any], fork_id: int) -> list[Any]:
    """The fork's documents it may offer upstream, in one query: those whose content
    differs from the upstream revision they were based on, and those the fork added (no
    upstream document); in the type's order."""
    model: Any = document_type.document_model
    revision: Any = document_type.revision_model
    ours, base = aliased(revision), aliased(revision)
    differs = [base.content_id != ours.content_id] + [
        getattr(base, name) != getattr(ours, name) for name in document_type.field_names
    ]
    return list(
        db.session.scalars(
            select(model)
            .join(ours, ours.id == model.current_revision_id)
            .outerjoin(base, base.id == model.upstream_revision_id)
            .where(
                model.course_id == fork_id,
                model.removed_at.is_(None),
                or_(
                    getattr(model, document_type.upstream_column).is_(None),
                    base.id.is_(None),
                    *differs,
                ),
            )
            .options(selectinload(model.current))
            .order_by(getattr(model, document_type.order_column), model.id)
        )
    )


def shown_against(target: Any | None, base: Any | None, accepted: bool) -> Any | None:
    """The revision a proposed one is shown against: upstream's current one, or, once
    accepted (upstream *is* the proposal then), the revision the fork had started from.
    None for a document the fork added."""
    if target is None:
        return None
    if accepted and base is not None:
        return base
    return target.current


def apply_proposed(
    document_type: DocumentType[Any, Any],
    user: User,
    target: Any,
    text: str,
    fields: dict[str, Any],
    *,
    author: User | None,
    summary: str,
) -> Any:
    """Save an accepted proposal's content upstream, checked by its type once more (now
    against the documents really there)."""
    checked = document_type.check(target, text, fields)
    revision = add_revision(
        target, text, author=author, saved_by=user, kind="proposal", parent=target.current,
        summary=summary, **fields,
    )  # fmt: skip
    document_type.saved(user, target, revision, checked)
    return revision


def add_proposed(
    document_type: DocumentType[Any, Any],
    user: User,
    document: Any,
    source: Any,
    text: str,
    fields: dict[str, Any],
    *,
    author: User | None,
    summary: str,
) -> Any:
    """Save a document the fork added as a new upstream ``document`` (built, not yet
    added, by the caller, who knows where it goes) and link the fork's ``source`` to it
    as if it had been synced from there."""
    db.session.add(document)
    db.session.flush()
    revision = add_revision(
        document, text, author=author, saved_by=user, kind="proposal", summary=summary,
        **fields,
    )  # fmt: skip
    setattr(source, document_type.upstream_column, document.id)
    source.upstream_revision_id = revision.id
    return revision


def link_if_taken(
    document_type: DocumentType[Any, Any], source: Any, target: Any | None, proposed: Any
) -> None:
    """Point the fork's copy at its new upstream revision only when upstream now reads
    exactly like the proposal: after a three-way merge upstream also holds changes the
    fork has not taken, and the old base lets the next sync bring them in instead of the
    fork appearing to have deleted them."""
    if target is not None and reads_like(document_type, target.current, proposed):
        source.upstream_revision_id = target.current_revision_id
