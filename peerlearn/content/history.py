"""Reading history: a document's revisions (a module's, an assignment's, …) with their
sizes, the difference between two revisions, and a course's events as sentences a person
can read.

Every list here is loaded in a fixed number of queries, however many rows it shows.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import LazyString
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from peerlearn.content.diff import DiffBlock, Segment, diff_stats, line_diff_blocks, word_diff
from peerlearn.content.documents import Versioned, revision_model
from peerlearn.content.models import Course, CourseEvent, ModuleContent, RevisionMixin
from peerlearn.extensions import db
from peerlearn.i18n import _, _l, language_name

PER_PAGE = 20

R = TypeVar("R", bound=RevisionMixin)

#: How each kind of revision is named in history lists.
REVISION_KINDS: dict[str, LazyString] = {
    "import": _l("imported"),
    "create": _l("created"),
    "edit": _l("edit"),
    "merge": _l("merged edit"),
    "revert": _l("revert"),
    "fork": _l("forked"),
    "sync": _l("update from the original"),
    "proposal": _l("accepted proposal"),
}


@dataclass(frozen=True)
class Page:
    """One page of a newest-first list."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class HistoryEntry:
    revision: Any
    #: 1-based position of the revision in its document's history.
    number: int
    added: int
    removed: int


def kind_label(kind: str) -> str:
    label = REVISION_KINDS.get(kind)
    return str(label) if label is not None else kind


def _of_document(model: Any, document_id: int) -> Any:
    return getattr(model, model.document_column) == document_id


def revision_number(revision: RevisionMixin) -> int:
    """The revision's 1-based number within its document (ids only grow)."""
    model: Any = type(revision)
    return int(
        db.session.scalar(
            select(func.count(model.id)).where(
                _of_document(model, revision.document_id), model.id <= revision.id
            )
        )
        or 0
    )


def document_history(document: Versioned[Any], page: int, per_page: int = PER_PAGE) -> Page | None:
    """A page of the document's revisions, newest first, with words added and removed
    against each one's parent. None when the page does not exist."""
    model: Any = revision_model(type(document))
    total = int(
        db.session.scalar(select(func.count(model.id)).where(_of_document(model, document.id))) or 0
    )
    result = Page([], page, per_page, total)
    if page < 1 or page > result.pages:
        return None
    revisions = list(
        db.session.scalars(
            select(model)
            .where(_of_document(model, document.id))
            .options(selectinload(model.author), selectinload(model.saved_by))
            .order_by(model.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    # Parents' text in one query, whatever the page holds. Bodies already loaded with the
    # page are not sent again: most parents are the next revision down the list.
    loaded = {r.content_id: r.text for r in revisions}
    parent_ids = {r.parent_id for r in revisions if r.parent_id is not None}
    parent_text: dict[int, str] = {}
    if parent_ids:
        rows = db.session.execute(
            select(
                model.id,
                model.content_id,
                case((model.content_id.in_(loaded), None), else_=ModuleContent.body),
            )
            .join(ModuleContent, ModuleContent.id == model.content_id)
            .where(model.id.in_(parent_ids))
        )
        for revision_id, content_id, body in rows:
            parent_text[revision_id] = loaded[content_id] if body is None else body

    entries = []
    offset = (page - 1) * per_page
    for index, revision in enumerate(revisions):
        # A first revision, or one whose parent is gone, counts as all new.
        old = parent_text.get(revision.parent_id, "") if revision.parent_id else ""
        added, removed = diff_stats(old, revision.text)
        entries.append(HistoryEntry(revision, total - offset - index, added, removed))
    return Page(entries, page, per_page, total)


@dataclass(frozen=True)
class RevisionDiff:
    old: Any
    new: Any
    old_number: int
    new_number: int
    #: The title word by word, for document types whose revisions carry one (else empty).
    title: list[Segment]
    blocks: list[DiffBlock]
    added: int
    removed: int
    title_changed: bool = False

    @property
    def has_title(self) -> bool:
        return bool(self.title)


def revision_numbers(old: RevisionMixin, new: RevisionMixin) -> tuple[int, int]:
    """:func:`revision_number` of two revisions of one document, in one query."""
    model: Any = type(old)
    old_number, new_number = db.session.execute(
        select(
            func.count(case((model.id <= old.id, model.id))),
            func.count(case((model.id <= new.id, model.id))),
        ).where(_of_document(model, old.document_id))
    ).one()
    return int(old_number or 0), int(new_number or 0)


def with_authors(revisions: list[Any]) -> None:
    """Load the author and the saver of each revision (the diff page names them) in one
    query, instead of one lazy load per person."""
    if not revisions:
        return
    model: Any = type(revisions[0])
    ids = [revision.id for revision in revisions]
    db.session.scalars(
        select(model)
        .where(model.id.in_(ids))
        .options(joinedload(model.author), joinedload(model.saved_by))
    ).all()


def compare(old: R, new: R) -> RevisionDiff:
    """What changed from ``old`` to ``new``: the title (where revisions have one) word by
    word, the text as line blocks with a little context."""
    added, removed = diff_stats(old.text, new.text)
    if type(old) is type(new) and old.document_id == new.document_id:
        old_number, new_number = revision_numbers(old, new)
    else:
        old_number, new_number = revision_number(old), revision_number(new)
    old_title, new_title = getattr(old, "title", None), getattr(new, "title", None)
    titled = isinstance(old_title, str) and isinstance(new_title, str)
    return RevisionDiff(
        old=old,
        new=new,
        old_number=old_number,
        new_number=new_number,
        title=word_diff(old_title, new_title) if titled else [],  # type: ignore[arg-type]
        blocks=line_diff_blocks(old.text, new.text, context=2),
        added=added,
        removed=removed,
        title_changed=titled and old_title != new_title,
    )


# --- Course history ------------------------------------------------------------------


@dataclass(frozen=True)
class EventEntry:
    event: CourseEvent
    sentences: list[str]


def course_history(course: Course, page: int, per_page: int = PER_PAGE) -> Page | None:
    """A page of the course's events, newest first, each told as sentences."""
    total = int(
        db.session.scalar(
            select(func.count(CourseEvent.id)).where(CourseEvent.course_id == course.id)
        )
        or 0
    )
    result = Page([], page, per_page, total)
    if page < 1 or page > result.pages:
        return None
    events = db.session.scalars(
        select(CourseEvent)
        .where(CourseEvent.course_id == course.id)
        .options(selectinload(CourseEvent.actor))
        .order_by(CourseEvent.created_at.desc(), CourseEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page([EventEntry(e, event_sentences(e)) for e in events], page, per_page, total)


def _detail(event: CourseEvent) -> dict[str, Any]:
    try:
        detail = json.loads(event.detail or "{}")
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


def _tags(value: Any) -> str:
    if isinstance(value, list) and value:
        return ", ".join(str(tag) for tag in value)
    return _("none")


def _metadata_sentences(fields: Any) -> list[str]:
    if not isinstance(fields, dict):
        return [_("Changed the course details.")]
    sentences = []
    for name, change in fields.items():
        change = change if isinstance(change, dict) else {}
        old, new = change.get("old"), change.get("new")
        if name == "title":
            sentences.append(_("Renamed the course from “%(old)s” to “%(new)s”.", old=old, new=new))
        elif name == "summary":
            sentences.append(_("Changed the summary."))
        elif name == "language":
            sentences.append(
                _(
                    "Changed the language from %(old)s to %(new)s.",
                    old=language_name(str(old)),
                    new=language_name(str(new)),
                )
            )
        elif name == "tags":
            sentences.append(
                _("Changed the topics from %(old)s to %(new)s.", old=_tags(old), new=_tags(new))
            )
        elif name == "licence":
            sentences.append(_("Changed the licence from %(old)s to %(new)s.", old=old, new=new))
        else:
            sentences.append(_("Changed the course details."))
    return sentences


def _parent_title(detail: dict[str, Any]) -> str:
    """The parent course's title as a reader knows it; events recorded before titles were
    saved with them name only the slug, so that is looked up (one fork event a course)."""
    if detail.get("parent_title"):
        return str(detail["parent_title"])
    slug = str(detail.get("parent") or "")
    title = db.session.scalar(select(Course.title).where(Course.slug == slug)) if slug else None
    return title or slug


def event_sentences(event: CourseEvent) -> list[str]:
    """The event as translated sentences, from its kind and the detail saved with it."""
    detail = _detail(event)
    title = detail.get("title", "")
    kind = event.kind
    if kind == "created":
        return [_("Created the course.")]
    if kind == "forked":
        parent = _parent_title(detail)
        if detail.get("translation"):
            return [_("Started this translation of “%(parent)s”.", parent=parent)]
        return [_("Forked this course from “%(parent)s”.", parent=parent)]
    if kind == "module_added":
        return [_("Added the module “%(title)s”.", title=title)]
    if kind == "module_removed":
        return [_("Removed the module “%(title)s”.", title=title)]
    if kind == "module_moved":
        return [
            _(
                "Moved the module “%(title)s” from position %(old)s to %(new)s.",
                title=title,
                old=detail.get("old"),
                new=detail.get("new"),
            )
        ]
    if kind == "metadata":
        return _metadata_sentences(detail.get("fields"))
    if kind == "maintainer_added":
        # No name: the maintainer deleted their account and chose none.
        name = detail.get("username") or _("a former contributor")
        return [_("Added %(username)s as a maintainer.", username=name)]
    if kind == "synced":
        return [_("Merged in changes from the original course.")]
    if kind == "proposal_accepted":
        return [_("Accepted the proposed change “%(title)s”.", title=title)]
    if kind == "assignment_added":
        return [_("Added the assignment “%(title)s”.", title=title)]
    if kind == "assignment_removed":
        return [_("Removed the assignment “%(title)s”.", title=title)]
    return [_("Changed the course.")]
