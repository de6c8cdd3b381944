"""Site-wide routes (health check for load balancers, the language switcher) and the two
request helpers every feature's views share: ``safe_next`` and ``page_arg``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from peerlearn.accounts.services import set_preferences
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
    below 1 (the view checks the upper end, once it knows how many pages there are)."""
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    return page


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
