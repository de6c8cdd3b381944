"""Saving document text: the one way a revision of any document type is made, so text is
always deduplicated and the document's pointer always moves with it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from peerlearn.accounts.models import User
from peerlearn.content.documents import DocumentType, Versioned, revision_model, type_of
from peerlearn.content.merge import Conflict, merge3
from peerlearn.content.models import Course, CourseEvent, Module, ModuleContent, RevisionMixin
from peerlearn.db import as_id
from peerlearn.extensions import db

R = TypeVar("R", bound=RevisionMixin)


def content_for(body: str) -> ModuleContent:
    """The stored text equal to ``body``, created if no revision has used it yet."""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    content = db.session.scalar(select(ModuleContent).where(ModuleContent.sha256 == digest))
    if content is not None:
        return content
    content = ModuleContent(sha256=digest, body=body)
    try:
        with db.session.begin_nested():
            db.session.add(content)
    except IntegrityError:  # stored by a concurrent save a moment ago
        content = db.session.scalar(select(ModuleContent).where(ModuleContent.sha256 == digest))
        assert content is not None
    return content


def add_revision(
    document: Versioned[R],
    text: str,
    *,
    author: User | None,
    kind: str,
    parent: R | None = None,
    summary: str = "",
    saved_by: User | None = None,
    **fields: Any,
) -> R:
    """Append a revision with ``text`` (already checked) to ``document`` and make it
    current. ``fields`` are the type's other columns (a module revision's title)."""
    model: Any = revision_model(type(document))
    revision: Any = model(
        content=content_for(text),
        author_id=author.id if author is not None else None,
        saved_by_id=saved_by.id if saved_by is not None and saved_by is not author else None,
        parent_id=parent.id if parent is not None else None,
        kind=kind,
        summary=summary[:200],
        **{model.document_column: document.id},
        **fields,
    )
    db.session.add(revision)
    db.session.flush()
    document.current = revision  # type: ignore[misc]
    db.session.flush()
    result: R = revision
    return result


def copy_current(
    copy: Versioned[R], source: Versioned[R], *, saved_by: User, kind: str, summary: str = ""
) -> R:
    """Give a fork's new ``copy`` the ``source`` document's current content (text and other
    columns) as its first revision, credited to whoever wrote it; ``saved_by`` made the
    copy (a fork, a sync taking what upstream added)."""
    current = source.current
    return add_revision(
        copy, current.text, author=current.author, saved_by=saved_by, kind=kind,
        summary=summary, **type_of(copy).fields(current),
    )  # fmt: skip


def revision_of(document: Versioned[R], revision_id: Any) -> R | None:
    """The document's revision with this id, or None for anything else (another
    document's, a missing one, or not a number)."""
    number = as_id(revision_id)
    if number is None:
        return None
    revision: Any = db.session.get(revision_model(type(document)), number)
    if revision is None or revision.document_id != document.id:
        return None
    result: R = revision
    return result


def current_locked(document: Versioned[R]) -> R:
    """The document's current revision, read under a row lock (on PostgreSQL) so two saves
    from the same base cannot both think they are first."""
    document_class: Any = type(document)
    current_id = db.session.scalar(
        select(document_class.current_revision_id)
        .where(document_class.id == document.id)
        .with_for_update()
    )
    current: Any = db.session.get(revision_model(document_class), current_id)
    assert current is not None
    result: R = current
    return result


def reads_like(document_type: DocumentType[Any, R], revision: R, other: R) -> bool:
    """Whether two revisions hold the same text and the same other columns."""
    return revision.text == other.text and document_type.fields(revision) == document_type.fields(
        other
    )


def revert(
    document_type: DocumentType[Any, R],
    user: User,
    document: Versioned[R],
    revision: R,
    summary: str,
) -> R | None:
    """Make an old revision's content current again, as a new revision (history is
    append-only). None when the document already reads exactly like that.

    The old text is checked again by its type: an assignment's may name a module that
    has since left the course.
    """
    current = current_locked(document)
    if reads_like(document_type, revision, current):
        return None
    fields = document_type.fields(revision)
    checked = document_type.check(document, revision.text, fields)
    reverted = add_revision(
        document, revision.text, author=user, kind="revert", parent=current, summary=summary,
        **fields,
    )  # fmt: skip
    document_type.saved(user, document, reverted, checked)
    document_type.after_edit(user, document)
    return reverted


SaveStatus = Literal["saved", "merged", "unchanged", "conflict"]


@dataclass(frozen=True)
class EditOutcome(Generic[R]):
    """What became of an edit. For a conflict, ``text`` and ``fields`` are what the editor
    should see again (their words, with the other edit's clean changes merged in) and
    ``current`` is the revision to edit from next."""

    status: SaveStatus
    current: R
    base: R
    text: str
    fields: dict[str, Any]
    revision: R | None = None
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)
    #: Both edits changed one of the other columns (a module's title) differently.
    fields_conflict: bool = False

    @property
    def body(self) -> str:
        return self.text

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))

    @property
    def title_conflict(self) -> bool:
        return self.fields_conflict


def save_edit(
    document_type: DocumentType[Any, R],
    user: User,
    document: Versioned[R],
    *,
    base_revision_id: Any,
    text: str,
    fields: dict[str, Any],
    summary: str,
) -> EditOutcome[R]:
    """Save an edit made from ``base_revision_id``, merging it with anything saved since:
    the one save path of every document editor.

    The editor's own text is checked first, so their mistakes are reported as theirs; the
    editor's text is "ours" in the three-way merge, so where both changed the same lines
    the text offered back to them holds their own words. A clean merge is checked again
    before it is saved (two valid edits can merge into an invalid text).
    """
    base = revision_of(document, base_revision_id)
    if base is None:
        raise document_type.refusal("base_revision_id", "unknown_base")
    checked = document_type.check(document, text, fields)
    current = current_locked(document)
    if base.id == current.id:
        if text == current.text and fields == document_type.fields(current):
            return EditOutcome("unchanged", current, base, text, fields)
        revision = add_revision(
            document, text, author=user, kind="edit", parent=base, summary=summary, **fields
        )
        document_type.saved(user, document, revision, checked)
        document_type.after_edit(user, document)
        return EditOutcome("saved", current, base, text, fields, revision)

    merged = merge3(base.text, text, current.text)
    merged_fields = document_type.merge_fields(
        document_type.fields(base), fields, document_type.fields(current)
    )
    if not merged.clean or merged_fields is None:
        return EditOutcome(
            "conflict",
            current,
            base,
            merged.text,
            fields if merged_fields is None else merged_fields,
            conflicts=merged.conflicts,
            fields_conflict=merged_fields is None,
        )
    if merged.text == current.text and merged_fields == document_type.fields(current):
        return EditOutcome("unchanged", current, base, merged.text, merged_fields)
    checked = document_type.check_merged(document, merged.text, merged_fields)
    revision = add_revision(
        document, merged.text, author=user, kind="merge", parent=current, summary=summary,
        **merged_fields,
    )  # fmt: skip
    document_type.saved(user, document, revision, checked)
    document_type.after_edit(user, document)
    return EditOutcome("merged", current, base, merged.text, merged_fields, revision)


def record_event(
    course: Course,
    kind: str,
    actor: User | None,
    module: Module | None = None,
    **detail: Any,
) -> CourseEvent:
    """Note a structural change in the course's history."""
    event = CourseEvent(
        course_id=course.id,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        module_id=module.id if module is not None else None,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
    )
    db.session.add(event)
    db.session.flush()
    return event
