"""Suggesting, approving, rejecting and exporting translations in the browser."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.community_i18n import services
from peerlearn.community_i18n.catalog import load, message_key
from peerlearn.community_i18n.layering import translations_directory
from peerlearn.community_i18n.models import TranslationOverride, TranslationSuggestion, Translator
from peerlearn.extensions import db

SEARCH = message_key("Search courses")
PAGES = message_key("Page %(page)s of %(pages)s")
COURSES = message_key("%(num)s course")


@pytest.fixture
def translator(create_user: Callable[..., User]) -> User:
    # Reads the site in English, so that the test reads the pages' English text.
    user = create_user("tradu", locale="en")
    db.session.add(Translator(user_id=user.id, locale="es"))
    db.session.commit()
    return user


def suggestions() -> list[tuple[str, list[str], str]]:
    rows = db.session.scalars(select(TranslationSuggestion).order_by(TranslationSuggestion.id))
    return [(s.msgid, list(s.forms), s.status) for s in rows]


def page_text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def home(app: Flask) -> str:
    """The home page as a visitor reading in Spanish sees it (in a browser of their own)."""
    return page_text(app.test_client().get("/", headers={"Accept-Language": "es"}))


# --- The list ----------------------------------------------------------------------------


def test_the_list_shows_english_and_spanish_side_by_side(client, login, create_user):
    login(create_user(locale="es"))
    page = page_text(client.get("/translate/es?q=search courses"))
    row = re.search(r'<tr id="m-[0-9a-f]+">(.*?)</tr>', page, re.S).group(1)
    assert '<td lang="en">Search courses</td>' in row
    assert '<td lang="es">' in row and "Buscar cursos" in row
    assert f"/translate/es/m/{SEARCH}" in row


def test_search_ignores_accents_and_case(client, login, create_user):
    login(create_user())
    with_accent = page_text(client.get("/translate/es?q=Módulos"))
    without = page_text(client.get("/translate/es?q=MODULOS"))
    found = re.findall(r'<tr id="m-([0-9a-f]+)">', with_accent)
    assert found and found == re.findall(r'<tr id="m-([0-9a-f]+)">', without)
    assert "No message matches your search." in page_text(client.get("/translate/es?q=zzzqqq"))


def test_plural_messages_show_each_form_with_its_name(client, login, create_user):
    login(create_user())
    page = page_text(client.get("/translate/es?q=%25(num)s course"))
    assert "One:" in page and "Several:" in page
    assert "Form “one” (for example 1)" in page
    assert "Form “other” (for example 0, 2, 3, 4, 5)" in page


def test_the_list_is_paginated_by_fifty(client, login, create_user):
    login(create_user())
    first = page_text(client.get("/translate/es"))
    assert len(re.findall(r'<tr id="m-', first)) == 50
    pages = int(re.search(r"Page 1 of (\d+)", first).group(1))
    last = page_text(client.get(f"/translate/es?page={pages}"))
    assert 1 <= len(re.findall(r'<tr id="m-', last)) <= 50
    assert client.get(f"/translate/es?page={pages + 1}").status_code == 404
    assert client.get("/translate/es?page=0").status_code == 404


def test_the_list_costs_the_same_queries_whatever_it_shows(
    client, login, create_user, translator, count_queries
):
    login(create_user())

    def queries(path: str) -> int:
        client.get(path)  # the first request after a change reads the overrides again
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    empty = queries("/translate/es")
    second_page = queries("/translate/es?page=2")
    for i, msgid in enumerate(["Search courses", "Log in", "Register", "Courses"]):
        add_suggestion(msgid, f"Texto {i}", approved=True, by=translator)
        add_suggestion(msgid, f"Otro {i}", approved=False, by=translator)
    busy = queries("/translate/es")
    assert empty == second_page == busy == queries("/translate/es?show=pending")


def add_suggestion(msgid: str, text: str, approved: bool, by: User) -> None:
    entry = next(e for e in load(translations_directory(), "es").entries if e.msgid == msgid)
    (services.save_translation if approved else services.suggest)(by, "es", entry, [text], [])
    db.session.commit()


def test_unknown_languages_and_messages_are_not_found(client, login, create_user):
    login(create_user())
    assert client.get("/translate/en").status_code == 404  # the source language
    assert client.get("/translate/xx").status_code == 404
    assert client.get(f"/translate/es/m/{'0' * 40}").status_code == 404


def test_visitors_are_sent_to_log_in(client):
    for path in ("/translate/", "/translate/es", f"/translate/es/m/{SEARCH}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location
    response = client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Busca"})
    assert response.status_code == 302 and "/login" in response.location
    assert suggestions() == []


# --- Suggesting and reviewing --------------------------------------------------------------


def test_a_learners_suggestion_waits_and_changes_nothing(app, client, login, create_user):
    login(create_user("amina"))
    back = "/translate/es?q=search"
    response = client.submit(
        f"/translate/es/m/{SEARCH}", {"text-0": " Busca un curso ", "back": back}
    )
    assert response.status_code == 302 and response.location == back
    assert suggestions() == [("Search courses", ["Busca un curso"], "pending")]
    assert "Buscar cursos" in home(app) and "Busca un curso" not in home(app)
    listed = page_text(client.get(back))
    assert "1 suggestion waiting" in listed
    message = page_text(client.get(f"/translate/es/m/{SEARCH}"))
    assert "Busca un curso" in message and "Suggested by amina" in message
    assert "/approve" not in message  # not a translator


def test_a_translator_approves_and_the_page_changes_at_once(
    app, client, login, create_user, translator
):
    amina = create_user("amina", locale="es")
    login(amina)
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Busca un curso"})
    [suggestion_id] = db.session.scalars(select(TranslationSuggestion.id))
    assert "Buscar cursos" in page_text(client.get("/"))  # amina reads the site in Spanish
    client.submit("/logout")
    login(translator)
    message = page_text(client.get(f"/translate/es/m/{SEARCH}"))
    assert f"/translate/es/suggestions/{suggestion_id}/approve" in message
    response = client.submit(f"/translate/es/suggestions/{suggestion_id}/approve")
    assert response.status_code == 302
    assert suggestions() == [("Search courses", ["Busca un curso"], "approved")]
    # Approving twice is refused without harm.
    response = client.submit(f"/translate/es/suggestions/{suggestion_id}/approve")
    assert "already decided" in page_text(client.get(response.location))
    assert "Search courses" in page_text(client.get("/"))  # English is untouched
    client.submit("/logout")
    login(amina)
    page = page_text(client.get("/"))
    assert "Busca un curso" in page and "Buscar cursos" not in page
    assert "Busca un curso" in home(app)  # and so does a visitor reading in Spanish


def test_a_translator_rejects_a_suggestion(app, client, login, create_user, translator):
    login(create_user("amina"))
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Cursos buscar"})
    [suggestion_id] = db.session.scalars(select(TranslationSuggestion.id))
    client.submit("/logout")
    login(translator)
    client.submit(f"/translate/es/suggestions/{suggestion_id}/reject")
    assert suggestions() == [("Search courses", ["Cursos buscar"], "rejected")]
    assert "Buscar cursos" in home(app)
    message = page_text(client.get(f"/translate/es/m/{SEARCH}"))
    assert "rejected by tradu" in message


def test_a_translator_saves_directly_and_the_latest_approval_wins(
    app, client, login, create_user, translator
):
    login(create_user("amina"))
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Buscar un curso"})
    [older] = db.session.scalars(select(TranslationSuggestion.id))
    client.submit("/logout")
    login(translator)
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Encuentra cursos"})
    assert "Encuentra cursos" in home(app)
    client.submit(f"/translate/es/suggestions/{older}/approve")
    assert "Buscar un curso" in home(app)
    assert [s[2] for s in suggestions()] == ["approved", "approved"]  # nothing deleted
    assert db.session.scalar(select(TranslationOverride.suggestion_id)) == older


def test_only_the_languages_translators_review(client, login, create_user):
    other = create_user("other")
    db.session.add(Translator(user_id=other.id, locale="sw"))
    admin = create_user("admin", is_admin=True)
    db.session.commit()
    login(create_user("amina"))
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Busca"})
    [suggestion_id] = db.session.scalars(select(TranslationSuggestion.id))
    for user in (None, other, admin):
        client.submit("/logout")
        if user is not None:
            login(user)
        for action in ("approve", "reject"):
            response = client.submit(f"/translate/es/suggestions/{suggestion_id}/{action}")
            assert response.status_code == (403 if user else 302)
            if user is None:
                assert "/login" in response.location
    assert suggestions() == [("Search courses", ["Busca"], "pending")]


def test_reviewing_needs_csrf(client, login, create_user, translator):
    login(create_user("amina"))
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Busca"})
    [suggestion_id] = db.session.scalars(select(TranslationSuggestion.id))
    client.submit("/logout")
    login(translator)
    assert client.post(f"/translate/es/suggestions/{suggestion_id}/approve").status_code == 400
    assert client.post(f"/translate/es/m/{SEARCH}", data={"text-0": "X"}).status_code == 400
    assert suggestions() == [("Search courses", ["Busca"], "pending")]


def test_a_placeholder_mismatch_is_refused_and_the_text_kept(client, login, create_user):
    login(create_user("amina"))
    response = client.submit(
        f"/translate/es/m/{PAGES}", {"text-0": "Página %(page)s de %(paginas)s"}
    )
    assert response.status_code == 422
    page = page_text(response)
    assert "Keep %(pages)s exactly as in the English text" in page
    assert "Remove %(paginas)s or correct its spelling" in page
    assert re.search(r"<textarea[^>]*>\s*Página %\(page\)s de %\(paginas\)s</textarea>", page)
    assert suggestions() == []


def test_an_empty_or_unchanged_text_is_refused(client, login, create_user):
    login(create_user("amina"))
    response = client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "  "})
    assert response.status_code == 422 and "Write the translation here." in page_text(response)
    response = client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Buscar cursos"})
    assert response.status_code == 422 and "already the text in use" in page_text(response)
    assert suggestions() == []


def test_a_plural_message_is_translated_form_by_form(
    app, client, login, create_user, create_course, translator
):
    create_course("uno", language="es")
    login(translator)
    form = page_text(client.get(f"/translate/es/m/{COURSES}"))
    assert 'for="text-0">Form “one” (for example 1)' in form
    assert 'for="text-1">Form “other” (for example 0, 2, 3, 4, 5)' in form
    response = client.submit(
        f"/translate/es/m/{COURSES}",
        {"text-0": "%(num)s curso disponible", "text-1": "%(num)s cursos"},
    )
    assert response.status_code == 302
    assert "1 curso disponible" in home(app)
    create_course("dos", language="es")
    assert "2 cursos" in home(app)
    response = client.submit(
        f"/translate/es/m/{COURSES}", {"text-0": "Un curso", "text-1": "%(num)s cursos"}
    )
    assert response.status_code == 422
    assert "Keep %(num)s exactly" in page_text(response)
    assert client.submit(f"/translate/es/m/{COURSES}", {"text-0": "Uno"}).status_code == 422
    assert suggestions() == [
        ("%(num)s course", ["%(num)s curso disponible", "%(num)s cursos"], "approved")
    ]


def test_a_translator_edits_a_suggestion_before_saving(client, login, create_user, translator):
    login(create_user("amina"))
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Busca cursoss"})
    [suggestion_id] = db.session.scalars(select(TranslationSuggestion.id))
    client.submit("/logout")
    login(translator)
    form = page_text(client.get(f"/translate/es/m/{SEARCH}?edit={suggestion_id}"))
    assert re.search(r"<textarea[^>]*>\s*Busca cursoss</textarea>", form)


# --- Export ---------------------------------------------------------------------------------


def test_export_contains_the_approved_text_and_reads_back(client, login, create_user, translator):
    login(translator)
    client.submit(f"/translate/es/m/{SEARCH}", {"text-0": "Busca un curso"})
    client.submit(
        f"/translate/es/m/{COURSES}", {"text-0": "%(num)s curso", "text-1": "%(num)s cursitos"}
    )
    response = client.get("/translate/es/export.po")
    assert response.status_code == 200
    assert response.mimetype == "text/x-gettext-translation"
    assert "messages-es.po" in response.headers["Content-Disposition"]
    exported = read_po(io.BytesIO(response.data))
    assert exported["Search courses"].string == "Busca un curso"
    assert exported["%(num)s course"].string == ("%(num)s curso", "%(num)s cursitos")
    assert exported["Log in"].string == "Iniciar sesión"


def test_only_translators_and_admins_export(client, login, create_user):
    login(create_user("amina"))
    assert client.get("/translate/es/export.po").status_code == 403
    client.submit("/logout")
    login(create_user("admin", is_admin=True))
    assert client.get("/translate/es/export.po").status_code == 200
