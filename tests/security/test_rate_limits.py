"""Rate limits: a guesser is stopped before the password check, with a page that says how
long to wait (in the visitor's language) and a Retry-After header; posting and uploads are
capped per account; counts are shared by every app instance on one Redis.

The suite's own app runs with limits off (TestingConfig); these tests build apps with them
on, on the same database. Redis tests use PEERLEARN_TEST_REDIS_URL (DB 4 by default) and
skip when no Redis answers, unless PEERLEARN_REQUIRE_REDIS=1 (CI) makes that a failure.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import limits.storage.memory
import pytest
from flask import Blueprint, Flask
from sqlalchemy import text

import peerlearn.accounts.services
import peerlearn.rate_limits
from peerlearn import create_app
from peerlearn.extensions import db as _db
from peerlearn.rate_limits import EXTENSION, reset_limit, rules_of, setup_rate_limits
from tests.fixtures.app import PASSWORD, IsolatedClient
from tests.fixtures.buildlogs import LOG, jpeg_bytes, upload

REDIS_URL = os.environ.get("PEERLEARN_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
WRONG = "not-the-password"


def _limited_app(app: Flask, **config: Any) -> Flask:
    """An app like the suite's (same database) with rate limits on."""
    limited = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            **config,
        }
    )
    limited.test_client_class = IsolatedClient
    return limited


def _dispose(limited: Flask) -> None:
    with limited.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="module")
def memory_app(app: Flask) -> Iterator[Flask]:
    limited = _limited_app(app)
    yield limited
    _dispose(limited)


@pytest.fixture
def limited(memory_app: Flask, db: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Flask]:
    """``limited(LOGIN="3/minute", ...)``: the rate-limited app with fresh counts and these
    limits (setting names without the RATELIMIT_ prefix)."""
    # Touch the suite's engine so that the db fixture empties the tables afterwards: rows
    # written through the limited app's own engine are not counted otherwise.
    _db.session.execute(text("SELECT 1"))
    memory_app.extensions[EXTENSION].reset()

    def configure(**limits: str) -> Flask:
        for name, value in limits.items():
            monkeypatch.setitem(memory_app.config, f"RATELIMIT_{name}", value)
        return memory_app

    return configure


def _login(client: Any, login: str, password: str, address: str = "198.51.100.7", **kw: Any) -> Any:
    return client.submit(
        "/login",
        {"login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kw,
    )


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every password hash check (the ~120 ms scrypt in production)."""
    calls: list[str] = []
    real = peerlearn.accounts.services.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(password)
        return real(pwhash, password)

    monkeypatch.setattr(peerlearn.accounts.services, "check_password_hash", counting)
    return calls


# --- Login -----------------------------------------------------------------------------------


def test_login_is_refused_after_failed_attempts_in_spanish_with_retry_after(
    limited, create_user, password_checks
):
    client = limited(LOGIN="3/minute").test_client()
    create_user("amina")
    spanish = {"Accept-Language": "es"}
    for _ in range(3):
        assert _login(client, "amina", WRONG, headers=spanish).status_code == 422
    checks_before = len(password_checks)

    refused = _login(client, "amina", PASSWORD, headers=spanish)

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "Demasiados intentos" in page
    assert "inténtelo de nuevo en 1 minuto" in page
    assert '<html lang="es">' in page
    assert len(password_checks) == checks_before  # refused before the password was checked
    # The form itself still opens; only POSTs are counted.
    assert client.get("/login").status_code == 200


def test_the_refusal_is_in_the_visitors_language(limited, create_user):
    client = limited(LOGIN="1/minute").test_client()
    create_user("amina")
    _login(client, "amina", WRONG)
    page = _login(client, "amina", WRONG, headers={"Accept-Language": "fr"})
    assert page.status_code == 429
    assert "Trop de tentatives" in page.get_data(as_text=True)


def test_one_account_is_protected_across_many_addresses(limited, create_user, password_checks):
    client = limited(LOGIN="100/minute", LOGIN_ACCOUNT="3/minute").test_client()
    create_user("amina")
    create_user("bosco")
    for n, name in enumerate(["amina", "AMINA", " Amina "]):
        assert _login(client, name, WRONG, address=f"203.0.113.{n + 1}").status_code == 422
    checks_before = len(password_checks)

    assert _login(client, "amina", PASSWORD, address="203.0.113.99").status_code == 429
    assert len(password_checks) == checks_before
    # Another account from the same address is not held up.
    assert _login(client, "bosco", PASSWORD, address="203.0.113.99").status_code == 302


def test_a_class_logging_in_from_one_address_is_not_held_up(limited, create_user):
    limited(LOGIN="3/minute", LOGIN_ACCOUNT="3/minute")
    for n in range(6):
        user = create_user(f"learner{n}")
        client = limited().test_client()
        assert _login(client, user.username, PASSWORD, address="192.0.2.10").status_code == 302


def test_the_limit_lifts_when_its_window_ends(limited, create_user, monkeypatch):
    now = [1_000_000.0]
    clock = type("Clock", (), {"time": staticmethod(lambda: now[0])})
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(peerlearn.rate_limits, "time", clock)
    client = limited(LOGIN="2/minute").test_client()
    create_user("amina")
    _login(client, "amina", WRONG)
    _login(client, "amina", WRONG)
    refused = _login(client, "amina", PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= 61

    now[0] += 61

    assert _login(client, "amina", PASSWORD).status_code == 302


# --- Registration ----------------------------------------------------------------------------


def _register(client: Any, name: str, address: str) -> Any:
    return client.submit(
        "/register",
        {
            "username": name,
            "email": f"{name}@example.org",
            "password": "a long kitchen garden",
            "confirm": "a long kitchen garden",
            "language": "en",
            "timezone": "UTC",
        },
        environ_base={"REMOTE_ADDR": address},
    )


def test_registration_is_limited_per_address(limited):
    app = limited(REGISTER="2/minute")
    for n in range(2):
        response = _register(app.test_client(), f"newcomer{n}", "198.51.100.20")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    refused = _register(app.test_client(), "newcomer2", "198.51.100.20")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert _register(app.test_client(), "newcomer3", "198.51.100.21").status_code == 302


# --- Uploads and posting ---------------------------------------------------------------------


@pytest.fixture
def learner_client(limited, create_course, create_assignment, create_user) -> Callable[..., Any]:
    """A signed-in learner on the limited app with a started build log."""
    from tests.fixtures.buildlogs import ASSIGNMENT, COURSE

    course = create_course(COURSE, maintainer=create_user("maintainer"))
    create_assignment(course, slug=ASSIGNMENT, submission_deadline="2099-03-04T23:59:00-04:00")

    def signed_in(name: str) -> Any:
        client = limited().test_client()
        create_user(name)
        assert _login(client, name, PASSWORD).status_code == 302
        assert client.submit(f"/courses/{COURSE}/enrol").status_code == 302
        assert client.submit(LOG + "/start").status_code == 302
        return client

    return signed_in


def _entry(client: Any, text: str = "Dug the trench.", **extra: Any) -> Any:
    return client.post(
        LOG + "/entries",
        data={
            "csrf_token": client.csrf_token(),
            "new-entry_date": "2026-05-01",
            "new-text": text,
            **extra,
        },
        content_type="multipart/form-data",
    )


def _latest_entry_id() -> int:
    from peerlearn.assignments.models import BuildLogEntry

    return int(_db.session.scalar(_db.select(_db.func.max(BuildLogEntry.id))))


def test_photo_uploads_are_limited_per_user(limited, learner_client):
    limited(UPLOAD="2/minute")
    client = learner_client("amina")
    assert _entry(client).status_code == 302  # no photo: not an upload
    entry = _latest_entry_id()
    path = f"{LOG}/entries/{entry}/photos"
    assert upload(client, path, jpeg_bytes(), f"p{entry}").status_code == 302
    assert upload(client, path, jpeg_bytes(color="red"), f"p{entry}").status_code == 302

    refused = upload(client, path, jpeg_bytes(color="blue"), f"p{entry}")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    # An entry with a photo is an upload too; one without still goes through.
    with_photo = _entry(client, **{"new-photo": (io.BytesIO(jpeg_bytes()), "a.jpg")})
    assert with_photo.status_code == 429
    assert _entry(client, "Filled the bag.").status_code == 302
    # Another learner has an upload allowance of their own.
    other = learner_client("bosco")
    assert _entry(other).status_code == 302
    other_entry = _latest_entry_id()
    other_path = f"{LOG}/entries/{other_entry}/photos"
    assert upload(other, other_path, jpeg_bytes(), f"p{other_entry}").status_code == 302


def test_posting_is_limited_per_user_and_reading_is_not(limited, learner_client):
    limited(POST="3/minute")
    client = learner_client("amina")
    for n in range(3):
        assert _entry(client, f"Day {n}.").status_code == 302

    refused = _entry(client, "One too many.")

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Back button" in refused.get_data(as_text=True)
    assert client.get(LOG).status_code == 200
    assert "One too many." not in client.get(LOG).get_data(as_text=True)
    assert _entry(learner_client("bosco"), "My first day.").status_code == 302


def test_every_posting_route_counts_in_the_same_allowance(memory_app):
    posting = {
        endpoint
        for endpoint, view in memory_app.view_functions.items()
        if any(rule.scope == "post" for rule in rules_of(view))
    }
    assert posting == {
        "assignments.add_entry",
        "review.reviewing.write",
        "proposals.propose",
        "proposals.comment",
        "community_i18n.message",
        "discussions.course_threads",
        "discussions.module_threads",
        "discussions.log_threads",
        "discussions.circle_threads",
        "discussions.thread",
        "discussions.edit_post",
        "discussions.report_post",
        "discussions.report_course",
        "discussions.report_module",
        "facilitation.send_message",
    }


# --- Password reset (the route is another package's) -----------------------------------------


def _app_with(endpoint_view: Callable[[Blueprint], None], **config: Any) -> Flask:
    """A bare app with one blueprint, wired like create_app wires peerlearn's."""
    bare = Flask(__name__)
    bare.config.update(RATELIMIT_ENABLED=True, **config)
    accounts = Blueprint("accounts", __name__)
    endpoint_view(accounts)
    bare.register_blueprint(accounts)
    setup_rate_limits(bare)
    return bare


def test_a_reset_request_route_is_limited_per_address_and_per_email_asked_for():
    def routes(bp: Blueprint) -> None:
        @bp.route("/reset", methods=["GET", "POST"])
        def reset_request() -> str:  # no marker: limited by its endpoint name
            return "sent"

    bare = _app_with(routes, RATELIMIT_RESET="3/minute", RATELIMIT_RESET_ACCOUNT="2/minute")
    client = bare.test_client()

    def ask(email: str, address: str) -> int:
        return client.post(
            "/reset", data={"email": email}, environ_base={"REMOTE_ADDR": address}
        ).status_code

    assert [ask("amina@example.org", "192.0.2.1") for _ in range(2)] == [200, 200]
    assert ask("Amina@example.org", "192.0.2.2") == 429  # same address asked for
    assert ask("bosco@example.org", "192.0.2.1") == 200
    assert ask("carla@example.org", "192.0.2.1") == 429  # 4th from one client address
    assert client.get("/reset", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200


def test_the_reset_marker_limits_any_route_it_is_put_on():
    def routes(bp: Blueprint) -> None:
        @bp.post("/forgotten")
        @reset_limit
        def forgotten() -> str:
            return "sent"

    client = _app_with(routes, RATELIMIT_RESET="1/minute").test_client()
    assert client.post("/forgotten", data={"email": "a@example.org"}).status_code == 200
    assert client.post("/forgotten", data={"email": "b@example.org"}).status_code == 429


# --- Redis: one count for every instance -----------------------------------------------------


@pytest.fixture
def redis_db() -> Iterator[str]:
    """The test Redis database, emptied before and after (only this DB number)."""
    try:
        import redis

        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
        connection.ping()
    except Exception as error:  # no client library or no server
        message = f"Redis not reachable at {REDIS_URL}: {error}"
        if os.environ.get("PEERLEARN_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
    connection.close()


def test_two_app_instances_share_one_count_through_redis(app, db, redis_db, create_user):
    _db.session.execute(text("SELECT 1"))  # see the limited fixture
    first = _limited_app(app, RATELIMIT_STORAGE_URI=redis_db, RATELIMIT_LOGIN="4/minute")
    second = _limited_app(app, RATELIMIT_STORAGE_URI=redis_db, RATELIMIT_LOGIN="4/minute")
    try:
        create_user("amina")
        clients = [first.test_client(), second.test_client()]
        for n in range(4):
            assert _login(clients[n % 2], "amina", WRONG).status_code == 422

        for client in clients:
            refused = _login(client, "amina", PASSWORD)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
    finally:
        _dispose(first)
        _dispose(second)


def test_a_redis_url_alone_is_enough_to_share_counts(app, redis_db):
    limited = _limited_app(app, REDIS_URL=redis_db)
    try:
        assert limited.config["RATELIMIT_STORAGE_URI"] == redis_db
        assert type(limited.extensions[EXTENSION].storage).__name__ == "RedisStorage"
    finally:
        _dispose(limited)


def test_memory_is_the_default_storage(memory_app):
    assert memory_app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_logins_go_on_when_redis_stops_answering(app, limited, create_user):
    """Counts fall back to this process's memory: still limited, never an error page."""
    down = _limited_app(
        app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/4", RATELIMIT_LOGIN="2/minute"
    )
    try:
        create_user("amina")
        client = down.test_client()
        assert _login(client, "amina", WRONG).status_code == 422
        assert _login(client, "amina", WRONG).status_code == 422
        assert _login(client, "amina", PASSWORD).status_code == 429
    finally:
        _dispose(down)
