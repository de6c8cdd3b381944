"""Smaller responses for slow connections: gzip for text, a year of caching for the CSS.

Learners often read on a slow, metered phone connection, so every text response of some
size (HTML, CSS, CSV, JSON, SVG, XML) is gzip-compressed when the client says it accepts
gzip; a page then costs a third or less of its bytes. Photos and other images are already
compressed and are left alone.

The stylesheet is linked with a fingerprint of its content (``asset_url``), so a browser may
keep it for a year without asking again; any other static URL must be revalidated, so that
a link without the current fingerprint never keeps a stale file in a cache.

Compressed pages that hold a secret (the CSRF token) next to text an attacker can make the
page repeat are what BREACH measures. It needs the victim's browser to send many requests
with the session cookie from the attacker's site; the cookie is ``SameSite=Lax``, so only
top-level navigations carry it, which makes the attack slow and visible.
"""

from __future__ import annotations

import gzip
import os
from functools import lru_cache

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

from peerlearn.templating import asset_url

#: Types worth compressing; everything else (photos, zips) is compressed already.
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/csv",
        "application/json",
        "image/svg+xml",
        "application/xml",
    }
)
#: Below this, gzip's own header and the extra header lines cost more than they save.
MIN_BYTES = 500
#: Level 6 is what nginx and Apache use: most of the gain of 9 for a fraction of the time.
LEVEL = 6
#: A year, the longest lifetime caches honour; fingerprinted URLs never change content.
YEAR = 365 * 24 * 3600


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (RFC 9110, section 12.5.3).

    An explicit ``gzip`` (or the legacy ``x-gzip``) wins over ``*``, so "gzip;q=0, *"
    refuses gzip; no header means the client did not ask for any encoding.
    """
    if not header:
        return False
    qualities: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        qualities.setdefault(name.strip().lower(), quality)
    for name in ("gzip", "x-gzip", "*"):
        if name in qualities:
            return qualities[name] > 0
    return False


@lru_cache(maxsize=32)
def _gzipped_file(path: str, mtime_ns: int, size: int) -> bytes:
    """A static file compressed once per version (the key changes when the file does)."""
    with open(path, "rb") as file:
        return gzip.compress(file.read(), compresslevel=LEVEL, mtime=0)


def _static_path() -> str | None:
    """The file behind a response of the static route, whose body is a file to stream."""
    if request.endpoint != "static" or not request.view_args:
        return None
    return safe_join(current_app.static_folder or "", request.view_args["filename"])


def _eligible(response: Response) -> bool:
    """Whether this response is a text body that could be sent gzipped to some client."""
    return (
        response.status_code >= 200  # error pages too: a 404 page is a page
        and response.status_code not in (204, 206, 304)
        and response.mimetype in COMPRESSIBLE
        and "Content-Encoding" not in response.headers
    )


def _still_fresh(response: Response) -> Response:
    """A 304 for a client that holds the gzipped variant: it asked with the weak ETag that
    variant carries, so answer with that ETag and the same ``Vary`` as the full response."""
    etag, weak = response.get_etag()
    if etag and not weak and request.if_none_match.is_weak(etag):
        response.set_etag(etag, weak=True)
        response.vary.add("Accept-Encoding")
    return response


def compress(response: Response) -> Response:
    """Gzip a text response for a client that accepts it, keeping caches correct.

    Streamed and file responses (``send_file``) are left alone, except the static route's
    own small files, which are compressed once per version. The compressed variant gets
    ``Vary: Accept-Encoding`` and a weak ETag: it is the same content in other bytes, so a
    revalidation still matches, but a byte range of one cannot be taken from the other.
    """
    if request.method == "HEAD":
        return response
    if response.status_code == 304:
        return _still_fresh(response)
    if not _eligible(response):
        return response
    static_path = _static_path() if response.direct_passthrough else None
    if static_path is None and (response.direct_passthrough or response.is_streamed):
        return response
    if static_path is not None:
        stat = os.stat(static_path)
        if stat.st_size < MIN_BYTES:
            return response
        response.vary.add("Accept-Encoding")
        if not accepts_gzip(request.headers.get("Accept-Encoding")):
            return response
        body = _gzipped_file(static_path, stat.st_mtime_ns, stat.st_size)
        close = getattr(response.response, "close", None)
        if close is not None:
            close()  # the open file of send_file; the gzipped copy replaces it
        response.direct_passthrough = False
    else:
        data = response.get_data()
        if len(data) < MIN_BYTES:
            return response
        response.vary.add("Accept-Encoding")
        if not accepts_gzip(request.headers.get("Accept-Encoding")):
            return response
        body = gzip.compress(data, compresslevel=LEVEL, mtime=0)
    response.set_data(body)  # also sets Content-Length to the compressed size
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def cache_static(response: Response) -> Response:
    """A year (``immutable``) for a static URL with the current fingerprint, else revalidate."""
    if request.endpoint != "static" or not request.view_args:
        return response
    fingerprinted = response.status_code in (200, 206, 304) and (
        request.args.get("v") is not None
        and asset_url(request.view_args["filename"]) == request.script_root + request.full_path
    )
    if fingerprinted:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = None
        response.cache_control.public = False
        response.cache_control.no_cache = True
    return response


def setup_compression(app: Flask) -> None:
    """Register the steps; ``compress`` runs before the request log (after_request runs
    in reverse order), so the logged size is the size sent."""
    app.after_request(compress)
    app.after_request(cache_static)
