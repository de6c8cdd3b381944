"""Approved texts layered over the compiled catalogs: at once, in every app instance, at
the cost of one small query per request (none in English)."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import Domain
from sqlalchemy.exc import OperationalError

from peerlearn import create_app
from peerlearn.accounts.models import User
from peerlearn.community_i18n import layering
from peerlearn.community_i18n.catalog import message_key
from peerlearn.community_i18n.models import Translator
from peerlearn.extensions import babel, db
from tests.community_i18n.test_catalog import PO, POT
from tests.fixtures.app import PASSWORD, IsolatedClient

SEARCH = message_key("Search courses")
#: The tables the layer reads.
TABLES = re.compile(r"FROM (translation_versions|translation_overrides)\b")


@pytest.fixture
def translator(create_user: Any) -> User:
    user = create_user("tradu", locale="es")
    db.session.add(Translator(user_id=user.id, locale="es"))
    db.session.commit()
    return user


def another_instance(app: Flask, **config: Any) -> Flask:
    """A second app on the same database, as another gunicorn worker or server would be."""
    other = create_app(
        {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
        | config
    )
    other.test_client_class = IsolatedClient
    return other


@pytest.fixture
def second_app(app: Flask) -> Iterator[Flask]:
    other = another_instance(app)
    yield other
    with other.app_context():
        db.engine.dispose()


def spanish(client: Any, path: str = "/") -> str:
    return html.unescape(client.get(path, headers={"Accept-Language": "es"}).get_data(as_text=True))


def save(client: Any, key: str, *forms: str) -> None:
    response = client.submit(
        f"/translate/es/m/{key}", {f"text-{i}": form for i, form in enumerate(forms)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_another_app_instance_sees_each_approval_on_its_next_request(
    client, login, translator, second_app
):
    elsewhere = second_app.test_client()
    assert "Buscar cursos" in spanish(elsewhere)  # its cache: no overrides
    login(translator)
    save(client, SEARCH, "Busca un curso")
    assert "Busca un curso" in spanish(elsewhere)
    save(client, SEARCH, "Encuentra un curso")
    page = spanish(elsewhere)
    assert "Encuentra un curso" in page and "Busca un curso" not in page


def test_lazy_strings_and_error_pages_use_the_approved_text(client, login, translator):
    login(translator)
    save(client, message_key("Page not found"), "Esta página no existe")
    client.submit("/logout")
    assert "Esta página no existe" in spanish(client, "/nowhere")  # errors.py: _l(...)


def test_english_pages_make_no_extra_query(client, login, translator, count_queries):
    with count_queries() as before:
        client.get("/", headers={"Accept-Language": "en"})
    login(translator)
    save(client, SEARCH, "Busca un curso")
    client.submit("/logout")
    with count_queries() as after:
        page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Search courses" in page
    assert after.count == before.count
    assert not [s for s in after.statements if TABLES.search(s)]


def test_other_languages_check_the_version_once_per_request(
    client, login, translator, count_queries
):
    def translation_queries() -> list[str]:
        with count_queries() as counter:
            spanish(client)
        return [m.group(1) for s in counter.statements if (m := TABLES.search(s))]

    assert translation_queries() == ["translation_versions"]  # no overrides yet
    login(translator)
    save(client, SEARCH, "Busca un curso")
    # The first request after a change reads the overrides again; later ones only check.
    assert translation_queries() == ["translation_versions", "translation_overrides"]
    assert translation_queries() == ["translation_versions"]


def test_a_database_failure_leaves_the_page_in_the_compiled_catalog(
    client, login, translator, monkeypatch, caplog
):
    login(translator)

    def broken(*args: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("connection lost"))

    monkeypatch.setattr(layering, "_read_layer", broken)
    save(client, SEARCH, "Busca un curso")
    with caplog.at_level(logging.WARNING, logger="peerlearn.community_i18n.layering"):
        page = spanish(client)
    assert "Buscar cursos" in page
    assert "could not read the translation overrides" in caplog.text
    monkeypatch.undo()
    assert "Busca un curso" in spanish(client)


# --- A language being started: a catalog still incomplete, nothing compiled yet ------------

#: A language the real configuration does not offer, so that Flask-Babel's process-wide
#: cache of compiled catalogs never mixes this test's catalog with a real one.
NEW = "ha"


@pytest.fixture
def new_language_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    (tmp_path / NEW / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "messages.pot").write_text(POT, encoding="utf-8")
    po = PO.replace("Language: sw", f"Language: {NEW}")
    (tmp_path / NEW / "LC_MESSAGES" / "messages.po").write_text(po, encoding="utf-8")
    other = another_instance(
        app, LANGUAGES=["en", NEW], BABEL_TRANSLATION_DIRECTORIES=str(tmp_path)
    )
    yield other
    with other.app_context():
        db.engine.dispose()
    vars(babel).get("domain_instance", Domain()).cache.pop((NEW, "messages"), None)


def log_in(client: Any, user: User) -> None:
    response = client.submit("/login", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_untranslated_messages_are_listed_first(new_language_app, create_user):
    client = new_language_app.test_client()
    log_in(client, create_user("amina"))
    page = html.unescape(client.get(f"/translate/{NEW}").get_data(as_text=True))
    rows = re.findall(r'<td lang="en">(?:<small>One:</small> )?([^<]+)', page)
    assert rows == [
        "Modules", "%(num)s course", "New in the template", "Search courses", "Log in",
    ]  # fmt: skip
    assert "3 not translated yet" in page


def test_an_approved_text_works_before_the_catalog_is_compiled(new_language_app, create_user):
    user = create_user("juma")
    db.session.add(Translator(user_id=user.id, locale=NEW))
    db.session.commit()
    client = new_language_app.test_client()
    log_in(client, user)
    response = client.submit(f"/translate/{NEW}/m/{SEARCH}", {"text-0": "Tafuta kozi sasa"})
    assert response.status_code == 302
    client.submit("/logout")
    page = client.get("/", headers={"Accept-Language": NEW}).get_data(as_text=True)
    assert "Tafuta kozi sasa" in page


def test_messages_with_a_context_are_layered_by_context(app, translator):
    from flask_babel import force_locale, gettext, pgettext

    from peerlearn.community_i18n import services
    from peerlearn.community_i18n.catalog import Entry

    entry = Entry(
        key=message_key("Open", "verb"),
        msgid="Open",
        msgid_plural=None,
        context="verb",
        translation=("",),
        locations=(),
        search_text="open",
    )
    services.save_translation(translator, "es", entry, ["Abrir"], [""])
    db.session.commit()
    with app.app_context(), app.test_request_context("/"), force_locale("es"):
        assert pgettext("verb", "Open") == "Abrir"
        assert gettext("Open") == "Abierta"  # the catalog's, without a context
        assert gettext("Search courses") == "Buscar cursos"
