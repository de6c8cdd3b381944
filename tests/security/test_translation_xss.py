"""Interface translations are text, never HTML.

A translation reaches every page in its language, so one hostile text would attack every
reader: suggestions and translators' texts with markup are refused, and whatever text a
catalog or the database holds anyway is escaped when a page shows it.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, render_template_string
from flask_babel import Domain
from sqlalchemy import func, select

from peerlearn import create_app
from peerlearn.accounts.models import User
from peerlearn.community_i18n import markup
from peerlearn.community_i18n.catalog import message_key
from peerlearn.community_i18n.models import (
    SuggestionStatus,
    TranslationOverride,
    TranslationSuggestion,
    TranslationVersion,
    Translator,
    encode_forms,
)
from peerlearn.db import utcnow
from peerlearn.extensions import babel, db
from peerlearn.i18n import _l
from tests.fixtures.app import PASSWORD, IsolatedClient
from tests.settings import ROOT

IMG = "Sug <img src=x onerror=alert(1)>"
SEARCH = "Search courses"
PLACEHOLDER = "e.g. biogas, solar, cookstove"
#: Breaks out of a double-quoted attribute unless quotes are escaped; no tag, no entity,
#: so the markup check lets it through and only render-time escaping stops it.
ATTRIBUTE = '" autofocus onfocus="alert(1)" x="'


@pytest.fixture
def translator(create_user: Callable[..., User]) -> User:
    user = create_user("tradu", locale="en")
    db.session.add(Translator(user_id=user.id, locale="es"))
    db.session.commit()
    return user


def raw(response: Any) -> str:
    return response.get_data(as_text=True)


def spanish_home(app: Flask) -> str:
    return raw(app.test_client().get("/", headers={"Accept-Language": "es"}))


def suggestion_count() -> int:
    return db.session.scalar(select(func.count()).select_from(TranslationSuggestion)) or 0


def inject_approved(msgid: str, text: str, locale: str = "es", msgid_plural: str | None = None,
                    forms: tuple[str, ...] | None = None) -> None:  # fmt: skip
    """An approved text put straight into the database, as one approved before markup was
    refused (or written by anyone with database access) would be."""
    suggestion = TranslationSuggestion(
        locale=locale, msg_key=message_key(msgid), msgid=msgid, msgid_plural=msgid_plural,
        context=None, text=encode_forms(forms or (text,)), author_id=None,
        status=SuggestionStatus.APPROVED.value, reviewed_at=utcnow(),
    )  # fmt: skip
    db.session.add(suggestion)
    db.session.flush()
    override = TranslationOverride(
        locale=locale, msg_key=suggestion.msg_key, suggestion_id=suggestion.id, updated_at=utcnow()
    )
    db.session.add(override)
    # A fresh random version, as approving makes: every app instance reads the texts again.
    version = db.session.get(TranslationVersion, locale)
    if version is None:
        db.session.add(TranslationVersion(locale=locale, version=uuid.uuid4().hex))
    else:
        version.version = uuid.uuid4().hex
    db.session.commit()


# --- The check (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        IMG,
        "<script>alert(1)</script>",
        "</p><p>",
        "<!-- hidden -->",
        "< svg onload=alert(1)>",
        "<b",  # a tag the browser would still open at the end of the text
        "Buscar&nbsp;cursos",
        "&lt;script&gt;",
        "Buscar &#60;b&#62;",
        "&#x3c;img",
        "&#0000060",
    ],
)
def test_markup_is_found(text):
    assert markup.check(["Search courses"], text)


@pytest.mark.parametrize(
    "text",
    ["Buscar cursos", "3 < 5 y 5 > 3", "I+D & R&D", "100 %% seguro", "Precio: 5 €", "a<3"],
)
def test_plain_text_passes(text):
    assert markup.check(["Search courses"], text) == ()


def test_tag_like_text_of_the_english_message_may_stay():
    source = "Also the file name in the course bundle: assignments/<slug>.yml."
    assert markup.check([source], "También el nombre del archivo: assignments/<slug>.yml.") == ()
    assert markup.check([source], "assignments/<slug>.yml <b>") == ("<b>",)


def test_no_shipped_catalog_has_markup_its_english_message_lacks():
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            sources = message.id if isinstance(message.id, tuple) else (message.id,)
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in texts:
                assert not markup.check(sources, text or ""), (po, message.id)


# --- Refused when suggested or saved ----------------------------------------------------


@pytest.mark.parametrize("text", [IMG, "Buscar&nbsp;cursos", "Buscar <b>cursos</b>"])
def test_a_suggestion_with_markup_is_refused_with_a_form_error(client, login, create_user, text):
    login(create_user(locale="es"))
    response = client.submit(f"/translate/es/m/{message_key(SEARCH)}", {"text-0": text})
    assert response.status_code == 422
    page = raw(response)
    assert "las traducciones son texto sin formato" in html.unescape(page)
    assert "<img src=x" not in page and "<b>cursos" not in page
    assert suggestion_count() == 0


def test_a_translator_cannot_save_markup_either(client, login, translator):
    login(translator)
    response = client.submit(f"/translate/es/m/{message_key(SEARCH)}", {"text-0": IMG})
    assert response.status_code == 422
    page = html.unescape(raw(response))
    assert "Remove <img src=x onerror=alert(1)>: translations are plain text" in page
    assert suggestion_count() == 0
    assert "Buscar cursos" in spanish_home(client.application)


def test_plain_text_is_still_accepted(client, login, create_user):
    login(create_user(locale="es"))
    response = client.submit(f"/translate/es/m/{message_key(SEARCH)}", {"text-0": "3 < 5 & más"})
    assert response.status_code == 302
    assert suggestion_count() == 1


def pending(text: str, author: User) -> TranslationSuggestion:
    suggestion = TranslationSuggestion(
        locale="es", msg_key=message_key(SEARCH), msgid=SEARCH, msgid_plural=None,
        context=None, text=encode_forms((text,)), author_id=author.id,
        status=SuggestionStatus.PENDING.value,
    )  # fmt: skip
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def test_the_review_page_shows_an_old_hostile_suggestion_as_text_and_cannot_approve_it(
    client, login, translator, create_user
):
    suggestion = pending(IMG, create_user("mallory"))
    login(translator)
    page = raw(client.get(f"/translate/es/m/{message_key(SEARCH)}"))
    assert "<img src=x" not in page
    preview = re.search(r'<p lang="es" class="preview">(.*?)</p>', page, re.S)
    assert preview and preview.group(1) == "Sug &lt;img src=x onerror=alert(1)&gt;"
    assert "Contains HTML tags or character codes (&lt;img src=x onerror=alert(1)&gt;)" in page
    assert f"/suggestions/{suggestion.id}/approve" not in page

    response = client.submit(f"/translate/es/suggestions/{suggestion.id}/approve")
    assert response.status_code == 302
    page = raw(client.get(response.headers["Location"]))
    assert "so it cannot be approved" in page
    assert db.session.get(TranslationSuggestion, suggestion.id).status == "pending"
    assert "Buscar cursos" in spanish_home(client.application)


# --- Escaped when shown, whatever the database or the catalog holds ----------------------


def test_an_approved_hostile_text_in_the_database_is_shown_as_text(app):
    inject_approved(SEARCH, IMG)
    inject_approved(PLACEHOLDER, ATTRIBUTE)
    inject_approved(
        "%(num)s course", "", msgid_plural="%(num)s courses",
        forms=("<i>%(num)s</i> curso", "<script>alert(%(num)s)</script> cursos"),
    )  # fmt: skip
    page = spanish_home(app)
    assert "<img src=x" not in page and "<script>alert" not in page and "<i>" not in page
    assert "Sug &lt;img src=x onerror=alert(1)&gt;" in page
    assert 'placeholder="&#34; autofocus onfocus=&#34;alert(1)&#34; x=&#34;"' in page
    assert "&lt;script&gt;alert(0)&lt;/script&gt; cursos" in page


def test_placeholder_values_are_escaped_in_a_hostile_translation_too(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = render_template_string(
            "{{ _('Suggested by %(name)s on %(date)s', name=n, date='<b>') }}",
            n="<script>x</script>",
        )
        lazy = render_template_string(
            "{{ label }}",
            label=_l("Also the file name in the course bundle: assignments/<slug>.yml."),
        )
        text = render_template_string(
            "{% autoescape false %}{{ _('%(name)s 100%%', name='<x>') }}{% endautoescape %}"
        )
    assert shown == "Suggested by &lt;script&gt;x&lt;/script&gt; on &lt;b&gt;"
    assert lazy.endswith("assignments/&lt;slug&gt;.yml.")
    assert text == "<x> 100%"  # plain-text templates (emails) stay plain text


# A language the real configuration does not offer, so that Flask-Babel's process-wide cache
# of compiled catalogs never mixes this test's catalog with a real one.
HOSTILE = "ha"


@pytest.fixture
def hostile_catalog_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """An app whose compiled catalog for ``HOSTILE`` has markup in its translations."""
    catalog = Catalog(locale="sw")  # any language with two plural forms, like English
    catalog.add(SEARCH, IMG)
    catalog.add(PLACEHOLDER, ATTRIBUTE)
    catalog.add("Password", "<u>Nenosiri</u><script>alert('label')</script>")
    catalog.add("Enter your password.", "<img src=y onerror=alert('error')>")
    catalog.add(("%(num)s course", "%(num)s courses"),
                ("<b>%(num)s</b> kozi", "<b>%(num)s</b> kozi"))  # fmt: skip
    (tmp_path / HOSTILE / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / HOSTILE / "LC_MESSAGES" / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    other = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "LANGUAGES": ["en", HOSTILE],
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
        }
    )
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        db.engine.dispose()
    vars(babel).get("domain_instance", Domain()).cache.pop((HOSTILE, "messages"), None)


def test_a_hostile_compiled_catalog_is_shown_as_text(hostile_catalog_app):
    client = hostile_catalog_app.test_client()
    headers = {"Accept-Language": HOSTILE}
    home = raw(client.get("/", headers=headers))
    assert "<img src=x" not in home and "<b>" not in home
    assert "Sug &lt;img src=x onerror=alert(1)&gt;" in home
    assert 'placeholder="&#34; autofocus onfocus=&#34;alert(1)&#34; x=&#34;"' in home
    assert "&lt;b&gt;0&lt;/b&gt; kozi" in home

    login = raw(client.submit("/login", {"login": "x", "password": ""}, headers=headers))
    assert "<script>" not in login and "<u>" not in login and "<img src=y" not in login
    assert "&lt;u&gt;Nenosiri&lt;/u&gt;" in login  # a lazy form label
    assert "&lt;img src=y onerror=alert(&#39;error&#39;)&gt;" in login  # a validator's text


def test_user_login_works_with_hostile_catalog(hostile_catalog_app, create_user):
    """The escaping changes what is shown, not what works: logging in still does."""
    user = create_user("amina")
    client = hostile_catalog_app.test_client()
    response = client.submit("/login", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
