"""Refuse NUL characters in URLs and form fields before any view sees them.

No human types one, PostgreSQL cannot store one in text, and letting it reach a query
would turn a silly request into a 500.
"""

from __future__ import annotations

from flask import Flask, abort, request


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return False


def setup_input_guard(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        if _has_nul():
            abort(400)
