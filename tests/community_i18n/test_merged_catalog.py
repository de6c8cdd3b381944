"""Approved texts and the compiled catalog merged once per (language, version): every
message after a request's first is a dict lookup, and an approval still shows at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, get_translations

from peerlearn.accounts.models import User
from peerlearn.community_i18n import layering
from peerlearn.community_i18n.catalog import message_key
from peerlearn.community_i18n.models import Translator
from peerlearn.extensions import db
from peerlearn.i18n import _
from tests.community_i18n.test_layering import save, spanish

SKIP = message_key("Skip to content")


@pytest.fixture
def translator(create_user: Any) -> User:
    user = create_user("tradu", locale="es")
    db.session.add(Translator(user_id=user.id, locale="es"))
    db.session.commit()
    return user


@contextmanager
def request_in(app: Flask, language: str) -> Iterator[None]:
    """A request of its own, as a server runs it: a fresh app context (and so a fresh
    ``g``) under the request context, not the test's."""
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": language}):
        yield


def resolved(app: Flask) -> Any:
    """The translations a Spanish request resolves to, with the layer of this instance."""
    with request_in(app, "es"):
        return get_translations()


def test_a_request_resolves_once_and_each_later_message_is_one_lookup(
    app, client, login, translator, count_queries
):
    login(translator)
    save(client, SKIP, "Ir al texto")
    with request_in(app, "es"):
        with count_queries() as first:
            assert _("Skip to content") == "Ir al texto"  # approved
        with count_queries() as later:
            assert _("Search courses") == "Buscar cursos"  # compiled catalog
            assert _("Skip to content") == "Ir al texto"
        translations = get_translations()
        assert get_translations() is translations
        # Both kinds of message are in the one dict: no fallback chain is walked.
        assert translations._catalog["Skip to content"] == "Ir al texto"
        assert translations._catalog["Search courses"] == "Buscar cursos"
        assert translations._fallback is None
    assert first.count >= 1  # the version (and the overrides, once per change)
    assert later.count == 0


def test_the_merged_catalog_is_built_once_per_language_and_version(app, client, login, translator):
    login(translator)
    save(client, SKIP, "Ir al texto")
    first = resolved(app)
    assert resolved(app) is first  # the next request: same version, same object
    save(client, SKIP, "Saltar al texto")
    second = resolved(app)
    assert second is not first
    assert second.ugettext("Skip to content") == "Saltar al texto"
    assert "Saltar al texto" in spanish(client)  # at once, on the next page


def test_plural_forms_follow_the_language_after_merging(app, client, login, translator):
    login(translator)
    save(client, SKIP, "Ir al texto")
    translations = resolved(app)
    assert isinstance(translations, layering.MergedTranslations)
    assert translations.plural(1) == 0 and translations.plural(5) == 1


def test_a_forced_language_inside_a_request_is_resolved_for_itself(app, client, login, translator):
    login(translator)
    save(client, SKIP, "Ir al texto")
    with request_in(app, "es"):
        assert _("Skip to content") == "Ir al texto"
        with force_locale("fr"):  # an email in the recipient's language
            assert _("Skip to content") != "Ir al texto"
        assert _("Skip to content") == "Ir al texto"
    with request_in(app, "en"):
        assert _("Skip to content") == "Skip to content"
