"""Security headers on every response (installed with the rest of the edge by
``peerlearn/edge.py``).

The pages need no script at all (rule 8: JavaScript may only enhance, and none ships),
so the Content-Security-Policy allows none: should some user or translator text ever get
markup past the sanitizer and the escaping, a browser still runs nothing from it. Styles
come from the one stylesheet; the only inline styles are the table-cell alignments
markdown-it writes (``style="text-align:right"``), allowed by their exact hashes.

Caching is not decided here: every Cache-Control rule (``no-store`` for a signed-in
person's pages among them) lives in ``peerlearn/edge.py``.
"""

from __future__ import annotations

import base64
import hashlib

from flask import Flask, current_app
from flask.wrappers import Response

#: The inline style attributes the Markdown renderer writes (table column alignment).
INLINE_STYLES = ("text-align:left", "text-align:center", "text-align:right")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'none'",
        "style-src 'self' 'unsafe-hashes' " + " ".join(_hash(style) for style in INLINE_STYLES),
        "img-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    )
)


def add_security_headers(response: Response) -> Response:
    """The headers every response carries."""
    headers = response.headers
    # A view may have set a stricter policy for its own response (an SVG figure is served
    # sandboxed, with nothing allowed); it is kept. Every other response gets the site's.
    if "sandbox" not in headers.get("Content-Security-Policy", ""):
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"  # frame-ancestors, for browsers without CSP 2
    hsts = current_app.config.get("HSTS_SECONDS")
    if hsts:
        headers["Strict-Transport-Security"] = f"max-age={int(hsts)}; includeSubDomains"
    return response


def setup_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
