"""Taking upstream changes into a fork, for any document type: one implementation of the
three-way sync that modules and assignments share.

A fork's document remembers the upstream revision it last took (its merge base). When the
upstream document has moved on, the fork's text is merged three-way with upstream's
(:mod:`peerlearn.content.merge`), and so are the type's other columns (a module's title).
A cleanly merged text is checked by its type, since two valid texts can merge into an
invalid one (an assignment's YAML); then it is treated as a conflict the maintainer
resolves by hand. The new revision credits the upstream author, since the words are
theirs, and records the maintainer who saved it.

What upstream *added*, and how a fork copies it, differs by type (a module takes a
position, an assignment needs its module in the fork), so that stays with each type's
package. Services take the acting user, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from peerlearn.accounts.models import User
from peerlearn.content.documents import DocumentType
from peerlearn.content.merge import MergeResult, merge3
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db


@dataclass(frozen=True)
class DocumentStatus:
    """How one fork document stands against its upstream document (ids only, no text)."""

    document_id: int
    slug: str
    upstream_id: int
    upstream_slug: str
    base_revision_id: int | None
    theirs_revision_id: int | None
    #: Upstream changed the content since the revision last taken.
    upstream_changed: bool
    #: The fork's current content already equals upstream's.
    same_as_ours: bool

    @property
    def to_take(self) -> bool:
        return self.upstream_changed and not self.same_as_ours


def sync_status(
    document_type: DocumentType[Any, Any], fork_id: int, upstream_id: int
) -> list[DocumentStatus]:
    """The fork's documents whose upstream moved on, in one query, without any text."""
    model: Any = document_type.document_model
    revision: Any = document_type.revision_model
    ours, theirs, base = aliased(revision), aliased(revision), aliased(revision)
    up: Any = aliased(model)
    names = document_type.field_names

    def content(alias: Any) -> list[Any]:
        return [alias.content_id, *(getattr(alias, name) for name in names)]

    rows = db.session.execute(
        select(
            model.id,
            model.slug,
            up.id,
            up.slug,
            model.upstream_revision_id,
            up.current_revision_id,
            *content(ours),
            *content(theirs),
            *content(base),
        )
        .join(up, up.id == getattr(model, document_type.upstream_column))
        .join(ours, ours.id == model.current_revision_id)
        .join(theirs, theirs.id == up.current_revision_id)
        .outerjoin(base, base.id == model.upstream_revision_id)
        .where(
            model.course_id == fork_id,
            model.removed_at.is_(None),
            up.course_id == upstream_id,
            up.removed_at.is_(None),
            or_(
                model.upstream_revision_id.is_(None),
                model.upstream_revision_id != up.current_revision_id,
            ),
        )
        .order_by(getattr(model, document_type.order_column))
    )
    width = 1 + len(names)
    statuses = []
    for row in rows:
        mine, upstream, last = (
            row[6 : 6 + width],
            row[6 + width : 6 + 2 * width],
            row[6 + 2 * width :],
        )
        statuses.append(
            DocumentStatus(
                document_id=row[0],
                slug=row[1],
                upstream_id=row[2],
                upstream_slug=row[3],
                base_revision_id=row[4],
                theirs_revision_id=row[5],
                upstream_changed=upstream != last,
                same_as_ours=upstream == mine,
            )
        )
    return statuses


@dataclass
class PendingDocument:
    """A fork document with upstream changes to take, merged and ready to show or save."""

    document: Any
    theirs: Any
    merge: MergeResult
    #: The merged other columns, or None when both sides changed one differently.
    fields: dict[str, Any] | None
    #: Why the cleanly merged content cannot be saved (the type refuses it), or None.
    invalid: Exception | None = None

    @property
    def clean(self) -> bool:
        return self.merge.clean and self.fields is not None and self.invalid is None

    @property
    def title(self) -> str | None:
        """The merged title, for types whose revisions have one (None: both retitled)."""
        return None if self.fields is None else self.fields.get("title")


@dataclass
class DocumentPlan:
    """What a sync would do to one type's documents, computed without writing anything."""

    pending: list[PendingDocument] = field(default_factory=list)
    #: Upstream documents the fork never had, offered to be added.
    added: list[Any] = field(default_factory=list)
    #: Documents whose upstream moved without anything to take (already equal, reverted).
    stale: list[int] = field(default_factory=list)
    #: Marks this type's part of a preview token ("" for modules, "a" for assignments).
    prefix: str = ""

    @property
    def token(self) -> str:
        """What the maintainer saw, so a POST made against an older preview is refused."""
        return ",".join(
            f"{self.prefix}{p.document.id}:{p.theirs.id}:{p.document.current_revision_id}"
            for p in self.pending
        )

    @property
    def conflicts(self) -> list[PendingDocument]:
        return [p for p in self.pending if not p.clean]


def problem_of(
    document_type: DocumentType[Any, Any], document: Any, text: str, fields: dict[str, Any]
) -> Exception | None:
    """Why the type refuses ``text`` for ``document``, or None if it may be saved."""
    try:
        document_type.check(document, text, fields)
    except document_type.errors as error:
        return error
    return None


def plan_documents(
    document_type: DocumentType[Any, Any], statuses: list[DocumentStatus], wanted: set[int]
) -> DocumentPlan:
    """Merge the ``wanted`` documents in memory (three queries however many); the others
    are stale: their merge base only has to move."""
    model: Any = document_type.document_model
    revision: Any = document_type.revision_model
    stale = [s.document_id for s in statuses if s.document_id not in wanted]
    plan = DocumentPlan(stale=stale, prefix=document_type.token_prefix)
    chosen = {s.document_id: s for s in statuses if s.document_id in wanted}
    if not chosen:
        return plan
    documents = db.session.scalars(
        select(model)
        .where(model.id.in_(chosen))
        .options(joinedload(model.current))
        .order_by(getattr(model, document_type.order_column))
    ).unique()
    ids = {
        revision_id
        for s in chosen.values()
        for revision_id in (s.base_revision_id, s.theirs_revision_id)
        if revision_id is not None
    }
    revisions = {
        r.id: r
        for r in db.session.scalars(
            select(revision).where(revision.id.in_(ids)).options(selectinload(revision.author))
        )
    }
    for document in documents:
        status = chosen[document.id]
        # sync_status joined each document to its upstream's current revision: it is set.
        assert status.theirs_revision_id is not None
        theirs = revisions[status.theirs_revision_id]
        base = revisions.get(status.base_revision_id or 0)
        ours = document.current
        merged = merge3(base.text if base else "", ours.text, theirs.text)
        ours_fields = document_type.fields(ours)
        fields = document_type.merge_fields(
            document_type.fields(base) if base else ours_fields,
            ours_fields,
            document_type.fields(theirs),
        )
        item = PendingDocument(document, theirs, merged, fields)
        if merged.clean and fields is not None:
            item.invalid = problem_of(document_type, document, merged.text, fields)
        plan.pending.append(item)
    return plan


def check_resolutions(
    document_type: DocumentType[Any, Any],
    plan: DocumentPlan,
    resolutions: dict[int, tuple[dict[str, Any], str]],
) -> dict[int, Exception]:
    """The resolutions the maintainer sent that cannot be saved, by document id."""
    errors: dict[int, Exception] = {}
    for item in plan.conflicts:
        resolution = resolutions.get(item.document.id)
        if resolution is None:
            continue
        error = problem_of(document_type, item.document, resolution[1], resolution[0])
        if error is not None:
            errors[item.document.id] = error
    return errors


def apply_documents(
    document_type: DocumentType[Any, Any],
    user: User,
    plan: DocumentPlan,
    *,
    resolutions: dict[int, tuple[dict[str, Any], str]],
    summary: str,
) -> int:
    """Take upstream changes into the plan's documents; how many changed.

    A conflict the maintainer did not resolve keeps what the type says
    (``unresolved_keeps_ours``): the fork's own content, or the merge with the fork's
    words where both changed. Content the type refuses raises its error (the view checks
    resolutions first).
    """
    changed = 0
    for item in plan.pending:
        document, current = item.document, item.document.current
        fields, text = item.fields or document_type.fields(current), item.merge.text
        if not item.clean:
            if document_type.unresolved_keeps_ours:
                fields, text = document_type.fields(current), current.text
            fields, text = resolutions.get(document.id, (fields, text))
        if text != current.text or fields != document_type.fields(current):
            checked = document_type.check(document, text, fields)
            revision = add_revision(
                document, text, author=item.theirs.author, saved_by=user, kind="sync",
                parent=current, summary=summary, **fields,
            )  # fmt: skip
            document_type.saved(user, document, revision, checked)
            changed += 1
        document.upstream_revision_id = item.theirs.id
    advance_stale(document_type, plan.stale)
    return changed


def advance_stale(document_type: DocumentType[Any, Any], document_ids: list[int]) -> None:
    """Move the merge base of documents whose upstream change needs nothing taken."""
    if not document_ids:
        return
    model: Any = document_type.document_model
    up: Any = aliased(model)
    current_of: dict[int, int | None] = dict(
        db.session.execute(
            select(model.id, up.current_revision_id)
            .join(up, up.id == getattr(model, document_type.upstream_column))
            .where(model.id.in_(document_ids))
        ).all()
    )
    for document in db.session.scalars(select(model).where(model.id.in_(document_ids))):
        document.upstream_revision_id = current_of.get(document.id, document.upstream_revision_id)
