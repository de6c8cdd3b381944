"""One log line per request: method, path, status, duration — what an operator greps."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from flask.sansio.app import App

logger = logging.getLogger("peerlearn.request")


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
            "%s %s %s %.1fms %sB",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            elapsed_ms,
            response.calculate_content_length() or "-",
        )
        return response
