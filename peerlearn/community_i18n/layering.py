"""Approved translations layered over the compiled catalogs, for every app instance.

Flask-Babel asks its ``Domain`` for a translations object whenever ``_``, ``ngettext``,
a lazy ``_l`` string turned into text or a template's ``_()`` needs one. ``install``
gives the Babel extension a ``LayeredDomain``: for any language but the source one it
returns an ``OverrideTranslations`` holding the approved texts, with the compiled catalog
as its gettext fallback, so an approved text wins and every other message reads as before.

Freshness without a restart: each app instance keeps a language's overrides together with
the version they were read at. The first message of a request in that language reads the
language's row of ``translation_versions`` (one small query, on a connection of its own so
that a failure never spoils the request's transaction); only when the version changed are
the overrides read again (one more query, once per change and instance). Pages in the
source language (English) never query.
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


class OverrideTranslations(support.Translations):
    """Approved overrides first; whatever they lack comes from ``fallback``, the compiled
    catalog (``gettext``'s fallback chain does the rest)."""

    def __init__(self, messages: Mapping[Any, str], plural: Any, fallback: Any) -> None:
        super().__init__()
        self._catalog = dict(messages)
        self.plural = plural
        self.add_fallback(fallback)


class LayerState:
    """One app instance's cache of overrides, per language."""

    def __init__(self) -> None:
        self._layers: dict[str, Layer] = {}
        self._translations: dict[str, tuple[Layer, Any, OverrideTranslations]] = {}

    def layer(self, locale: str) -> Layer:
        """The language's overrides, checked against the database once per request."""
        memo: dict[str, Layer] = g.setdefault(_REQUEST_KEY, {})
        if locale not in memo:
            memo[locale] = self._fresh(locale)
        return memo[locale]

    def translations(self, locale: str, base: Any) -> Any:
        """``base`` (the compiled catalog) under the language's overrides, if it has any."""
        layer = self.layer(locale)
        if not layer.messages:
            return base
        cached = self._translations.get(locale)
        if cached is not None and cached[0] is layer and cached[1] is base:
            return cached[2]
        plural = catalog.load(translations_directory(), locale).plural
        layered = OverrideTranslations(layer.messages, plural, base)
        self._translations[locale] = (layer, base, layered)
        return layered

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
        base = super().get_translations()
        if not has_app_context():
            return base
        state: LayerState | None = current_app.extensions.get(EXTENSION)
        locale = get_locale()
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
