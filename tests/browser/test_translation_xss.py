"""A hostile translation in a real browser: refused when it carries markup, and shown as
plain text when it reaches the pages anyway (approved, or from before the check).

JavaScript is on and the Content-Security-Policy bypassed here, so that a dialog would
really open if a translation were put into the page as markup: the escaping alone must
keep every page clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from peerlearn.community_i18n.catalog import message_key
from peerlearn.community_i18n.models import (
    SuggestionStatus,
    TranslationSuggestion,
    Translator,
    encode_forms,
)
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser

SEARCH = "Search courses"
PLACEHOLDER = "e.g. biogas, solar, cookstove"
ATTRIBUTE = '" autofocus onfocus="alert(document.domain)" x="'


@pytest.fixture
def browse(chromium: Any) -> Iterator[Any]:
    """``browse(locale)``: a page with JavaScript on and the CSP bypassed, recording any
    dialog in ``page.dialogs``."""
    contexts = []

    def make(locale: str = "en") -> Any:
        context = chromium.new_context(
            bypass_csp=True, locale=locale, extra_http_headers={"Accept-Language": locale}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.dialogs = []

        def opened(dialog: Any) -> None:
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", opened)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page: Any, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def injected(page: Any) -> list[str]:
    """Elements a translation could have added: scripts, images, handlers."""
    return page.evaluate(
        """() => [...document.querySelectorAll('script, img, [autofocus], *')]
             .filter(el => el.tagName === 'SCRIPT' || el.tagName === 'IMG'
                           || el.hasAttribute('autofocus')
                           || [...el.attributes].some(a => a.name.startsWith('on')))
             .map(el => el.outerHTML.slice(0, 100))"""
    )


def test_a_hostile_suggestion_is_refused_and_an_approved_one_stays_text(
    server, browse, create_user
):
    create_user("mallory")
    translator = create_user("tradu")
    db.session.add(Translator(user_id=translator.id, locale="es"))
    db.session.commit()

    # A suggestion with a tag is refused with a message saying why.
    mallory = browse()
    log_in(mallory, server, "mallory")
    mallory.goto(f"{server}/translate/es/m/{message_key(SEARCH)}")
    mallory.get_by_label("Translation").fill("Sug <img src=x onerror=alert(1)>")
    mallory.get_by_role("button", name="Send suggestion").click()
    error = mallory.locator("p.error").inner_text()
    assert "Remove <img src=x onerror=alert(1)>: translations are plain text" in error
    assert injected(mallory) == []

    # Quotes are no markup: the suggestion is taken, and the translator approves it.
    mallory.goto(f"{server}/translate/es/m/{message_key(PLACEHOLDER)}")
    mallory.get_by_label("Translation").fill(ATTRIBUTE)
    mallory.get_by_role("button", name="Send suggestion").click()
    assert "Your suggestion waits" in mallory.locator(".flash").inner_text()

    tradu = browse()
    log_in(tradu, server, "tradu")
    tradu.goto(f"{server}/translate/es/m/{message_key(PLACEHOLDER)}")
    assert tradu.locator("p.preview").inner_text() == ATTRIBUTE
    tradu.get_by_role("button", name="Approve").click()
    assert "Approved." in tradu.locator(".flash").inner_text()
    assert injected(tradu) == []

    # A visitor reading in Spanish gets the approved text as the search box's placeholder,
    # exactly as typed, and nothing runs.
    visitor = browse("es")
    visitor.goto(server + "/")
    visitor.wait_for_timeout(300)  # time for a focus handler to fire, were there one
    assert visitor.locator("#q").get_attribute("placeholder") == ATTRIBUTE
    assert injected(visitor) == []
    assert visitor.dialogs == mallory.dialogs == tradu.dialogs == []


def test_a_hostile_suggestion_from_before_the_check_shows_as_text_and_cannot_be_approved(
    server, browse, create_user
):
    mallory = create_user("mallory")
    translator = create_user("tradu")
    db.session.add(Translator(user_id=translator.id, locale="es"))
    hostile = "Busca <img src=x onerror=alert(2)><script>alert(3)</script>"
    db.session.add(
        TranslationSuggestion(
            locale="es", msg_key=message_key(SEARCH), msgid=SEARCH, msgid_plural=None,
            context=None, text=encode_forms((hostile,)), author_id=mallory.id,
            status=SuggestionStatus.PENDING.value,
        )
    )  # fmt: skip
    db.session.commit()

    tradu = browse()
    log_in(tradu, server, "tradu")
    tradu.goto(f"{server}/translate/es/m/{message_key(SEARCH)}")
    tradu.wait_for_timeout(300)
    assert tradu.locator("p.preview").inner_text() == hostile
    assert "cannot" not in tradu.locator("p.preview").inner_text()
    assert "edit it before saving, or reject it" in tradu.locator("li p.error").inner_text()
    assert tradu.get_by_role("button", name="Approve").count() == 0
    assert injected(tradu) == []

    tradu.get_by_role("button", name="Reject").click()
    assert "Suggestion rejected." in tradu.locator(".flash").inner_text()
    assert injected(tradu) == [] and tradu.dialogs == []
