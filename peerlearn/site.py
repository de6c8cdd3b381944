"""The health check for load balancers and the request helpers every feature's views
share: ``safe_next``, ``page_arg`` and ``id_arg``. Core: it imports no feature, so any view
may use it (the language switcher, which saves a preference, is in accounts).

Integer query arguments are read only through ``page_arg`` and ``id_arg``: never
``request.args.get(..., type=int)``, which passes a number of any size on to a query."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, request
from sqlalchemy import text

from peerlearn.db import MAX_ID, as_id
from peerlearn.extensions import db

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 when the database answers, 503 otherwise; cheap enough to poll every second."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow redirects to this site (no ``//evil.example`` or ``https://...``)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def page_arg() -> int:
    """The ``page`` query argument of a paged list: 1 when missing or not a number, 404
    below 1 or beyond any page the database could hold (the view checks the upper end,
    once it knows how many pages there are)."""
    raw = request.args.get("page")
    try:
        page = int(raw) if raw is not None else 1
    except ValueError:  # not a number, or more digits than int() reads
        return 1
    if not 1 <= page <= MAX_ID:
        abort(404)
    return page


def id_arg(name: str) -> int | None:
    """The query argument ``name`` as an id (``?edit=12``, ``?from=3``): None when missing,
    not a number or out of the database's range, which every caller treats as "not given"."""
    return as_id(request.args.get(name))
