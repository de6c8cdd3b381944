"""The caching rules of peerlearn/edge.py as a browser or a proxy sees them: what names
its content is kept long (the stylesheet a year, for anyone), a learner's photo only by
their own browser (never ``public``), and a conditional request for something unchanged
is answered 304 with no body, so a revisit on a slow connection costs only headers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.http import parse_cache_control_header

from peerlearn.templating import asset_url
from tests.fixtures.buildlogs import LOG
from tests.security.test_removed_photos import _add_photo, _photo_ids, _remove


def stylesheet(app: Flask) -> str:
    with app.test_request_context():
        return asset_url("style.css")


def directives(response: Any) -> dict[str, Any]:
    cache = parse_cache_control_header(response.headers.get("Cache-Control"))
    return {key: cache.get(key) for key in cache}


def assert_not_modified(response: Any) -> None:
    assert response.status_code == 304
    assert response.get_data() == b""


def test_the_fingerprinted_stylesheet_is_public_for_a_year_and_immutable(app, client):
    response = client.get(stylesheet(app))
    assert response.status_code == 200
    assert directives(response) == {"public": None, "max-age": "31536000", "immutable": None}


def test_the_stylesheet_without_its_current_fingerprint_is_revalidated(client):
    for path in ("/static/style.css", "/static/style.css?v=0123456789ab"):
        response = client.get(path)
        assert response.status_code == 200
        cache = directives(response)
        assert "no-cache" in cache and "immutable" not in cache and "max-age" not in cache


def test_a_revalidated_stylesheet_is_304_with_no_body(app, client):
    url = stylesheet(app)
    for encoding in ("identity", "gzip", "br"):
        first = client.get(url, headers={"Accept-Encoding": encoding})
        etag = first.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
        assert_not_modified(again)
    modified = client.get(url).headers["Last-Modified"]
    assert_not_modified(client.get(url, headers={"If-Modified-Since": modified}))


def test_a_signed_in_person_keeps_the_stylesheet_and_stores_no_page(
    app, client, login, create_user
):
    login(create_user("amina"))
    assert "immutable" in directives(client.get(stylesheet(app)))
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


def test_a_draft_photo_is_private_and_revalidated_with_a_304(client, started, add_entry):
    entry = add_entry()
    display, thumb = _add_photo(client, entry)
    for path in (display, thumb):
        response = client.get(path)
        assert response.status_code == 200
        assert directives(response) == {"private": None, "no-cache": None}
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert_not_modified(again)
        assert "public" not in again.headers.get("Cache-Control", "")


def test_a_submitted_photo_is_kept_a_week_privately_and_revalidated_with_a_304(
    client, started, add_entry
):
    entry = add_entry()
    display, _thumb = _add_photo(client, entry)
    client.submit(LOG, {"title": "Digester", "summary": ""})
    assert client.submit(f"{LOG}/submit").status_code == 302
    _remove(client, entry, _photo_ids(entry)[0])  # the submitted version still shows it
    response = client.get(display)
    assert directives(response) == {"private": None, "max-age": "604800"}
    assert_not_modified(client.get(display, headers={"If-None-Match": response.headers["ETag"]}))


def test_a_signed_in_reader_may_keep_the_offline_zip_privately_and_revalidate_it(
    client, login, create_user, sample_courses
):
    login(create_user("amina"))
    path = "/courses/solar-home-systems/offline.zip"
    first = client.get(path)
    assert first.status_code == 200
    assert directives(first) == {"private": None, "max-age": "300"}
    assert_not_modified(client.get(path, headers={"If-None-Match": first.headers["ETag"]}))
