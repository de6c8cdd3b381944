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
from flask import Flask, current_app, g, request
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
from werkzeug.wrappers import Response

__all__ = [
    "LazyText",
    "_",
    "_l",
    "format_datetime",
    "install_template_gettext",
    "install_vary",
    "language_name",
    "match_language",
    "ngettext",
    "pgettext",
    "request_locale",
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


#: ISO 639-3 (and 639-2) codes a browser may send for one of our languages: the
#: Quechua macrolanguage's members (quz Cusco, qub Huallaga, quh South Bolivian, qul
#: North Bolivian, quy Ayacucho...), Kinyarwanda's, Swahili's (swh, swc) and the
#: three-letter names of the others. A two-letter code maps to itself.
_LANGUAGE_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "que", "qub", "qud", "quf", "qug", "quh", "quk", "qul", "qup", "qur", "qus",
            "quw", "qux", "quy", "quz", "qva", "qvc", "qve", "qvh", "qvi", "qvj", "qvl",
            "qvm", "qvn", "qvo", "qvp", "qvs", "qvw", "qvz", "qwa", "qwc", "qwh", "qws",
            "qxa", "qxc", "qxh", "qxl", "qxn", "qxo", "qxp", "qxr", "qxt", "qxu", "qxw",
        ),
        "qu",
    ),
    "kin": "rw",
    "swa": "sw", "swh": "sw", "swc": "sw",
    "spa": "es",
    "fra": "fr", "fre": "fr",
    "eng": "en",
}  # fmt: skip


def match_language(tag: str, languages: list[str]) -> str | None:
    """Which of our interface languages a language tag asks for, matched by language
    alone: "es-BO", "fr-RW", "sw-KE" and "quz-PE" are Spanish, French, Swahili and
    Quechua (we have one catalog per language, not per region)."""
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    code = _LANGUAGE_ALIASES.get(primary, primary)
    return code if code in languages else None


def _accepted_language(languages: list[str]) -> str | None:
    # Werkzeug lists the tags best quality first; the first one we speak wins.
    for tag, quality in request.accept_languages:
        if quality > 0 and tag != "*":
            code = match_language(tag, languages)
            if code is not None:
                return code
    return None


def select_locale() -> str:
    """Pick the interface language for this request."""
    languages = supported_languages()
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    # From here on the page depends on the request's cookie and Accept-Language.
    g.language_from_request = True
    return request_locale()


def request_locale() -> str:
    """The language the visitor is using: the switcher's cookie, else the best match
    of the browser's Accept-Language, else the site default (also what a new account
    starts with)."""
    languages = supported_languages()
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return str(chosen)
    return _accepted_language(languages) or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def install_vary(app: Flask) -> None:
    """Say ``Vary: Accept-Language, Cookie`` on HTML whose language came from the request
    (not from a logged-in user's setting), so no shared cache hands a Spanish page to a
    French browser."""

    @app.after_request
    def vary_by_language(response: Response) -> Response:
        if g.get("language_from_request") and response.mimetype == "text/html":
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response


def select_timezone() -> str | None:
    if current_user and current_user.is_authenticated:
        return str(current_user.timezone)
    return None


#: Our own names for languages where CLDR (Babel) has none in a reader's language, or no
#: locale data at all (Aymara), and the names we prefer ("Luganda" over CLDR's "Ganda").
#: A small table rather than gettext: a language's name in itself ("Aymar aru") is not a
#: translation of an English message, and the table is read before the catalogs exist.
#: Keys: language, then the reader's language (the language itself = its own name).
_LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "ay": {
        "ay": "Aymar aru", "en": "Aymara", "es": "aimara", "fr": "aymara",
        "rw": "Icyayimara", "sw": "Kiaymara", "qu": "Aymara simi",
    },
    "qu": {
        "qu": "Runasimi", "en": "Quechua", "es": "quechua", "fr": "quechua",
        "rw": "Igikecuwa", "sw": "Kikechua",
    },
    "rw": {
        "rw": "Ikinyarwanda", "en": "Kinyarwanda", "es": "kinyarwanda", "fr": "kinyarwanda",
        "sw": "Kinyarwanda", "qu": "Kinyarwanda simi",
    },
    "lg": {
        "lg": "Luganda", "en": "Luganda", "es": "luganda", "fr": "luganda",
        "rw": "Ikigande", "sw": "Kiganda", "qu": "Luganda simi",
    },
    "sw": {
        "sw": "Kiswahili", "en": "Swahili", "es": "suajili", "fr": "swahili",
        "rw": "Igiswahili", "qu": "Suajili simi",
    },
    "gn": {
        "gn": "Avañe'ẽ", "en": "Guarani", "es": "guaraní", "fr": "guarani",
        "rw": "Ikiguwarani", "sw": "Kiguarani", "qu": "Guaraní simi",
    },
    # Course languages CLDR does not name in Kinyarwanda (or Swahili, Quechua).
    "ha": {"rw": "Igihawusa"},
    "yo": {"rw": "Ikiyoruba"},
    "ig": {"rw": "Icyigibo"},
    "mg": {"rw": "Ikimalagasi"},
    "ny": {"rw": "Igicewa"},
    "tl": {"rw": "Igitagalogi", "sw": "Kitagalogi", "qu": "Tagalog simi"},
}  # fmt: skip


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def language_name(code: str, in_locale: str | Locale | None = None) -> str:
    """The name of a course or interface language, in the reader's language.

    Our table first, then CLDR's names in the reader's language, then the language's
    name in itself; the code itself only for a language nobody names, so an unusual
    course language never breaks a page.
    """
    display: Locale = Locale.parse("en")
    try:
        chosen = in_locale if in_locale is not None else get_locale()
        if chosen is not None:
            display = chosen if isinstance(chosen, Locale) else Locale.parse(chosen)
    except (UnknownLocaleError, ValueError):
        pass
    parts = code.replace("-", "_").split("_")
    language = _LANGUAGE_ALIASES.get(parts[0].lower(), parts[0].lower())  # quz → qu
    ours = _LANGUAGE_NAMES.get(language, {})
    name = ours.get(display.language) or display.languages.get(language)
    if name and len(parts) > 1:
        # A regional variant ("es-BO"): CLDR says the region, when it knows the tag.
        try:
            full = Locale.parse(code.replace("-", "_")).get_display_name(display)
        except (UnknownLocaleError, ValueError):
            full = None
        if (
            full
            and display.languages.get(language)
            and full.startswith(display.languages[language])
        ):
            name = name + full[len(display.languages[language]) :]
    if not name:
        try:
            name = ours.get(language) or Locale.parse(language).get_display_name(language)
        except (UnknownLocaleError, ValueError):
            name = None
    return _capitalised(name) if name else code


def own_language_name(code: str) -> str:
    """A language named in itself ("Español"), as language switchers should show it."""
    own = _LANGUAGE_NAMES.get(code.lower(), {}).get(code.lower())
    return _capitalised(own) if own else language_name(code, in_locale=code)


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
