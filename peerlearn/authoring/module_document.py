"""Modules as versioned documents: a title and a Markdown body per revision. Saving one
tells the course's forks that their upstream changed."""

from __future__ import annotations

from typing import Any

from peerlearn.accounts.models import User
from peerlearn.authoring import notices
from peerlearn.authoring.editing import EditingError
from peerlearn.content.documents import DocumentType, register
from peerlearn.content.models import Module, ModuleRevision


class ModuleDocument(DocumentType[Module, ModuleRevision]):
    name = "module"
    document_model = Module
    revision_model = ModuleRevision
    history_endpoint = "authoring.module_history"
    diff_endpoint = "authoring.module_diff"
    revert_endpoint = "authoring.revert_module"
    field_names = ("title",)
    upstream_column = "upstream_module_id"
    order_column = "position"

    def title(self, document: Module) -> str:
        return document.title

    def url_args(self, document: Module) -> dict[str, Any]:
        return {"slug": document.course.slug, "module_slug": document.slug}

    def refusal(self, field: str, code: str) -> Exception:
        return EditingError(field, code)

    def after_edit(self, user: User, document: Module) -> None:
        notices.upstream_changed(document.course, user)


MODULE = ModuleDocument()
register(MODULE)
