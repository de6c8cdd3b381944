"""Document types: what a versioned document (a module, an assignment, …) needs to say so
that one implementation of revisions, history, diff, revert, sync and proposals serves
every kind of document.

A type says which model holds its revisions, how its text is checked before it is saved,
what else a save must do, how it is named and where its pages are. The types themselves
are defined by the packages that own the documents (authoring for modules, assignments for
assignments) and registered here at import time, so this package imports no feature.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import inspect

from peerlearn.accounts.models import User
from peerlearn.content.merge import merge_titles
from peerlearn.content.models import RevisionMixin

R = TypeVar("R", bound=RevisionMixin)
R_co = TypeVar("R_co", bound=RevisionMixin, covariant=True)


class Versioned(Protocol[R_co]):
    """A document whose content lives in revisions, with a pointer to the current one."""

    @property
    def id(self) -> int: ...

    @property
    def current(self) -> R_co: ...

    @property
    def current_revision_id(self) -> int | None: ...


D = TypeVar("D")


def revision_model(document_class: type[Any]) -> type[RevisionMixin]:
    """The revision class of a document class, read from its ``current`` relationship."""
    model: type[RevisionMixin] = inspect(document_class).relationships["current"].mapper.class_
    return model


class DocumentType(Generic[D, R]):
    """How one kind of document is versioned. Subclasses fill in the class variables and
    override the hooks whose default does not fit."""

    #: A short stable name ("module", "assignment"), used in registries and templates.
    name: ClassVar[str]
    document_model: ClassVar[type[Any]]
    revision_model: ClassVar[type[Any]]
    #: The blueprint endpoints of the document's history, diff and revert pages.
    history_endpoint: ClassVar[str]
    diff_endpoint: ClassVar[str]
    revert_endpoint: ClassVar[str]
    #: The columns a revision has besides its text (a module's title); they are compared,
    #: merged and copied with the text when a revision is reverted to, synced or proposed.
    field_names: ClassVar[tuple[str, ...]] = ()
    #: The document's column naming the upstream document a fork's copy came from.
    upstream_column: ClassVar[str]
    #: The document's column its lists are ordered by.
    order_column: ClassVar[str] = "slug"
    #: Marks the type's part of a sync preview's token.
    token_prefix: ClassVar[str] = ""
    #: The errors :meth:`check` raises for content the type refuses.
    errors: ClassVar[tuple[type[Exception], ...]] = ()
    #: When a sync conflict is left unresolved: keep the fork's own content (True), or the
    #: merge, which holds the fork's words where both sides changed (False).
    unresolved_keeps_ours: ClassVar[bool] = False

    def fields(self, revision: R) -> dict[str, Any]:
        """The revision's :attr:`field_names` columns and their values."""
        return {name: getattr(revision, name) for name in self.field_names}

    def merge_fields(
        self, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The other columns merged three-way, or None when both sides changed one
        differently. A column is taken whole, by the rule of :func:`merge_titles`."""
        merged = {}
        for name in self.field_names:
            value = merge_titles(base[name], ours[name], theirs[name])
            if value is None:
                return None
            merged[name] = value
        return merged

    def title(self, document: D) -> str:
        """The document's title as readers see it."""
        raise NotImplementedError

    def url_args(self, document: D) -> dict[str, Any]:
        """The arguments of the document's page endpoints."""
        raise NotImplementedError

    def check(self, document: D, text: str, fields: dict[str, Any]) -> Any:
        """Raise the type's own error when ``text`` may not become the document's content;
        return whatever :meth:`saved` needs to know about the accepted text."""
        return None

    def check_merged(self, document: D, text: str, fields: dict[str, Any]) -> Any:
        """:meth:`check` for the three-way merge of two edits; its error should carry the
        merged text the editor is shown."""
        return self.check(document, text, fields)

    def refusal(self, field: str, code: str) -> Exception:
        """The type's error for a request its editor should not have sent (an unknown base
        revision), naming the form field."""
        return LookupError(f"{field}: {code}")

    def saved(self, user: User | None, document: D, revision: R, checked: Any) -> None:
        """Whatever else every save must do (columns derived from the content)."""

    def after_edit(self, user: User, document: D) -> None:
        """Whatever else a change made in the document's own course must do (an edit, a
        revert, an accepted proposal; not a sync): tell the course's forks, say."""


_TYPES: dict[str, DocumentType[Any, Any]] = {}


def register(document_type: DocumentType[Any, Any]) -> None:
    """Make a document type known (called once, when its package is imported)."""
    _TYPES[document_type.name] = document_type


def document_type(name: str) -> DocumentType[Any, Any]:
    return _TYPES[name]


def type_of(document: object) -> DocumentType[Any, Any]:
    """The registered type of ``document``."""
    for candidate in _TYPES.values():
        if isinstance(document, candidate.document_model):
            return candidate
    raise LookupError(f"no document type for {type(document).__name__}")
