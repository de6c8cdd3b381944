"""The history and diff pages of any document type, rendered one way.

The module and assignment blueprints keep their own URLs and permission checks (a view
loads and checks); what the page shows and how is the same for every document type, so
it is built here once from the type's endpoints and labels.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template

from peerlearn.content import history
from peerlearn.content.documents import DocumentType
from peerlearn.content.models import Course
from peerlearn.content.revisions import revision_of
from peerlearn.site import id_arg, page_arg


def history_page(
    document_type: DocumentType[Any, Any],
    course: Course,
    document: Any,
    *,
    heading: str,
    can_revert: bool,
) -> str:
    """A page of the document's revisions, with the compare form and revert buttons."""
    page = history.document_history(document, page_arg())
    if page is None:
        abort(404)
    return render_template(
        "content/history.html",
        doc_type=document_type,
        course=course,
        document=document,
        title=document_type.title(document),
        heading=heading,
        url_args=document_type.url_args(document),
        page=page,
        can_revert=can_revert,
    )


def diff_page(
    document_type: DocumentType[Any, Any],
    course: Course,
    document: Any,
    *,
    missing: str,
    can_revert: bool,
) -> str:
    """The changes between the revisions named by the ``from`` and ``to`` arguments;
    404 with ``missing`` when either is not one of the document's."""
    old = revision_of(document, id_arg("from"))
    new = revision_of(document, id_arg("to"))
    if old is None or new is None:
        abort(404, missing)
    history.with_authors([old, new])
    return render_template(
        "content/diff.html",
        doc_type=document_type,
        course=course,
        document=document,
        title=document_type.title(document),
        url_args=document_type.url_args(document),
        diff=history.compare(old, new),
        can_revert=can_revert,
    )
