"""The edge (peerlearn/edge.py) as a whole: ProxyFix only when configured, and then for the
rate limits and external URLs too; one log line per request, written last.

Compression has its own tests (test_compression.py), as have the security headers and the
rate limits (tests/security/)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import text

from peerlearn import create_app
from peerlearn.extensions import db as _db
from peerlearn.rate_limits import client_address
from tests.fixtures.app import IsolatedClient

SOCKET = "192.0.2.50"


def edge_app(app: Flask, **config: Any) -> Flask:
    """An app like the suite's (same database) with rate limits on, registration limited
    to two a minute per address, and a page that says what the app thinks of the request."""
    other = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_REGISTER": "2/minute",
            **config,
        }
    )
    other.test_client_class = IsolatedClient

    @other.get("/_seen")
    def seen() -> str:
        return f"{client_address()} {url_for('catalog.index', _external=True)}"

    return other


@pytest.fixture
def edge(app: Flask, db: Any) -> Iterator[Any]:
    # Touch the suite's engine so that the db fixture empties the tables the registrations
    # below fill through the other app's engine.
    _db.session.execute(text("SELECT 1"))
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        made.append(edge_app(app, **config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            _db.engine.dispose()


def register(other: Flask, name: str, forwarded_for: str) -> int:
    client = other.test_client()
    response = client.submit(
        "/register",
        {
            "username": name,
            "email": f"{name}@example.org",
            "password": "a long kitchen garden",
            "confirm": "a long kitchen garden",
            "language": "en",
            "timezone": "UTC",
        },
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": SOCKET},
    )
    return response.status_code


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
FROM_SOCKET = {"REMOTE_ADDR": SOCKET}


def test_without_proxy_fix_forwarded_headers_change_nothing(edge):
    other = edge()

    seen = other.test_client().get("/_seen", headers=FORWARDED, environ_base=FROM_SOCKET)

    assert seen.get_data(as_text=True) == f"{SOCKET} http://localhost/"


def test_without_proxy_fix_the_limit_counts_the_socket_address(edge):
    other = edge()

    # Each request claims another client; all come from one socket, and count as one.
    codes = [register(other, f"claimer{n}", f"203.0.113.{n}") for n in range(3)]

    assert codes == [302, 302, 429]


def test_with_proxy_fix_the_forwarded_client_and_scheme_are_honoured(edge):
    other = edge(PROXY_FIX=1)

    seen = other.test_client().get("/_seen", headers=FORWARDED, environ_base=FROM_SOCKET)

    assert seen.get_data(as_text=True) == "203.0.113.7 https://localhost/"


def test_with_proxy_fix_the_limit_counts_each_forwarded_client(edge):
    other = edge(PROXY_FIX=1)

    # One proxy (one socket) in front of several clients: each has its own count.
    assert [register(other, f"visitor{n}", f"203.0.113.{n}") for n in range(3)] == [302] * 3
    assert [register(other, f"sharer{n}", "203.0.113.99") for n in range(3)] == [302, 302, 429]


# --- The request log ---------------------------------------------------------------------


def request_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "peerlearn.request"]


def test_one_line_per_request_with_the_size_sent(client, caplog):
    with caplog.at_level(logging.INFO, logger="peerlearn.request"):
        response = client.get("/login", headers={"Accept-Encoding": "gzip"})

    assert response.headers["Content-Encoding"] == "gzip"
    [line] = request_lines(caplog)
    method, path, status, elapsed, size = line.split()
    assert (method, path, status) == ("GET", "/login", "200")
    assert elapsed.endswith("ms")
    assert size == f"{len(response.data)}B"  # compressed before it was logged


def test_the_one_time_token_of_an_emailed_link_is_not_logged(client, caplog):
    token = "Zq3-secret_token-value"
    with caplog.at_level(logging.INFO, logger="peerlearn.request"):
        client.get(f"/password/reset/{token}")
        client.get(f"/register/confirm/{token}?from=mail")

    lines = request_lines(caplog)
    assert [line.split()[1] for line in lines] == [
        "/password/reset/[token]",
        "/register/confirm/[token]?from=mail",
    ]
    assert not any(token in line for line in lines)


@pytest.mark.parametrize(
    ("sent", "logged"),
    [
        ("5f0c2a9e-1b7d-4c1e-9a57-0d3f7c6b2e11", " id=5f0c2a9e-1b7d-4c1e-9a57-0d3f7c6b2e11"),
        (None, ""),
        ("two words", ""),
        ("x" * 129, ""),
    ],
)
def test_the_proxys_request_id_is_logged_when_it_is_one(client, caplog, sent, logged):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    with caplog.at_level(logging.INFO, logger="peerlearn.request"):
        client.get("/healthz", headers=headers)

    [line] = request_lines(caplog)
    assert line.endswith("B" + logged)
