"""Site-wide routes (health check for load balancers, the language switcher) and the two
request helpers every feature's views share: ``safe_next``, ``page_arg`` and ``id_arg``.

Integer query arguments are read only through ``page_arg`` and ``id_arg``: never
``request.args.get(..., type=int)``, which passes a number of any size on to a query."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from peerlearn.accounts.services import set_preferences
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


@bp.post("/language")
def set_language() -> Response:
    """The language switcher: a cookie for visitors, the saved preference for users."""
    chosen = request.form.get("language", "")
    back = safe_next(request.form.get("next"), url_for("catalog.index"))
    response = redirect(back)
    if chosen in current_app.config["LANGUAGES"]:
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE"],
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
        )
        if current_user.is_authenticated:
            set_preferences(current_user, locale=chosen)
            db.session.commit()
    return response
