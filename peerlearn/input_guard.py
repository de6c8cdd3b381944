"""Refuse what no view should see: NUL characters in URLs and form fields, and ids in URLs
larger than the database stores.

No human types one, PostgreSQL cannot store one in text (nor compare an INTEGER column with
99999999999999999999), and letting it reach a query would turn a silly request into a 500.
"""

from __future__ import annotations

import builtins

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from peerlearn.db import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:...>`` for every route: a URL whose number the database cannot hold matches
    no rule (404) instead of reaching a query. Only ``max`` changes; a rule may still ask
    for a smaller one (``<int(max=9):n>``)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        # IntegerConverter's own parameters, named: a rule giving ``max`` by position
        # (``<int(0, 1, 9):n>``) reaches it here too, not twice through ``*args``.
        capped = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits, min, capped, signed)


def setup_url_converters(app: Flask) -> None:
    """Make :class:`IdConverter` the ``int`` converter; before any blueprint adds a rule."""
    app.url_map.converters["int"] = IdConverter


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
