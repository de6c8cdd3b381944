"""Template globals and filters: locale-aware formatting and the fingerprinted stylesheet."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_babel import format_date, format_decimal, get_locale

from peerlearn.i18n import language_name, own_language_name, when
from peerlearn.licences import LICENCES, Licence


@cache
def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static URL that changes whenever the file does, so it may be cached for a year."""
    path = Path(current_app.static_folder or "") / filename
    return url_for("static", filename=filename, v=_fingerprint(path))


#: Shown where there is no number (an en dash).
NO_NUMBER = "\u2013"


def points(value: Decimal | float | int | None) -> str:
    """Points as the reader's language writes them, at most two decimals ("1,94"), a dash
    for none: the same rounding on the learner's feedback page as in the gradebook."""
    if value is None:
        return NO_NUMBER
    return str(format_decimal(value, format="#,##0.##"))


def licence_info(spdx: str) -> Licence:
    return LICENCES.get(spdx, Licence(spdx, spdx, ""))


def setup_templates(app: Flask) -> None:
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", 365 * 24 * 3600)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        asset_url=asset_url,
        licence_info=licence_info,
        language_name=language_name,
        own_language_name=own_language_name,
        current_locale=lambda: str(get_locale()),
        points=points,
        when=when,
    )
    app.jinja_env.filters.update(
        date=lambda value: format_date(value, "medium") if isinstance(value, datetime) else "",
        number=format_decimal,
    )
