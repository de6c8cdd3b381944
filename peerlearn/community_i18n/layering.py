"""Approved translations layered over the compiled catalogs, for every app instance.

Flask-Babel asks its ``Domain`` for a translations object whenever ``_``, ``ngettext``,
a lazy ``_l`` string turned into text or a template's ``_()`` needs one. ``install``
gives the Babel extension a ``LayeredDomain``: for any language but the source one it
returns a ``MergedTranslations``: the compiled catalog with the approved texts written
over it, so an approved text wins and every other message reads as before.

Freshness without a restart: each app instance keeps a language's overrides together with
the version they were read at. The first message of a request in that language reads the
language's row of ``translation_versions`` (one small query, on a connection of its own so
that a failure never spoils the request's transaction); only when the version changed are
the overrides read again (one more query, once per change and instance). Pages in the
source language (English) never query.

Resolved once per language and version, not per message: the approved texts and the
compiled catalog are merged into one ``Translations`` whose catalog is a single dict,
kept per (language, version) by each app instance, and the first message of a request
remembers the object it resolved to for the rest of the request. Every later message is
then a few attribute reads and one dict lookup (``bench/translation_lookup.py``): no
fallback chain, no per-message version check. An approval changes the version, so the
next request builds a new merged catalog and shows the new text at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import support
from flask import Flask, current_app, g, has_app_context
from flask_babel import Domain, get_locale
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from peerlearn.community_i18n import catalog
from peerlearn.community_i18n.models import (
    TranslationOverride,
    TranslationSuggestion,
    TranslationVersion,
    decode_forms,
)
from peerlearn.extensions import babel, db

EXTENSION = "community_i18n"
_REQUEST_KEY = "_community_i18n_layers"
#: Where a request keeps the translations it resolved: (the Locale object, translations).
_RESOLVED_KEY = "_community_i18n_resolved"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layer:
    """A language's approved overrides as of one version."""

    #: None: the language has no overrides (no row in ``translation_versions``).
    version: str | None
    #: The forms of each overridden message, by ``catalog.message_key``.
    forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The same texts the way gettext looks them up: msgid, (msgid, plural index), and
    #: "context\x04msgid" for messages with a context.
    messages: Mapping[Any, str] = field(default_factory=dict, repr=False)


_EMPTY = Layer(version=None)


class MergedTranslations(support.Translations):
    """A language's compiled catalog with its approved texts written over it, in one dict:
    a message is one lookup, with no fallback chain to walk."""

    def __init__(self, base: Any, messages: Mapping[Any, str], plural: Any) -> None:
        super().__init__()
        merged = dict(getattr(base, "_catalog", {}))
        merged.update(messages)
        self._catalog = merged
        self.plural = plural
        info = getattr(base, "_info", None)
        if info:
            self._info = dict(info)
        self._charset = getattr(base, "_charset", None)
        fallback = getattr(base, "_fallback", None)
        if fallback is not None:
            self.add_fallback(fallback)


class LayerState:
    """One app instance's cache of overrides and merged catalogs, per language."""

    def __init__(self) -> None:
        self._layers: dict[str, Layer] = {}
        #: Per language: the version and compiled catalog it was merged from, and the result.
        self._merged: dict[str, tuple[str | None, Any, MergedTranslations]] = {}

    def layer(self, locale: str) -> Layer:
        """The language's overrides, checked against the database once per request."""
        memo: dict[str, Layer] = g.setdefault(_REQUEST_KEY, {})
        if locale not in memo:
            memo[locale] = self._fresh(locale)
        return memo[locale]

    def translations(self, locale: str, base: Any) -> Any:
        """``base`` (the compiled catalog) merged with the language's overrides, if it has
        any; built once per (language, version) and compiled catalog."""
        layer = self.layer(locale)
        if not layer.messages:
            return base
        cached = self._merged.get(locale)
        if cached is not None and cached[0] == layer.version and cached[1] is base:
            return cached[2]
        plural = catalog.load(translations_directory(), locale).plural
        merged = MergedTranslations(base, layer.messages, plural)
        self._merged[locale] = (layer.version, base, merged)
        return merged

    def _fresh(self, locale: str) -> Layer:
        cached = self._layers.get(locale)
        try:
            with db.engine.connect() as connection:
                version = connection.scalar(
                    select(TranslationVersion.version).where(TranslationVersion.locale == locale)
                )
                if version is None:
                    layer = _EMPTY
                elif cached is not None and cached.version == version:
                    return cached
                else:
                    layer = _read_layer(connection, locale, version)
        except SQLAlchemyError:
            # The page still renders, from the compiled catalog and what we had.
            log.warning("could not read the translation overrides for %s", locale, exc_info=True)
            return cached or _EMPTY
        self._layers[locale] = layer
        return layer


def _read_layer(connection: Any, locale: str, version: str) -> Layer:
    rows = connection.execute(
        select(
            TranslationOverride.msg_key,
            TranslationSuggestion.msgid,
            TranslationSuggestion.msgid_plural,
            TranslationSuggestion.context,
            TranslationSuggestion.text,
        )
        .join(TranslationSuggestion, TranslationSuggestion.id == TranslationOverride.suggestion_id)
        .where(TranslationOverride.locale == locale)
    )
    forms: dict[str, tuple[str, ...]] = {}
    messages: dict[Any, str] = {}
    for key, msgid, msgid_plural, context, text in rows:
        texts = decode_forms(text)
        if not texts or not all(texts):
            continue
        forms[key] = texts
        lookup = f"{context}\x04{msgid}" if context else msgid
        if msgid_plural is None:
            messages[lookup] = texts[0]
        else:
            for index, text_form in enumerate(texts):
                messages[(lookup, index)] = text_form
    return Layer(version=version, forms=forms, messages=messages)


class LayeredDomain(Domain):
    """Flask-Babel's domain, with the approved overrides over the compiled catalogs."""

    def get_translations(self) -> Any:
        if not has_app_context():
            return super().get_translations()
        locale = get_locale()
        # The request's first message resolves; the rest reuse it while the locale is the
        # same object (``force_locale``, used for emails, sets another one).
        resolved: tuple[Any, Any] | None = g.get(_RESOLVED_KEY)
        if resolved is not None and resolved[0] is locale:
            return resolved[1]
        translations = self._resolve(locale)
        setattr(g, _RESOLVED_KEY, (locale, translations))
        return translations

    def _resolve(self, locale: Any) -> Any:
        base = super().get_translations()
        state: LayerState | None = current_app.extensions.get(EXTENSION)
        if state is None or locale is None:
            return base
        code = str(locale)
        if code == source_language():
            return base  # English is the msgids themselves: no query, no layer
        return state.translations(code, base)


def source_language() -> str:
    """The language the messages are written in (the first of ``LANGUAGES``)."""
    return str(current_app.config["LANGUAGES"][0])


def translations_directory() -> Path:
    return Path(current_app.extensions["babel"].translation_directories[0])


def overrides(locale: str) -> Mapping[str, tuple[str, ...]]:
    """The approved texts in use for ``locale`` by message key (from this instance's
    cache, checked once per request)."""
    state: LayerState = current_app.extensions[EXTENSION]
    return state.layer(locale).forms


def translation_version(locale: str) -> str | None:
    """The version of ``locale``'s approved texts in use (None: none, or the source
    language): what a cache of text rendered in that language must be keyed by."""
    state: LayerState | None = current_app.extensions.get(EXTENSION)
    if state is None or not locale or locale == source_language():
        return None
    return state.layer(locale).version


def install(app: Flask) -> None:
    """Layer approved translations over ``app``'s catalogs (call after ``babel.init_app``)."""
    app.extensions[EXTENSION] = LayerState()
    if not isinstance(vars(babel).get("domain_instance"), LayeredDomain):
        # ``domain_instance`` is a cached property of the (shared) Babel extension object;
        # setting it is Flask-Babel's own way to have every gettext call use this domain.
        babel.domain_instance = LayeredDomain(domain=app.extensions["babel"].default_domain)
