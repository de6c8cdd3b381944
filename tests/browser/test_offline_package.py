"""An offline package in a real browser: unzipped, opened from file:// with JavaScript off
and every network request refused, it still reads like the course."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: Chromium's own rendering of an unstyled page, to tell that style.css applied.
DEFAULT_MARGIN = "8px"


def test_package_opens_from_the_file_system_without_network(
    client, sample_courses, chromium, tmp_path
):
    response = client.get(
        "/courses/tubular-biogas-digester/offline.zip", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path)
    index = tmp_path / "tubular-biogas-digester" / "index.html"

    context = chromium.new_context(java_script_enabled=False, locale="en-GB")
    refused: list[str] = []

    def only_files(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    page.set_default_timeout(15_000)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    try:
        page.goto(index.as_uri())
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Build a low-cost tubular biogas digester"
        )
        assert page.get_by_role("heading", name="Modules").is_visible()
        # style.css applied: the site's body margin and width, not Chromium's 8px.
        body = page.locator("body")
        assert body.evaluate("b => getComputedStyle(b).marginTop") != DEFAULT_MARGIN
        assert body.evaluate("b => getComputedStyle(b).maxWidth") != "none"

        page.get_by_role("link", name="Installing the digester").click()
        assert page.url.endswith("/modules/04-installing-the-digester.html")
        assert page.get_by_role("heading", level=1).inner_text() == "Installing the digester"
        image = page.locator("article img").first
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0

        page.get_by_role("link", name="Next: Start-up and daily operation").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Start-up and daily operation"
        page.get_by_role("link", name="Gas production test of your tubular digester").click()
        assert page.url.endswith("/assignments/gas-production-test.html")
        expect(page.get_by_role("heading", name="How it will be reviewed")).to_be_visible()
        assert page.locator("table.rubric tbody tr").count() >= 2
        assert page.get_by_role("heading", name="Peer review").is_visible()

        page.get_by_role("link", name="LICENSE.txt").click()
        assert "Creative Commons Attribution-ShareAlike 4.0" in page.content()
    finally:
        context.close()
    assert not refused, refused
    assert not failed, failed
