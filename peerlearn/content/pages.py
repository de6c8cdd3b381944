"""The history and diff pages of any document type, rendered one way.

The module and assignment blueprints keep their own URLs and permission checks (a view
loads and checks); what the page shows and how is the same for every document type, so
it is built here once from the type's endpoints and labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from peerlearn.accounts.models import User
from peerlearn.content import history
from peerlearn.content.documents import DocumentType
from peerlearn.content.models import Course
from peerlearn.content.revisions import revert, revision_of
from peerlearn.extensions import db
from peerlearn.i18n import _
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


def revert_page(
    document_type: DocumentType[Any, Any],
    user: User,
    document: Any,
    *,
    back: Callable[[], str],
    unchanged: Callable[[int], str],
    refused: tuple[type[Exception], ...] = (),
    problem: Callable[[Any], str] = str,
) -> Response:
    """Revert the document to the revision named by the form's ``revision_id`` (404 when
    it is not one of the document's) and go ``back``.

    Only the sentences differ between document types: ``unchanged`` says, with the
    revision's number, that the document already reads like it; an error of a
    ``refused`` type (the old text no longer checks) is flashed through ``problem``.
    """
    revision = revision_of(document, request.form.get("revision_id"))
    if revision is None:
        abort(404)
    number = history.revision_number(revision)
    summary = _("Reverted to revision %(number)s", number=number)
    try:
        reverted = revert(document_type, user, document, revision, summary)
    except refused as error:
        db.session.rollback()
        flash(problem(error), "error")
        return redirect(back())
    if reverted is None:
        flash(unchanged(number), "info")
    else:
        db.session.commit()
        flash(_("Reverted to revision %(number)s.", number=number), "success")
    return redirect(back())
