"""Every route of the app, found from its URL map, so that a route added later is checked
without changing this test: every POST refuses a request without a CSRF token, and no
page that needs an account answers an anonymous visitor."""

from __future__ import annotations

import re

import pytest

#: Routes an anonymous visitor may open (the rest redirect to the login page or 403/404).
PUBLIC = re.compile(
    r"^/($|login|register|password/|healthz|photos/|static/|courses/[^/]+(/m/[^/]+)?$|courses/[^/]+/a/[^/]+$"
    r"|courses/[^/]+/offline\.zip$|courses/[^/]+/network$|courses/[^/]+/history|users/)"
)


def _example(rule) -> str:
    """The rule's path with a made-up value for each variable (1 for numbers)."""
    path = rule.rule
    for name, converter in rule._converters.items():
        value = "1" if type(converter).__name__ in ("IntegerConverter",) else "x"
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
    return path


def _rules(app, method: str) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in rule.methods),
        key=lambda rule: rule.rule,
    )


def test_every_post_route_refuses_a_request_without_a_csrf_token(app, client, create_user, login):
    login(create_user("amina"))
    unprotected = []
    for rule in _rules(app, "POST"):
        response = client.post(_example(rule), data={})
        if response.status_code not in (400, 404):
            unprotected.append((rule.rule, response.status_code))
    assert unprotected == []


def test_no_account_page_answers_an_anonymous_visitor(app, client):
    opened = []
    for rule in _rules(app, "GET"):
        path = _example(rule)
        if PUBLIC.match(path) or rule.endpoint == "static":
            continue
        response = client.get(path)
        if response.status_code == 200:
            opened.append(path)
    assert opened == []


@pytest.mark.parametrize("method", ["POST"])
def test_there_are_routes_to_check(app, method):
    assert len(_rules(app, method)) > 50
