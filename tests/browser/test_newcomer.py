"""The newcomer's path, in a real browser with JavaScript turned off."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_register_find_enrol_read_and_see_progress(server, page_without_js, sample_courses):
    page = page_without_js
    biogas = next(c for c in sample_courses if c.slug == "tubular-biogas-digester")
    total = len(biogas.modules)

    page.goto(server + "/")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("Username").fill("wanjiru")
    page.get_by_label("Email").fill("wanjiru@example.org")
    page.get_by_label("Password", exact=True).fill("bean harvest in march")
    page.get_by_label("Repeat password").fill("bean harvest in march")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_role("button", name="Create account").click()
    assert "Welcome to peerlearn, wanjiru!" in page.content()

    page.get_by_label("Search courses").fill("biogas")
    page.get_by_role("button", name="Search").click()
    assert re.search(r"[?&]q=biogas", page.url)
    page.get_by_role("link", name=biogas.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == biogas.title

    page.get_by_role("button", name="Enrol in this course").click()
    assert f"0 of {total} modules done" in page.content()
    first = biogas.modules[0]
    page.get_by_role("link", name=first.title).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == first.title
    assert page.locator("article.module h2").count() > 0
    page.get_by_role("button", name="Mark as done").click()
    assert "You marked this module as done." in page.content()

    page.get_by_role("link", name="My learning").click()
    card = page.locator(".card", has_text=biogas.title)
    assert f"1 of {total} modules done" in card.inner_text()
    card.get_by_role("link", name=re.compile("Continue where you left off")).click()
    assert page.get_by_role("heading", level=1).inner_text() == biogas.modules[1].title


def test_spanish_speaker_reads_the_interface_in_spanish(server, chromium, sample_courses):
    context = chromium.new_context(java_script_enabled=False, locale="es-BO")
    page = context.new_page()
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Buscar cursos").fill("cocina")
    page.get_by_role("button", name="Buscar").click()
    assert page.get_by_role("link", name=re.compile("Cocinas mejoradas")).count() == 1
    context.close()
