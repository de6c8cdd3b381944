"""Every page of the foundation, rendered in Spanish, shows no English interface text."""

from __future__ import annotations

import html as html_lib
import re

from babel.messages.pofile import read_po

from tests.settings import ROOT


def english_phrases() -> set[str]:
    """Interface messages whose Spanish differs from the English, without placeholders."""
    with (ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    phrases = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or "%(" in message.id:
            continue
        if message.string != message.id and len(message.id) > 3:
            phrases.add(message.id)
    return phrases


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'\b(?:href|src|action|value|name|id|for|class|rel)="[^"]*"', " ", page)
    return html_lib.unescape(page)


def test_foundation_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course
):
    create_course("biogas", title="Biogas", modules=[("Uno", "Texto."), ("Dos", "Más.")])
    user = create_user("amina", locale="es")
    anonymous_pages = [
        "/",
        "/?q=zzz",
        "/login",
        "/register",
        "/courses/biogas",
        "/users/amina",
        "/nope",
    ]
    found: dict[str, list[str]] = {}
    phrases = english_phrases()

    def check(path: str) -> None:
        response = client.get(path, headers={"Accept-Language": "es"})
        text = visible_text(response.get_data(as_text=True))
        leaks = sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))
        if leaks:
            found[path] = leaks

    for path in anonymous_pages:
        check(path)
    login(user)
    client.submit("/courses/biogas/enrol")
    for path in ["/dashboard", "/settings", "/courses/biogas", "/courses/biogas/m/module-1"]:
        check(path)
    client.submit("/courses/biogas/m/module-1/progress", {"done": "1"})
    check("/courses/biogas/m/module-1")
    check("/dashboard")
    assert found == {}
