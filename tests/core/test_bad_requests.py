"""Bad requests get a 4xx page that says what happened, never a 500."""

from __future__ import annotations

import pytest


@pytest.fixture
def signed_in(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user("amina"))
    client.submit("/courses/biogas/enrol")
    return client


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"),
    [
        ("get", "/courses/%FF%FE", None, 404),
        ("get", "/courses/biogas/m/%00", None, 400),
        ("get", "/courses/biogas/media/..%2F..%2Fetc%2Fpasswd", None, 404),
        ("get", "/users/" + "x" * 500, None, 404),
        ("get", "/?page=99999999999999999999", None, 404),
        ("get", "/?q=" + "biogas " * 500, None, 200),
        ("get", "/?language=%00&tag=%27%22", None, 400),
        ("get", "/?tag=%27%22&q=%25_", None, 200),
        ("post", "/login", {"login": "a\x00b", "password": "x"}, 400),
        ("post", "/courses/biogas/m/module-1/progress", {"done": "maybe"}, 400),
        ("post", "/courses/biogas/m/module-99/progress", {"done": "1"}, 404),
        ("post", "/courses/nope/leave", {}, 404),
        ("post", "/settings", {"language": "klingon", "timezone": "UTC"}, 422),
        ("post", "/settings", {"language": ["es", "en"], "timezone": ["UTC", "x"]}, 302),
        ("post", "/language", {"language": "", "next": "javascript:alert(1)"}, 302),
        ("post", "/healthz", {}, 405),
        ("get", "/courses/biogas/enrol", None, 405),
    ],
)
def test_bad_requests_are_4xx(signed_in, method, path, data, expected):
    response = signed_in.get(path) if method == "get" else signed_in.submit(path, data)
    assert response.status_code == expected
    if expected >= 400:
        assert "<h1>" in response.get_data(as_text=True) or response.is_json


def test_login_and_register_with_missing_fields(client, db):
    assert client.submit("/login", {}).status_code == 422
    assert client.submit("/register", {}).status_code == 422
    assert client.submit("/register", {"username": "x" * 10_000}).status_code == 422


def test_a_body_that_is_too_large_is_refused(client):
    response = client.post("/login", data={"login": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
