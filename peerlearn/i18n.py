"""Locale and time-zone selection, and the gettext names every module imports from here.

The order is the one users expect: their saved preference, then the language switcher
(a cookie, so it works before logging in), then the browser's Accept-Language, then the
site default.

Every name here looks messages up in the compiled catalogs under the texts translators
approved in the browser (``peerlearn.community_i18n.layering``, installed with its
blueprint): an approved text is used by every app instance from its next request on.
"""

from __future__ import annotations

from datetime import datetime

from babel import Locale, UnknownLocaleError
from flask import current_app, request
from flask_babel import format_date, format_datetime, format_time, get_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

__all__ = [
    "_",
    "_l",
    "format_datetime",
    "language_name",
    "ngettext",
    "pgettext",
    "select_locale",
    "select_timezone",
    "supported_languages",
    "when",
]


def supported_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Pick the interface language for this request."""
    languages = supported_languages()
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return str(chosen)
    best = request.accept_languages.best_match(languages)
    return best or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str | None:
    if current_user and current_user.is_authenticated:
        return str(current_user.timezone)
    return None


def language_name(code: str, in_locale: str | Locale | None = None) -> str:
    """The name of a course or interface language, in the reader's language.

    Falls back to the code itself for a language CLDR does not know, so an unusual
    course language never breaks a page.
    """
    try:
        locale = Locale.parse(code.replace("-", "_"))
        display = in_locale if in_locale is not None else get_locale()
        name = locale.get_display_name(display) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def own_language_name(code: str) -> str:
    """A language named in itself ("Español"), as language switchers should show it."""
    return language_name(code, in_locale=code)


def short_date(value: datetime) -> str:
    return when(value)


def when(value: datetime | None) -> str:
    """A moment as every page writes it: the reader's language, their time zone, to the
    minute, and the zone said ("7 dic 2026, 10:05 -0400"): never an ambiguous "12/7/26",
    never a time without its zone."""
    if value is None:
        return ""
    locale = get_locale() or Locale.parse("en")
    pattern = str(locale.datetime_formats["medium"])
    time = f"{format_time(value, 'short')} {format_datetime(value, 'z')}"
    return pattern.replace("{1}", str(format_date(value, "medium"))).replace("{0}", time)
