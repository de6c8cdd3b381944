"""One log line per request: method, path, status, duration, bytes sent and the proxy's
request id when it sends one — what an operator greps.

It is the only access log: gunicorn's own stays off (docs/deployment.md). This one sees
the client's address through ProxyFix, the size after compression, and never writes the
one-time token of an emailed link (``/password/reset/<token>`` is logged as
``/password/reset/[token]``): whoever reads the logs must not be able to use it.
"""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, g, request
from flask.sansio.app import App

logger = logging.getLogger("peerlearn.request")

#: A request id as proxies write them (nginx's $request_id, a UUID, Heroku's); anything
#: else in the header is not logged, so that a client cannot write into the log.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: URL parameters that carry a secret; the log writes their name in their place.
SECRET_VIEW_ARGS = ("token",)


def log_to_stderr(app: App, target: logging.Logger) -> None:
    """Send ``target``'s INFO lines to standard error, once, outside tests: what an operator
    reads for ``peerlearn.request`` and ``peerlearn.mail``."""
    if not target.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        target.addHandler(handler)
        target.setLevel(logging.INFO)
        target.propagate = False


def setup_request_logging(app: Flask) -> None:
    log_to_stderr(app, logger)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        logger.info(
            "%s %s %s %.1fms %sB%s",
            request.method,
            logged_path(),
            response.status_code,
            elapsed_ms,
            response.calculate_content_length() or "-",
            _request_id(),
        )
        return response


def logged_path() -> str:
    """The request's path and query string, with the values of secret URL parameters
    replaced by their names."""
    path = request.full_path.rstrip("?")
    for name in SECRET_VIEW_ARGS:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, f"[{name}]")
    return path


def _request_id() -> str:
    """`` id=…`` with the X-Request-ID a proxy in front sent, or nothing."""
    value = request.headers.get("X-Request-ID", "")
    return f" id={value}" if REQUEST_ID.fullmatch(value) else ""
