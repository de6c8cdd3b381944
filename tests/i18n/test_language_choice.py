"""The language a person chose stays chosen: saving settings, registering (directly or
through the confirmation email), regional browser languages, caches told what a page
depends on, and every language shown by its name, never by a bare code."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.authoring.fork_forms import COURSE_LANGUAGES
from peerlearn.extensions import db
from peerlearn.i18n import language_name, own_language_name
from tests.fixtures.mailbox import mailbox  # noqa: F401  (a fixture)

COOKIE = "peerlearn_lang"
REGISTRATION = {
    "username": "maria",
    "email": "maria@example.org",
    "password": "quinoa fields at dawn",
    "confirm": "quinoa fields at dawn",
}


def lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True)).group(1)


def selected_language(html: str) -> str:
    """The option the page's preferences/registration form has selected."""
    select_html = re.search(r'<select[^>]*name="language"[^>]*>(.*?)</select>', html, re.S)
    assert select_html, html
    chosen = re.findall(r"<option([^>]*)>", select_html.group(1))
    values = [
        re.search(r'value="([^"]+)"', attrs).group(1) for attrs in chosen if "selected" in attrs
    ]
    assert len(values) == 1, values
    return values[0]


# --- Settings ----------------------------------------------------------------------------


def test_settings_show_and_keep_the_saved_language(client, login, create_user):
    user = create_user(locale="es")
    login(user)
    page = client.get("/settings")
    assert lang(page) == "es"
    assert selected_language(page.get_data(as_text=True)) == "es"
    # Saving the form as shown (only the time zone changed) keeps Spanish.
    response = client.submit("/settings", {"language": "es", "timezone": "America/La_Paz"})
    assert response.status_code == 302
    page = client.get("/settings")
    assert lang(page) == "es"
    assert selected_language(page.get_data(as_text=True)) == "es"
    assert db.session.get(User, user.id).locale == "es"


# --- Registration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [("fr", "es", "fr"), (None, "quz-PE,es;q=0.5", "qu"), (None, "de", "en")],
)
def test_the_registration_form_starts_in_the_visitors_language(client, cookie, accept, expected):
    if cookie:
        client.set_cookie(COOKIE, cookie)
    html = client.get("/register", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert selected_language(html) == expected


def test_a_new_account_keeps_the_switchers_language(client):
    client.submit("/language", {"language": "rw"})
    response = client.submit("/register", REGISTRATION, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.locale)) == "rw"
    assert lang(client.get("/dashboard", headers={"Accept-Language": "en"})) == "rw"


def test_a_new_account_without_a_cookie_gets_the_browsers_language(client):
    client.submit("/register", REGISTRATION, headers={"Accept-Language": "es-BO,en;q=0.5"})
    assert db.session.scalar(select(User.locale)) == "es"


def test_registration_by_email_keeps_the_language(client, mailbox):  # noqa: F811
    client.submit("/language", {"language": "es"})
    page = client.submit("/register", REGISTRATION, headers={"Accept-Language": "en"})
    assert lang(page) == "es"
    (email,) = mailbox.to("maria@example.org")
    assert email["Content-Language"] == "es"
    (link,) = mailbox.links("maria@example.org")
    client.delete_cookie(COOKIE)  # the link may be opened in another browser
    assert client.submit(link, headers={"Accept-Language": "en"}).status_code == 302
    assert db.session.scalar(select(User.locale)) == "es"
    assert lang(client.get("/dashboard", headers={"Accept-Language": "en"})) == "es"


def test_an_explicit_choice_in_the_form_wins(client):
    client.set_cookie(COOKIE, "fr")
    client.submit("/register", {**REGISTRATION, "language": "sw"})
    assert db.session.scalar(select(User.locale)) == "sw"


# --- Regional and ISO 639-3 browser languages ----------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("quz-BO", "qu"),
        ("quz-PE,es;q=0.8", "qu"),
        ("qub", "qu"),
        ("quh-BO", "qu"),
        ("qul", "qu"),
        ("es-BO", "es"),
        ("fr-RW,en;q=0.5", "fr"),
        ("rw-RW", "rw"),
        ("kin", "rw"),
        ("sw-KE", "sw"),
        ("swh", "sw"),
        ("de-DE,quz-PE;q=0.4", "qu"),
        ("ay-BO,es-BO;q=0.9,en;q=0.8", "es"),
        ("es;q=0,fr", "fr"),
        ("de", "en"),
    ],
)
def test_browser_languages_match_by_language(client, accept, expected):
    assert lang(client.get("/", headers={"Accept-Language": accept})) == expected


# --- Vary ------------------------------------------------------------------------------


def test_pages_chosen_by_the_request_say_what_they_vary_on(client):
    response = client.get("/", headers={"Accept-Language": "es"})
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert {"accept-language", "cookie"} <= vary


def test_non_html_does_not_vary_by_language(client):
    vary = client.get("/healthz").headers.get("Vary", "")
    assert "Accept-Language" not in vary


# --- Language names ------------------------------------------------------------------


NAMED = {
    ("ay", "en"): "Aymara",
    ("ay", "es"): "Aimara",
    ("ay", "rw"): "Icyayimara",
    ("qu", "rw"): "Igikecuwa",
    ("lg", "rw"): "Ikigande",
    ("lg", "en"): "Luganda",
    ("gn", "es"): "Guaraní",
    ("sw", "fr"): "Swahili",
    ("rw", "qu"): "Kinyarwanda simi",
    ("quz-PE", "es"): "Quechua (Perú)",
    ("es-BO", "en"): "Spanish (Bolivia)",
}


@pytest.mark.parametrize(("code", "reader"), sorted(NAMED))
def test_languages_are_named_in_the_readers_language(app, code, reader):
    assert language_name(code, in_locale=reader) == NAMED[code, reader]


@pytest.mark.parametrize(
    ("code", "own"),
    [("ay", "Aymar aru"), ("qu", "Runasimi"), ("rw", "Ikinyarwanda"), ("sw", "Kiswahili"),
     ("lg", "Luganda"), ("gn", "Avañe'ẽ"), ("es", "Español")],
)  # fmt: skip
def test_languages_are_named_in_themselves(app, code, own):
    assert own_language_name(code) == own


@pytest.mark.parametrize("reader", ["en", "es", "fr", "rw", "sw", "qu"])
def test_no_language_is_a_bare_code_in_any_interface_language(app, reader):
    for code in COURSE_LANGUAGES:  # every language a course can be written in
        name = language_name(code, in_locale=reader)
        assert name.lower() != code and len(name) > 3, (code, reader, name)


@pytest.mark.parametrize("reader", ["en", "rw", "qu"])
def test_no_page_shows_a_bare_code_as_a_language(client, create_course, reader):
    for code in ("ay", "qu", "lg", "rw", "gn", "sw"):
        create_course(f"course-{code}", language=code)
    client.set_cookie(COOKIE, reader)
    for path in ("/", "/courses/course-ay", "/courses/course-lg"):
        html = client.get(path).get_data(as_text=True)
        options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
        metas = re.findall(r'<p class="meta"[^>]*>\s*([^<·]*?)\s*·', html)
        language_dd = re.findall(r"<dd>([^<]*)</dd>", html)
        for name in options + metas + language_dd:
            assert name.strip().lower() not in {"ay", "qu", "lg", "rw", "gn", "sw"}, (path, name)
    assert "Aymar" in client.get("/").get_data(as_text=True) or reader != "en"
