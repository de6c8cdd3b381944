"""Translations: other language versions are linked, and a translated module whose source
moved on is marked outdated until a maintainer marks it up to date."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from peerlearn.authoring.editing import add_module
from tests.fixtures.forks import course, module


@pytest.fixture
def translations(db, create_user, biogas, fork):
    amina, rosa = create_user("amina"), create_user("rosa")
    fork("biogas", amina, "biogas-rw", title="Biyogaze", as_translation=True, language="rw")
    fork("biogas", rosa, "biogas-es", title="Biodigestor", as_translation=True, language="es")
    return amina, rosa


def also_available(html: str) -> list[tuple[str, str]]:
    match = re.search(r'<span class="also">(.*?)</span>', html, re.S)
    if not match:
        return []
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', match.group(1))


def test_also_available_in_lists_source_and_other_translations(client, translations):
    assert also_available(client.get("/courses/biogas").get_data(as_text=True)) == [
        ("/courses/biogas-es", "Spanish"), ("/courses/biogas-rw", "Kinyarwanda"),
    ]  # fmt: skip
    assert also_available(client.get("/courses/biogas-rw").get_data(as_text=True)) == [
        ("/courses/biogas", "English"), ("/courses/biogas-es", "Spanish"),
    ]  # fmt: skip
    page = client.get("/courses/biogas-es").get_data(as_text=True)
    assert "Translation of" in page
    assert [lang for _href, lang in also_available(page)] == ["English", "Kinyarwanda"]


def test_course_without_translations_shows_none(client, biogas):
    assert "Also available in" not in client.get("/courses/biogas").get_data(as_text=True)


def test_outdated_translation_is_marked_and_can_be_marked_up_to_date(
    app, client, db, login, create_user, translations, edit
):
    amina, _rosa = translations
    source = module(db, "biogas", "module-2")
    base = module(db, "biogas-rw", "module-2").upstream_revision_id
    page = client.get("/courses/biogas-rw/m/module-2").get_data(as_text=True)
    assert "outdated" not in page
    carla = create_user("carla")
    theirs = edit("biogas", "module-2", carla, body="A deeper trench.\n")

    course_page = client.get("/courses/biogas-rw").get_data(as_text=True)
    assert "1 change in the source course is not translated yet." in course_page
    assert re.search(
        r'href="/courses/biogas-rw/m/module-2"[^>]*>Trench</a> <span class="outdated">', course_page
    )
    with app.test_request_context():
        if "authoring.module_diff" in app.view_functions:
            expected = url_for("authoring.module_diff", slug="biogas", module_slug=source.slug,
                               **{"from": base, "to": theirs.id})  # fmt: skip
        else:
            expected = url_for("catalog.module", slug="biogas", module_slug=source.slug)
    assert f'href="{expected.replace("&", "&amp;")}"' in course_page
    assert client.get(expected).status_code == 200

    page = client.get("/courses/biogas-rw/m/module-2").get_data(as_text=True)
    assert "outdated" in page and f'href="{expected.replace("&", "&amp;")}"' in page
    assert "Mark as up to date" not in page  # visitors see the mark, not the button
    assert "outdated" not in client.get("/courses/biogas-rw/m/module-1").get_data(as_text=True)
    # Kinyarwanda agrees the mark with "igice" (module, class 7: gi-), not "isomo" (ri-).
    kinyarwanda = {"Accept-Language": "rw"}
    for url in ("/courses/biogas-rw", "/courses/biogas-rw/m/module-2"):
        page = client.get(url, headers=kinyarwanda).get_data(as_text=True)
        assert '<span class="outdated">gikeneye kuvugururwa</span>' in page

    login(amina)
    page = client.get("/courses/biogas-rw/m/module-2").get_data(as_text=True)
    assert "Mark as up to date" in page
    sync_page = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    assert "not merged automatically" in sync_page and "Mark as up to date" in sync_page
    text_before = module(db, "biogas-rw", "module-2").current.body
    response = client.submit("/courses/biogas-rw/m/module-2/up-to-date")
    assert response.status_code == 302
    translated = module(db, "biogas-rw", "module-2")
    assert translated.upstream_revision_id == theirs.id
    assert translated.current.body == text_before  # nothing merged into the translation
    assert "outdated" not in client.get("/courses/biogas-rw/m/module-2").get_data(as_text=True)
    assert "not translated yet" not in client.get("/courses/biogas-rw").get_data(as_text=True)
    again = client.submit("/courses/biogas-rw/m/module-2/up-to-date")
    assert again.status_code == 302  # already up to date: a message, no change


def test_translation_sync_adds_new_source_modules_untranslated(
    client, db, login, translations, create_user
):
    amina, _rosa = translations
    add_module(create_user("carla"), course(db, "biogas"), title="Feeding", slug="feeding",
               body="Daily.\n")  # fmt: skip
    db.session.commit()
    login(amina)
    html = client.get("/courses/biogas-rw").get_data(as_text=True)
    assert "1 change in the source course is not translated yet." in html
    page = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    feeding = module(db, "biogas", "feeding")
    assert f'value="{feeding.id}" checked' in page
    assert client.submit("/courses/biogas-rw/sync", {"add": str(feeding.id)}).status_code == 302
    added = module(db, "biogas-rw", "feeding")
    assert added.current.body == "Daily.\n" and added.upstream_module_id == feeding.id


def test_mark_up_to_date_permissions(client, db, login, create_user, translations, fork, edit):
    _amina, rosa = translations
    edit("biogas", "module-2", create_user("carla"), body="Changed.\n")
    anonymous = client.submit("/courses/biogas-rw/m/module-2/up-to-date")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(rosa)  # maintains the Spanish translation, not the Kinyarwanda one
    assert client.submit("/courses/biogas-rw/m/module-2/up-to-date").status_code == 403
    assert client.get("/courses/biogas-rw/m/module-2/up-to-date").status_code == 405
    assert client.post("/courses/biogas-es/m/module-2/up-to-date").status_code == 400
    assert client.submit("/courses/biogas-es/m/nope/up-to-date").status_code == 404
    assert client.submit("/courses/nope/m/module-2/up-to-date").status_code == 404
    fork("biogas", rosa, "biogas-copy")
    assert client.submit("/courses/biogas-copy/m/module-2/up-to-date").status_code == 404
    assert module(db, "biogas-rw", "module-2").upstream_revision_id != (
        module(db, "biogas", "module-2").current_revision_id
    )
