"""Locale and time-zone selection, and the gettext names every module imports from here.

The order is the one users expect: their saved preference, then the language switcher
(a cookie, so it works before logging in), then the browser's Accept-Language, then the
site default.

Translated text is text, never HTML: a message comes from a compiled catalog or from a
text a translator approved in the browser, and neither may put markup into a page. Jinja's
"newstyle" gettext (which Flask-Babel installs) marks every translation as safe
``Markup``, and Flask-Babel's lazy strings say they are HTML too; ``install_template_gettext``
and ``_l`` here escape the translation instead, and placeholder values with it. A message
that needs a link or emphasis gets it from the template, around or between messages.

Every name here looks messages up in the compiled catalogs under the texts translators
approved in the browser (``peerlearn.community_i18n.layering``, installed with its
blueprint): an approved text is used by every app instance from its next request on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, request
from flask_babel import (
    LazyString,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_translations,
    ngettext,
    pgettext,
)
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

__all__ = [
    "LazyText",
    "_",
    "_l",
    "format_datetime",
    "install_template_gettext",
    "language_name",
    "ngettext",
    "pgettext",
    "select_locale",
    "select_timezone",
    "supported_languages",
    "when",
]


class LazyText(LazyString):
    """Flask-Babel's lazy string, but text when a template prints it: its ``__html__``
    escapes the translation (Flask-Babel's returns it as HTML). WTForms labels, field
    descriptions and validator messages are such strings."""

    def __html__(self) -> Markup:
        return escape(str(self))


def _l(string: str, **variables: Any) -> LazyText:
    """``lazy_gettext`` for import time (form labels, error texts), escaped in templates."""
    return LazyText(_, string, **variables)


def _formatted(context: Context, text: str, variables: dict[str, Any]) -> str:
    # Like Jinja's own newstyle gettext, always %-format (so "%%" reads "%"); where the
    # template autoescapes, the translation and the values are escaped, never trusted.
    if context.eval_ctx.autoescape:
        return escape(text) % variables
    return text % variables


def install_template_gettext(app: Flask) -> None:
    """Replace the template gettext functions Flask-Babel installed with ones that treat
    the translation as text (call after ``babel.init_app``)."""

    @pass_context
    def gettext(context: Context, string: str, /, **variables: Any) -> str:
        return _formatted(context, get_translations().ugettext(string), variables)

    @pass_context
    def ngettext_(
        context: Context, singular: str, plural: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        text = get_translations().ungettext(singular, plural, num)
        return _formatted(context, text, variables)

    @pass_context
    def pgettext_(context: Context, message_context: str, string: str, /, **variables: Any) -> str:
        variables.setdefault("context", message_context)
        text = get_translations().upgettext(message_context, string)
        return _formatted(context, text, variables)

    @pass_context
    def npgettext(
        context: Context,
        message_context: str,
        singular: str,
        plural: str,
        num: int,
        /,
        **variables: Any,
    ) -> str:
        variables.setdefault("context", message_context)
        variables.setdefault("num", num)
        text = get_translations().unpgettext(message_context, singular, plural, num)
        return _formatted(context, text, variables)

    functions: dict[str, Callable[..., str]] = {
        "gettext": gettext,  # ``_`` is Jinja's alias of whatever ``gettext`` is
        "ngettext": ngettext_,
        "pgettext": pgettext_,
        "npgettext": npgettext,
    }
    app.jinja_env.globals.update(functions)


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
