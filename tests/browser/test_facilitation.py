"""A facilitator before the weekly meeting, on a 360 px phone with JavaScript off: from the
circle's page to the view of every learner's progress, a message to the circle, and a
co-facilitator named, in Spanish and in Kinyarwanda."""

from __future__ import annotations

from typing import Any

import pytest

from peerlearn.circles.membership import is_facilitator
from peerlearn.extensions import db
from tests.browser.test_accessibility import log_in
from tests.browser.test_phone_width import HEIGHT, WIDTH, describe, overflow
from tests.fixtures import facilitation as circles

pytestmark = pytest.mark.browser

#: The circle fixture of the facilitation tests.
circle_scene = circles.circle_scene


@pytest.mark.parametrize(("locale", "stage", "sent"), [
    ("es", "Entregada", "Su mensaje se envía a cada miembro del círculo."),
    ("rw", "Yoherejwe", "Ubutumwa bwanyu bwoherejwe kuri buri munyamuryango w'itsinda."),
])  # fmt: skip
def test_a_facilitator_prepares_the_meeting_on_a_phone_without_javascript(
    chromium: Any, server: str, circle_scene: Any, locale: str, stage: str, sent: str
) -> None:
    scene = circle_scene(3, submitted=1)
    scene.facilitator.locale = locale
    db.session.commit()
    context = chromium.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, locale=locale, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, server, scene.facilitator.username)
        page.goto(f"{server}/circles/{scene.circle.id}")
        page.locator(f"a[href='/circles/{scene.circle.id}/facilitate']").click()

        rows = page.locator("table.roster tbody tr")
        assert rows.count() == 3
        assert rows.first.locator("td").nth(2).inner_text() == stage
        assert not (found := overflow(page)), describe(page.url, found or {})
        # Printed for the meeting: the list, without the site's navigation and the forms.
        page.emulate_media(media="print")
        assert page.locator("table.roster").is_visible()
        assert not page.locator("header.site").is_visible()
        assert not page.locator("#facilitators").is_visible()
        page.emulate_media(media="screen")

        page.locator(f"a[href='/circles/{scene.circle.id}/messages']").first.click()
        page.locator("textarea[name=body]").fill("Nos vemos el jueves en la biblioteca.")
        page.locator("main form button").click()
        assert sent in page.inner_text(".flashes")
        assert "Nos vemos el jueves" in page.inner_text("main")
        assert not (found := overflow(page)), describe(page.url, found or {})

        page.goto(f"{server}/circles/{scene.circle.id}/facilitate#facilitators")
        page.locator("input[name=username]").fill("learner002")
        page.locator("#facilitators form button").first.click()
        assert "learner002" in page.inner_text(".flashes")
        assert is_facilitator(scene.learners[1].id, scene.circle)
    finally:
        context.close()
