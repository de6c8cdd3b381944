"""Which language a page speaks: user setting, then switcher cookie, then the browser."""

from __future__ import annotations

import re

import pytest

COOKIE = "peerlearn_lang"


def lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True)).group(1)


def test_browser_language_is_used_when_nothing_else_is_set(client):
    assert lang(client.get("/", headers={"Accept-Language": "es-BO,es;q=0.9"})) == "es"
    assert lang(client.get("/", headers={"Accept-Language": "de"})) == "en"
    assert lang(client.get("/")) == "en"


def test_switcher_cookie_beats_the_browser(client):
    response = client.submit("/language", {"language": "es", "next": "/?q=solar"})
    assert response.status_code == 302 and response.headers["Location"] == "/?q=solar"
    assert lang(client.get("/", headers={"Accept-Language": "en"})) == "es"


def test_switcher_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.submit("/language", {"language": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert client.get_cookie(COOKIE) is None


def test_switcher_needs_csrf(client):
    assert client.post("/language", data={"language": "es"}).status_code == 400


def test_user_setting_beats_cookie_and_browser(client, login, create_user):
    user = create_user(locale="es")
    client.set_cookie(COOKIE, "en")
    login(user)
    assert lang(client.get("/", headers={"Accept-Language": "en"})) == "es"


def test_switcher_saves_the_choice_for_a_logged_in_user(client, login, create_user):
    user = create_user(locale="en")
    login(user)
    client.submit("/language", {"language": "es"})
    assert user.locale == "es"


@pytest.mark.parametrize(
    ("path", "spanish"),
    [
        ("/", "Buscar cursos"),
        ("/login", "Iniciar sesión"),
        ("/register", "Contraseña"),
        ("/courses/biogas", "Módulos"),
        ("/courses/biogas/m/module-1", "Marcar como"),
    ],
)
def test_pages_render_in_spanish(client, login, create_user, create_course, path, spanish):
    create_course("biogas")
    if "/m/" in path:
        login(create_user(locale="es"))
        client.submit("/courses/biogas/enrol")
    html = client.get(path, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert spanish in html


def test_dates_and_numbers_follow_the_locale(client, create_user):
    create_user("amina")
    english = client.get("/users/amina", headers={"Accept-Language": "en"}).get_data(as_text=True)
    spanish = client.get("/users/amina", headers={"Accept-Language": "es"}).get_data(as_text=True)
    year = re.search(r"Member since (\w+ \d+, (\d{4}))", english)
    assert year, english
    assert re.search(rf"\d+ \w+ {year.group(2)}", spanish)  # "26 nov 2026"
