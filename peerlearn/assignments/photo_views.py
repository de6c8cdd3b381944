"""Photos of build logs: the content-addressed URLs every log page points at, and the larger
body limit of the two routes that take a photo.

The photo route is the ``photos`` blueprint, nested in ``assignments`` by
:mod:`peerlearn.assignments.views` (endpoint ``assignments.photos.photo``). The upload
limit is installed when that blueprint is registered; the 413 page (``too_large``) is
the ``assignments`` blueprint's own error handler, since the upload routes are there.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, request
from flask.sansio.blueprints import BlueprintSetupState
from sqlalchemy import or_, select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from peerlearn import edge
from peerlearn.assignments import log_helpers
from peerlearn.assignments.forms import PHOTO_MESSAGES
from peerlearn.assignments.models import EntryPhoto, PhotoBlob, SubmissionPhoto
from peerlearn.assignments.photos import MAX_BYTES
from peerlearn.extensions import db

#: The two routes that take a photo; the rest of the site keeps the small form limit.
UPLOAD_ENDPOINTS = frozenset({"assignments.add_entry", "assignments.add_photo"})
#: A 10 MB photo plus the form around it; anything larger is refused before it is read.
UPLOAD_MAX_CONTENT_LENGTH = MAX_BYTES + 1024 * 1024
#: How long a browser may show a photo of a submitted version without asking again.
SUBMITTED_PHOTO_CACHE_SECONDS = edge.PRIVATE_WEEK
_PHOTO_NAME = re.compile(r"([0-9a-f]{64})(-thumb)?\.(jpg|webp)")
EXTENSIONS = log_helpers.EXTENSIONS

bp = Blueprint("photos", __name__)


# --- Upload limit ------------------------------------------------------------------------


def _allow_photo_uploads() -> None:
    """Raise the body limit for the photo routes only, before anything reads the form."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_MAX_CONTENT_LENGTH


@bp.record_once
def _install_upload_limit(state: BlueprintSetupState) -> None:
    # First of all before-request functions: CSRF protection reads the form, and would
    # refuse a photo with the app-wide 2 MB limit before a blueprint hook could raise it.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_photo_uploads)


def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """The 413 page: the photo message on the upload routes, the generic one elsewhere."""
    from peerlearn.errors import render_error

    if request.endpoint in UPLOAD_ENDPOINTS:
        return render_error(413, str(PHOTO_MESSAGES["too_large"]))
    return render_error(413)


# --- Photos ------------------------------------------------------------------------------


@bp.get("/photos/<name>")
def photo(name: str) -> Response:
    """A photo by the SHA-256 of its display bytes (no names or ids, so review stays blind),
    served only while a build-log entry or a submitted version uses it.

    A photo a learner removes from every entry that had it, and that no submitted version
    shows, is 404 from then on, whoever kept its address. Caching follows from that: never
    ``public`` (no shared cache or CDN may keep a learner's photo beyond its removal), and

    - a photo only in drafts can be removed at any moment, so it is ``private, no-cache``:
      the browser keeps it but asks each time (an ETag makes that a few hundred bytes,
      304), and a removed photo is not shown again from the cache of a shared phone;
    - a photo in a submitted version stays as long as that version, which only the
      deletion of the learner's account removes, so a browser may keep it a week without
      asking (``private, max-age``), sparing reviewers on slow connections; not a year
      and not ``immutable``, so that an account deletion reaches every cache in a week.
    """
    match = _PHOTO_NAME.fullmatch(name)
    if match is None:
        abort(404)
    sha256, thumb, ext = match.groups()
    column = PhotoBlob.thumbnail if thumb else PhotoBlob.display
    in_draft = select(EntryPhoto.id).where(EntryPhoto.blob_id == PhotoBlob.id).exists()
    submitted = select(SubmissionPhoto.blob_id).where(SubmissionPhoto.blob_id == PhotoBlob.id)
    row = db.session.execute(
        select(PhotoBlob.content_type, column, submitted.exists().label("submitted")).where(
            PhotoBlob.sha256 == sha256, or_(in_draft, submitted.exists())
        )
    ).first()
    if row is None or EXTENSIONS.get(row[0]) != ext:
        abort(404)
    response = Response(row[1], mimetype=row[0])
    response.set_etag(sha256 + ("-thumb" if thumb else ""))
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The rules are peerlearn/edge.py's (never ``public``); a matching If-None-Match is
    # answered 304 with no body.
    if row.submitted:
        edge.cache_private(response, SUBMITTED_PHOTO_CACHE_SECONDS)
    else:
        edge.cache_revalidate(response, private=True)
    return response.make_conditional(request)
