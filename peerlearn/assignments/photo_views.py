"""Photos of build logs: the content-addressed URLs every log page points at, and the larger
body limit of the two routes that take a photo.

The routes belong to the ``assignments`` blueprint of :mod:`peerlearn.assignments.views`
(so endpoints such as ``assignments.photo`` keep their names); importing this module adds
them, and ``create_app`` does so before registering the blueprint.
"""

from __future__ import annotations

import re

from flask import abort, request
from flask.sansio.blueprints import BlueprintSetupState
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from peerlearn.assignments import log_helpers
from peerlearn.assignments.forms import PHOTO_MESSAGES
from peerlearn.assignments.models import PhotoBlob
from peerlearn.assignments.photos import MAX_BYTES
from peerlearn.assignments.views import bp
from peerlearn.extensions import db

#: The two routes that take a photo; the rest of the site keeps the small form limit.
UPLOAD_ENDPOINTS = frozenset({"assignments.add_entry", "assignments.add_photo"})
#: A 10 MB photo plus the form around it; anything larger is refused before it is read.
UPLOAD_MAX_CONTENT_LENGTH = MAX_BYTES + 1024 * 1024
PHOTO_CACHE_SECONDS = 365 * 24 * 3600
_PHOTO_NAME = re.compile(r"([0-9a-f]{64})(-thumb)?\.(jpg|webp)")
EXTENSIONS = log_helpers.EXTENSIONS


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


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    from peerlearn.errors import render_error

    if request.endpoint in UPLOAD_ENDPOINTS:
        return render_error(413, str(PHOTO_MESSAGES["too_large"]))
    return render_error(413)


# --- Photos ------------------------------------------------------------------------------


@bp.get("/photos/<name>")
def photo(name: str) -> Response:
    """A photo by the SHA-256 of its display bytes: no names or ids, so review stays blind,
    and the bytes behind a URL never change, so browsers may keep them for a year."""
    match = _PHOTO_NAME.fullmatch(name)
    if match is None:
        abort(404)
    sha256, thumb, ext = match.groups()
    column = PhotoBlob.thumbnail if thumb else PhotoBlob.display
    row = db.session.execute(
        select(PhotoBlob.content_type, column).where(PhotoBlob.sha256 == sha256)
    ).first()
    if row is None or EXTENSIONS.get(row[0]) != ext:
        abort(404)
    response = Response(row[1], mimetype=row[0])
    response.set_etag(sha256 + ("-thumb" if thumb else ""))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = True
    response.cache_control.max_age = PHOTO_CACHE_SECONDS
    response.cache_control.immutable = True
    return response.make_conditional(request)
