"""The edge: what stands between the network and the views, installed in one place.

A request passes, from the outside in:

1. **ProxyFix**, only when ``PROXY_FIX`` names how many reverse proxies are in front: the
   client's address, scheme and host are then read from their ``X-Forwarded-*`` headers.
   Off by default, since without a proxy anyone can send those headers.
2. **Rate limits** (``peerlearn/rate_limits.py``), keyed on the address the app sees.
3. **The request log** (``peerlearn/request_log.py``): one line per request. gunicorn's
   access log stays off (docs/deployment.md): it would repeat each line, with the proxy's
   address instead of the client's.
4. **The input guard** (``peerlearn/input_guard.py``): NUL characters never reach a view.

and the response, from the view out: security headers (``peerlearn/security_headers.py``),
the caching rules, compression, then the request log, which so records the size
sent.

**Compression** is Flask-Compress: brotli for a client that accepts it (every current
browser, over HTTPS), gzip for one that accepts only gzip, the body as it is otherwise,
and ``Vary: Accept-Encoding`` on what could be compressed. Learners often read on a slow,
metered phone connection: a page then costs a third or less of its bytes. This module only
says *what* is worth compressing, and reads Accept-Encoding with werkzeug (an explicit
``q=0`` refuses a coding, even next to ``*``): text of some size (HTML, CSS, CSV, JSON,
SVG, XML), sent whole. Photos and zips are compressed already; a byte range (206) is of
the uncompressed file; a 204 or a HEAD response has no body; and a streamed response (an
export) is left to stream. Flask-Compress compresses successful (2xx) responses only, so
error pages go as they are. Each encoding gets its own strong ETag (``"…:gzip"``,
``"…:br"``), and a revalidation of it is answered 304.

Compressed pages that hold a secret (the CSRF token) next to text an attacker can make the
page repeat are what BREACH measures. It needs the victim's browser to send many requests
with the session cookie from the attacker's site; the cookie is ``SameSite=Lax``, so only
top-level navigations carry it, which makes the attack slow and visible.

**Caching** rules all live here (the table above :func:`cache_rules`); views that choose
their own caching call the helpers below it. The stylesheet is linked with a fingerprint
of its content (``asset_url``), so a browser may keep it for a year without asking again;
any other static URL must be revalidated, so that a link without the current fingerprint
never keeps a stale file in a cache. Every response to a signed-in person is ``no-store``
except those whose view chooses (:data:`OWN_CACHING_ENDPOINTS`: never a page of someone's
data). An anonymous page gets no ETag of its body: every page carries the language
form's CSRF token, signed with the time to the second, so the body changes every second.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.wrappers import Response
from flask_compress import Compress
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

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
#: Below this, the encoding's own header and the extra header lines cost more than they save.
MIN_BYTES = 500
#: Level 6 is what nginx and Apache use: most of the gain of 9 for a fraction of the time.
GZIP_LEVEL = 6
#: Brotli's quality 5, the lowest that beats gzip's level 6 on these pages and the
#: stylesheet (quality 4, Flask-Compress's default, does not): about 8 % smaller, in 1-2 ms
#: for a 25 KB page. The higher qualities are for files compressed once, ahead of time.
BROTLI_LEVEL = 5
#: What may be sent, preferred first at equal quality; x-gzip is gzip's old name, which
#: RFC 9110 (8.4.1.3) asks to treat as gzip.
ENCODINGS = ("br", "gzip", "x-gzip")
#: A year, the longest lifetime caches honour; fingerprinted URLs never change content.
YEAR = 365 * 24 * 3600
#: Where the app's Flask-Compress lives in ``app.extensions``.
COMPRESS_EXTENSION = "peerlearn_compress"


def install_edge(app: Flask) -> None:
    """Install every layer of the edge on ``app``; after the blueprints (the rate limits
    wrap their views). Flask runs ``after_request`` steps in the reverse order of their
    registration, so the request log, registered first here, sees the response last."""
    from peerlearn.input_guard import setup_input_guard
    from peerlearn.rate_limits import setup_rate_limits
    from peerlearn.request_log import setup_request_logging
    from peerlearn.security_headers import setup_security_headers

    setup_rate_limits(app)
    setup_request_logging(app)
    setup_compression(app)
    setup_input_guard(app)
    setup_security_headers(app)
    setup_proxy_fix(app)


# --- ProxyFix ------------------------------------------------------------------------------


def setup_proxy_fix(app: Flask) -> None:
    """Read the client's address, scheme, host, port and prefix from X-Forwarded-*
    headers, trusting the last ``PROXY_FIX`` proxies, only when that is set.

    Without a proxy in front anyone can send those headers, so by default (0) they are
    ignored: ``request.remote_addr`` is the peer's address, and the rate limits cannot be
    fooled with a made-up X-Forwarded-For.
    """
    proxies = app.config.get("PROXY_FIX") or 0
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise RuntimeError(
            f"PEERLEARN_PROXY_FIX must be the number of trusted proxies (0 for none), "
            f"not {proxies!r}"
        )
    if proxies:
        # Wrapping the method is how Flask's docs install WSGI middleware; mypy sees a
        # method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies,
            x_port=proxies,
            x_prefix=proxies,
        )


# --- Compression and the stylesheet's caching ----------------------------------------------


def setup_compression(app: Flask) -> None:
    """Flask-Compress, called by :func:`compress` rather than on every response."""
    app.config.update(
        COMPRESS_REGISTER=False,  # compress() decides what reaches it
        COMPRESS_MIMETYPES=sorted(COMPRESSIBLE),
        COMPRESS_MIN_SIZE=MIN_BYTES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_LEVEL=GZIP_LEVEL,
        COMPRESS_BR_LEVEL=BROTLI_LEVEL,
        COMPRESS_STREAMS=False,
    )
    app.extensions[COMPRESS_EXTENSION] = Compress(app)
    app.after_request(compress)
    app.after_request(cache_rules)


def compress(response: Response) -> Response:
    """Hand ``response`` to Flask-Compress if it is text sent whole (see the module's
    docstring); the static route's file is read into memory for it (the stylesheet is
    small, and a browser keeps it for a year)."""
    if (
        request.method == "HEAD"
        or response.status_code in (204, 206)  # no body, or a range of the plain file
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
    ):
        return response
    if response.is_streamed or response.direct_passthrough:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        response.direct_passthrough = False
        response.make_sequence()  # reads the file; it is closed with the response
    # Flask-Compress picks from the raw Accept-Encoding and would take a coding the client
    # refused with q=0 ("gzip;q=0, *"); it is shown the one coding werkzeug's reading of
    # the header (RFC 9110, 12.5.3) chose, or "identity" for none.
    environ = request.environ
    asked = environ.get("HTTP_ACCEPT_ENCODING")
    environ["HTTP_ACCEPT_ENCODING"] = accepted_encoding()
    try:
        compressed: Response = current_app.extensions[COMPRESS_EXTENSION].after_request(response)
    finally:
        if asked is None:
            del environ["HTTP_ACCEPT_ENCODING"]
        else:
            environ["HTTP_ACCEPT_ENCODING"] = asked
    if "Content-Encoding" in compressed.headers:
        # A byte range is always of the uncompressed file; do not offer one of this body.
        compressed.headers.pop("Accept-Ranges", None)
    return compressed


def accepted_encoding() -> str:
    """The coding of :data:`ENCODINGS` the client prefers, or "identity" when it accepts
    none: an explicit ``q=0`` refuses, and no header asks for no encoding."""
    best = request.accept_encodings.best_match(ENCODINGS)
    if best is None:
        return "identity"
    return "gzip" if best == "x-gzip" else best


# --- Caching: every Cache-Control rule of the site ------------------------------------------
#
# - the stylesheet with the current ``?v=``: ``public, max-age=31536000, immutable``;
#   any other static URL: ``no-cache`` (both with ETag and Last-Modified);
# - course media by SHA-256 (``catalog.media``, its own view): ``public, immutable``, ETag;
# - a build-log photo in a submitted version: ``private, max-age=604800``; one only in
#   drafts: ``private, no-cache``; both with an ETag (``assignments.photo``);
# - a course's offline zip (``offline.package``, its own view): ``private, max-age=300``,
#   ETag = a fingerprint of its inputs (a revalidation is answered without building it);
# - any other response to a signed-in person: ``no-store``;
# - anonymous pages: what their view chose.
#
# A photo is never ``public``: it is a learner's, and must leave every cache when it is
# removed or the account deleted (peerlearn/assignments/photo_views.py says why). A
# conditional request (If-None-Match, If-Modified-Since) that matches is answered 304
# with no body by ``Response.make_conditional`` (the views) or ``send_file`` (static).

#: Endpoints that choose their own caching, kept for a signed-in user too: bytes named by
#: their content (a hash, a fingerprint) and never a page of someone's data. The offline
#: zip is a course the reader may read, downloaded on purpose, and cached only privately:
#: its 304 spares a learner on a metered connection the whole zip.
OWN_CACHING_ENDPOINTS = frozenset(
    {"static", "catalog.media", "assignments.photos.photo", "offline.package"}
)
#: How long a browser may keep a learner's photo of a submitted version (a week: an account
#: deletion then reaches every cache within a week).
PRIVATE_WEEK = 7 * 24 * 3600


def _reset(response: BaseResponse) -> None:
    response.headers.pop("Cache-Control", None)
    response.headers.pop("Expires", None)


def cache_immutable(response: BaseResponse, seconds: int = YEAR) -> None:
    """Anyone may keep it ``seconds`` without asking: for URLs that name their content
    (a fingerprint or a hash), public bytes only."""
    _reset(response)
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    response.cache_control.immutable = True


def cache_private(response: BaseResponse, seconds: int) -> None:
    """Only the person's own browser may keep it, ``seconds`` without asking."""
    _reset(response)
    response.cache_control.private = True
    response.cache_control.max_age = seconds


def cache_revalidate(response: BaseResponse, *, private: bool) -> None:
    """Kept, but asked about on every use (a 304 when it has not changed)."""
    _reset(response)
    response.cache_control.private = private or None
    response.cache_control.no_cache = True


def cache_never(response: BaseResponse) -> None:
    """Stored nowhere: a page of a signed-in person's data."""
    _reset(response)
    response.headers["Cache-Control"] = "no-store"


def cache_rules(response: Response) -> Response:
    """The rules of the table above that are not a view's own: the stylesheet's year,
    revalidation for other static URLs, ``no-store`` for signed-in pages."""
    if request.endpoint == "static" and request.view_args:
        fingerprinted = response.status_code in (200, 206, 304) and (
            request.args.get("v") is not None
            and asset_url(request.view_args["filename"]) == request.script_root + request.full_path
        )
        if fingerprinted:
            cache_immutable(response)
        else:
            cache_revalidate(response, private=False)
        return response
    if request.endpoint not in OWN_CACHING_ENDPOINTS and current_user.is_authenticated:
        cache_never(response)
    return response
