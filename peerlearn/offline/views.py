"""Download a course as an offline package (see ``offline/package.py``)."""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.wrappers import Response

from peerlearn.extensions import db
from peerlearn.offline.package import gather_inputs, package_bytes, package_filename
from peerlearn.web import current_course

bp = Blueprint("offline", __name__, template_folder="templates")

#: The package changes when an author edits the course; a browser may keep it a few
#: minutes, then asks again with its ETag and gets a 304 if nothing changed. The ETag is
#: the fingerprint of the package's inputs, so that answer needs no build, and a package
#: is built once per fingerprint and stored for every process (``package.package_bytes``),
#: usually by the job that runs when the course changes (``offline.prebuild``).
CACHE_SECONDS = 300


@bp.get("/courses/<slug>/offline.zip")
def package(slug: str) -> Response:
    """Anyone who may read the course may take it away, signed in or not."""
    course = current_course()
    inputs = gather_inputs(course, server_hosts=(request.host,), script_root=request.script_root)
    if request.if_none_match.contains(inputs.fingerprint):
        # The reader has this very package: say so without building it.
        response = Response(status=304)
    else:
        data = package_bytes(inputs)
        db.session.commit()  # a package built here is stored for every process
        response = Response(data, mimetype="application/zip")
        response.headers.set("Content-Disposition", "attachment", filename=package_filename(course))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(inputs.fingerprint)
    # The words around the course are in the reader's interface language (an account
    # setting, a cookie or Accept-Language), so no shared cache may hand it to another.
    response.cache_control.private = True
    response.cache_control.max_age = CACHE_SECONDS
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)
