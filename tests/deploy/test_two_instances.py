"""Scale-out in a test: two app instances (two ``create_app``, as two hosts behind a
proxy would run) on one database and one Redis serve one person as if they were one.

What docs/deployment.md ("Scaling out") promises, checked end to end: a login made on one
host works on the other; a logout on one is honoured by the other at once (sessions are
rows in the database, not process memory); a rate limit counts requests to both (the
counts are in Redis); and a job one host enqueues is run by a worker, which here runs in
this process with the other host's app.

Needs Redis: PEERLEARN_TEST_REDIS_URL (this database number is emptied before and after);
skipped when none answers, unless PEERLEARN_REQUIRE_REDIS=1 makes that a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from peerlearn import create_app
from peerlearn.extensions import db as _db
from peerlearn.jobs.queue import use_app, work
from tests.fixtures.app import PASSWORD, IsolatedClient
from tests.fixtures.notices import SITE

REDIS_URL = os.environ.get("PEERLEARN_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
RESET_LINK = re.compile(re.escape(SITE) + r"(/password/reset/\S+)")
COOKIE = "session"


@pytest.fixture
def shared_redis() -> Iterator[Any]:
    """The test Redis database, emptied before and after (only this DB number)."""
    try:
        import redis

        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
        connection.ping()
    except Exception as error:  # no client library or no server
        message = f"Redis not reachable at {REDIS_URL}: {error}"
        if os.environ.get("PEERLEARN_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def host(app: Flask) -> Flask:
    """One app host as deployed: the suite's database, the shared Redis for rate limits
    and jobs, rate limits on, mail configured (sent to the test's recorder)."""
    instance = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": REDIS_URL,  # rate-limit counts and the job queue
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_LOGIN": "3/minute",
            "JOBS_QUEUE": "deploy-test",
            "JOBS_RETRY_INTERVALS": [],
            "SMTP_HOST": "mail.example.org",
            "MAIL_FROM": "peerlearn <noreply@learn.example.org>",
            "SITE_URL": SITE,
        }
    )
    instance.test_client_class = IsolatedClient
    return instance


@pytest.fixture
def hosts(app: Flask, db: Any, shared_redis: Any) -> Iterator[tuple[Flask, Flask]]:
    # Touch the suite's engine so the db fixture empties what the hosts write.
    _db.session.execute(text("SELECT 1"))
    first, second = host(app), host(app)
    yield first, second
    for instance in (first, second):
        with instance.app_context():
            _db.engine.dispose()


def signed_in(client: Any) -> bool:
    return bool(client.get("/dashboard").status_code == 200)


def same_browser_on(instance: Flask, browser: Any) -> Any:
    """A client of ``instance`` with ``browser``'s cookie: the proxy sent this browser's
    next request to the other host."""
    elsewhere = instance.test_client()
    cookie = browser.get_cookie(COOKIE)
    assert cookie is not None
    elsewhere.set_cookie(COOKIE, cookie.value)
    return elsewhere


def test_a_session_started_on_one_host_works_on_the_other_and_ends_on_both(hosts, create_user):
    first, second = hosts
    create_user("amina")
    on_first = first.test_client()
    response = on_first.submit("/login", {"login": "amina", "password": PASSWORD})
    assert response.status_code == 302
    on_second = same_browser_on(second, on_first)
    assert signed_in(on_second)
    assert "amina" in on_second.get("/settings").get_data(as_text=True)

    on_first.submit("/logout")
    assert not signed_in(on_second)  # the other host honours the logout at once
    assert not signed_in(on_first)


def test_a_sign_out_everywhere_on_one_host_ends_the_sessions_the_other_serves(hosts, create_user):
    first, second = hosts
    create_user("amina")
    create_user("root", is_admin=True)
    learner = first.test_client()
    assert learner.submit("/login", {"login": "amina", "password": PASSWORD}).status_code == 302
    on_second = same_browser_on(second, learner)
    assert signed_in(on_second)
    admin = first.test_client()
    assert admin.submit("/login", {"login": "root", "password": PASSWORD}).status_code == 302
    assert admin.submit("/users/amina/sign-out-everywhere").status_code == 302
    assert not signed_in(on_second)


def test_a_rate_limit_counts_requests_to_both_hosts(hosts, create_user):
    first, second = hosts
    create_user("amina")
    clients = [first.test_client(), second.test_client()]
    for attempt in range(3):  # the limit: 3 failed logins a minute, per address
        wrong = clients[attempt % 2].submit("/login", {"login": "amina", "password": "wrong"})
        assert wrong.status_code == 422
    for client in clients:  # 3 counted across both: each host now refuses
        refused = client.submit("/login", {"login": "amina", "password": PASSWORD})
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers


def test_a_job_one_host_enqueues_is_run_by_a_worker(hosts, create_user, shared_redis, smtp):
    first, second = hosts
    create_user("amina", email="amina@example.org")
    response = first.test_client().submit("/password/forgot", {"email": "amina@example.org"})
    assert response.status_code == 200
    assert smtp.sent == []  # only queued: the request did not wait for the mail server
    assert shared_redis.llen("rq:queue:deploy-test") == 1

    with second.app_context():  # a worker, started with the other host's configuration
        work(REDIS_URL, burst=True, simple=True)
    use_app(None)
    [email] = smtp.sent
    assert email["To"] == "amina@example.org"
    [path] = RESET_LINK.findall(email.get_content())
    assert second.test_client().get(path).status_code == 302  # the link works on either
