"""Security headers on every response of every route, no-store for signed-in users, and
X-Forwarded-* trusted only behind a configured number of proxies."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

from peerlearn import create_app
from peerlearn.community_i18n.catalog import message_key
from peerlearn.edge import OWN_CACHING_ENDPOINTS
from peerlearn.templating import asset_url
from tests.fixtures.app import IsolatedClient

#: What every response carries, whatever the route, the user and the status.
EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
CSP_PARTS = (
    "default-src 'self'", "script-src 'none'", "object-src 'none'", "frame-ancestors 'none'",
    "form-action 'self'", "base-uri 'none'",
)  # fmt: skip


def problems(response: Any) -> list[str]:
    """What the response lacks of the headers every response must carry."""
    found = [
        f"{name}: {response.headers.get(name)!r}"
        for name, value in EVERYWHERE.items()
        if response.headers.get(name) != value
    ]
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {part.strip() for part in policy.split(";")}
    found += [f"CSP lacks {part}" for part in CSP_PARTS if part not in directives]
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        found.append("CSP allows inline script or style")
    return found


@pytest.fixture
def world(create_user, create_course, create_assignment) -> dict[str, Any]:
    """Real objects for the URL variables: a course its maintainer (a site admin) can see
    every page of, with an assignment, in a language with a translation to look at."""
    admin = create_user("amina", is_admin=True)
    course = create_course("biogas", maintainer=admin)
    assignment = create_assignment(course, slug="digester")
    return {"user": admin, "course": course, "assignment": assignment}


def example_path(rule: Any, world: dict[str, Any]) -> str:
    values = {
        "slug": world["course"].slug,
        "module_slug": "module-1",
        "assignment_slug": world["assignment"].slug,
        "locale": "es",
        "key": message_key("Search courses"),
        "username": world["user"].username,
        "filename": "style.css",
        "name": "x.png",
    }
    path = rule.rule
    for name, converter in rule._converters.items():
        integer = type(converter).__name__ == "IntegerConverter"
        value = "1" if integer else values.get(name, "x")
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
    return path


def every_rule(app: Flask) -> list[Any]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def test_every_route_sends_the_security_headers_signed_in_or_not(app, client, login, world):
    rules = every_rule(app)
    assert len(rules) > 80
    missing: list[tuple[str, str, int, list[str]]] = []
    statuses: dict[int, int] = {}
    for signed_in in (False, True):
        if signed_in:
            login(world["user"])
        for rule in rules:
            path = example_path(rule, world)
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(path, method=method, data={})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                found = problems(response)
                cacheable = response.headers.get("Cache-Control", "")
                private = signed_in and rule.endpoint not in OWN_CACHING_ENDPOINTS
                if private and cacheable != "no-store":
                    found.append(f"Cache-Control {cacheable!r} for a signed-in user")
                if found:
                    missing.append((method, path, response.status_code, found))
    assert missing == []
    # Real pages, refusals and errors were all among them.
    assert statuses.get(200, 0) > 40 and statuses.get(400) and statuses.get(404)


def test_a_course_and_module_page_for_a_visitor_keep_their_caching(client, world):
    for path in ("/courses/biogas", "/courses/biogas/m/module-1", "/login", "/"):
        response = client.get(path)
        assert response.status_code == 200
        assert problems(response) == []
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_error_pages_carry_the_headers(client):
    not_found = client.get("/no/such/page")
    assert not_found.status_code == 404 and problems(not_found) == []
    bad = client.post("/login", data={"login": "x"})  # no CSRF token
    assert bad.status_code == 400 and problems(bad) == []
    wrong_method = client.delete("/login")
    assert wrong_method.status_code == 405 and problems(wrong_method) == []


def test_the_stylesheet_keeps_its_year_long_cache_even_for_a_signed_in_user(
    app, client, login, world
):
    with app.test_request_context():
        url = asset_url("style.css")
    for signed_in in (False, True):
        if signed_in:
            login(world["user"])
        response = client.get(url)
        assert response.status_code == 200 and problems(response) == []
        assert response.headers["Content-Type"].startswith("text/css")
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache and "no-store" not in cache


def test_a_signed_in_page_is_not_stored(client, login, world):
    login(world["user"])
    for path in ("/dashboard", "/settings", "/courses/biogas", "/translate/es"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    client.submit("/logout")
    assert "no-store" not in client.get("/courses/biogas").headers.get("Cache-Control", "")


def test_hsts_is_sent_in_production_only(app):
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers
    production = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "a-real-secret-for-this-test-only-0123456789",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    response = production.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert problems(response) == []


TEMPLATES = Path(__file__).resolve().parents[2] / "peerlearn"


def test_no_template_has_inline_script_or_style_the_policy_would_block():
    offending = []
    for template in sorted(TEMPLATES.rglob("templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", text, re.I):
            offending.append(str(template.relative_to(TEMPLATES)))
    assert offending == []


# --- ProxyFix --------------------------------------------------------------------------


def app_with(app: Flask, **config: Any) -> Flask:
    """Another app on the test database, with a page that says what it thinks of the
    request's origin."""
    other = create_app(
        {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
        | config
    )
    other.test_client_class = IsolatedClient

    @other.get("/_origin")
    def origin() -> str:
        return f"{request.remote_addr} {request.scheme} {request.host}"

    return other


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7, 198.51.100.2",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "learn.example.org",
}


def origin(make: Callable[..., Flask], **config: Any) -> str:
    client = make(**config).test_client()
    return client.get("/_origin", headers=FORWARDED).get_data(as_text=True)


def test_forwarded_headers_are_ignored_by_default(app):
    assert origin(lambda **c: app_with(app, **c)) == "127.0.0.1 http localhost"


def test_forwarded_headers_of_the_configured_proxies_are_trusted(app, monkeypatch):
    # One proxy: only the address it added (the last one) is trusted.
    one = origin(lambda **c: app_with(app, **c), PROXY_FIX=1)
    assert one == "198.51.100.2 https learn.example.org"
    two = origin(lambda **c: app_with(app, **c), PROXY_FIX=2)
    assert two.startswith("203.0.113.7 ")
    monkeypatch.setenv("PEERLEARN_PROXY_FIX", "1")
    assert origin(lambda **c: app_with(app, **c)).startswith("198.51.100.2 https")


@pytest.mark.parametrize("value", ["yes", -1, True, 1.5])
def test_a_wrong_proxy_setting_refuses_to_start(app, value):
    with pytest.raises(RuntimeError, match="PEERLEARN_PROXY_FIX"):
        app_with(app, PROXY_FIX=value)
