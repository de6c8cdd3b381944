"""No SMTP conversation happens inside a request: a page that makes a notice is answered
while the mail server hangs or is down, and the notice goes out, once, when it is back.

These tests serve the app over a real socket (Werkzeug's server, one request at a time in
a thread), so "outside the request" means what it means in production: the client has the
whole response while the job is still talking to the mail server. Once without Redis (the
job runs on the web process's job thread, which retries it with backoff; the cron command
delivers what it still could not) and once with Redis (an RQ worker runs the job and
retries it with backoff).
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from peerlearn import create_app
from peerlearn.extensions import db
from peerlearn.jobs import Job, local_runner, path_of
from peerlearn.notifications import Notification, notify
from peerlearn.review.notifications import NoticeKind


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Hanging:
    """A mail server that accepts connections and never says a word, until released."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.connected = threading.Event()
        self.released = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)  # so that release() ends a wait for nobody
        while not self.released.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            self.connected.set()
            self.released.wait(60)
            connection.close()

    def release(self) -> None:
        self.released.set()
        self._thread.join(10)
        self.listener.close()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        data = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append(message_from_bytes(data, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A working mail server (plain SMTP on loopback)."""
    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def _served_app(app: Flask, **config: Any) -> Flask:
    """Another instance of the app on the test database, with a page that makes a notice
    (as a review being submitted does) for the user named in its address."""
    served = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": False,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_STARTTLS": False,
            "SMTP_TIMEOUT": 30,  # longer than the test: the server hangs until released
            "SITE_URL": "https://learn.example.org",
            **config,
        }
    )

    @served.post("/test-notice/<int:user_id>")
    def make_notice(user_id: int) -> str:
        notify(user_id, NoticeKind.GRADE_READY, "/courses/biogas/a/gas", assignment="Gas test")
        db.session.commit()
        return "done"

    return served


class OneRequestServer:
    """Serves exactly one request in a thread; the thread ends when the server has
    finished with it (its jobs run on the app's job thread)."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app)
        self.thread = threading.Thread(target=self.server.handle_request, daemon=True)
        self.thread.start()

    def post(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=20)
        try:
            connection.request("POST", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def finish(self) -> None:
        self.thread.join(30)
        assert not self.thread.is_alive()
        self.server.server_close()


def _cron(served: Flask) -> Any:
    """``flask peerlearn notify`` on the served app (not the test's own, whose context
    the CLI would otherwise take)."""
    with served.app_context():
        return served.test_cli_runner().invoke(args=["peerlearn", "notify"])


def _sent_at(notice_id: int) -> Any:
    db.session.expire_all()
    return db.session.scalar(select(Notification.sent_at).where(Notification.id == notice_id))


def _only_notice() -> Notification:
    db.session.expire_all()
    [notice] = db.session.scalars(select(Notification)).all()
    return notice


def test_without_redis_the_page_is_answered_while_the_mail_server_hangs(app, create_user, inbox):
    box, port = inbox
    author = create_user("author", email="author@example.org")
    hanging = Hanging()
    served = _served_app(app, SMTP_PORT=hanging.port)
    server = OneRequestServer(served)
    try:
        status, body = server.post(f"/test-notice/{author.id}")
        # The whole response is here ...
        assert (status, body) == (200, b"done")
        # ... while the job, after it, is still waiting for the mail server.
        assert hanging.connected.wait(20), "the notice was never handed to the mail server"
        assert not local_runner(served).wait_until_idle(0)  # the job is still at it
        notice = _only_notice()
        assert notice.sent_at is None
    finally:
        hanging.release()  # the server hangs up: the attempt fails
        server.finish()
        assert local_runner(served).wait_until_idle(30)
    assert _sent_at(notice.id) is None  # kept for the next run, not lost

    served.config["SMTP_PORT"] = port  # the mail server is back
    result = _cron(served)
    assert result.exit_code == 0, result.output
    assert "1 notices sent" in result.output
    assert [m["To"] for m in box.messages] == ["author@example.org"]
    assert box.messages[0]["Subject"] == "Your grade for “Gas test” is ready."
    assert _sent_at(notice.id) is not None
    again = _cron(served)
    assert "0 notices sent" in again.output
    assert len(box.messages) == 1  # once, not twice
    with served.app_context():
        db.engine.dispose()


def test_without_redis_the_job_thread_retries_until_the_mail_server_is_back(
    app, create_user, inbox
):
    """Without Redis and without cron, a notice whose mail server was down goes out on a
    later try of the web process's own job thread, once."""
    box, port = inbox
    author = create_user("author", email="author@example.org")
    down = _free_port()  # nothing listens there
    served = _served_app(app, SMTP_PORT=down, JOBS_RETRY_INTERVALS=[0.5, 0.5, 0.5, 0.5, 0.5])
    server = OneRequestServer(served)
    assert server.post(f"/test-notice/{author.id}") == (200, b"done")
    server.finish()
    assert local_runner(served).wait_until_idle(30)  # the first try has failed ...
    notice = _only_notice()
    assert notice.sent_at is None  # ... and the notice waits, unsent
    assert box.messages == []

    served.config["SMTP_PORT"] = port  # the mail server is back; nobody runs cron
    deadline = time.monotonic() + 20
    while _sent_at(notice.id) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sent_at(notice.id) is not None, "no retry delivered the notice"
    assert local_runner(served).wait_until_idle(30)
    time.sleep(1.2)  # a later retry, if one were still scheduled, would have run by now
    assert [m["To"] for m in box.messages] == ["author@example.org"]  # once, not twice
    assert "0 notices sent" in _cron(served).output
    with served.app_context():
        db.engine.dispose()


def test_a_job_that_keeps_failing_is_tried_as_often_as_configured(app):
    """Each of JOBS_RETRY_INTERVALS gives a failing job one more try; then it stops."""
    served = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "JOBS_RETRY_INTERVALS": [0.05, 0.05],
        }
    )
    _TRIES.clear()
    local_runner(served).submit([Job(path_of(_always_fails))])
    deadline = time.monotonic() + 10
    while len(_TRIES) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert local_runner(served).wait_until_idle(10)
    assert len(_TRIES) == 3  # the first try and two retries


_TRIES: list[float] = []


def _always_fails() -> None:
    _TRIES.append(time.monotonic())
    raise RuntimeError("the server is still down")


# --- With Redis -------------------------------------------------------------------------


def _work(served: Flask) -> None:
    """Run an RQ worker until the queue is empty (due retries included), in this process."""
    from peerlearn.jobs.queue import use_app, work

    with served.app_context():
        work(str(served.config["REDIS_URL"]), burst=True, simple=True)
    use_app(None)


def test_with_redis_a_worker_delivers_once_the_mail_server_is_back(
    app, create_user, inbox, redis_jobs
):
    box, port = inbox
    author = create_user("author", email="author@example.org")
    down = _free_port()  # nothing listens there
    served = _served_app(
        app, SMTP_PORT=down, REDIS_URL=redis_jobs, JOBS_RETRY_INTERVALS=[1, 1], JOBS_QUEUE="test"
    )
    hanging = Hanging()  # would hold a web process that talked to it
    served.config["SMTP_PORT"] = hanging.port
    server = OneRequestServer(served)
    try:
        assert server.post(f"/test-notice/{author.id}") == (200, b"done")
        server.finish()  # the request is over, after-response work included ...
        assert not hanging.connected.is_set()  # ... and it never spoke to the mail server
    finally:
        hanging.release()
    notice = _only_notice()
    assert notice.sent_at is None

    served.config["SMTP_PORT"] = down
    _work(served)  # the job fails, and waits for its retry
    assert _sent_at(notice.id) is None
    assert box.messages == []

    served.config["SMTP_PORT"] = port  # the mail server is back
    time.sleep(1.2)  # the retry's wait (JOBS_RETRY_INTERVALS) runs out
    _work(served)
    assert [m["To"] for m in box.messages] == ["author@example.org"]
    assert _sent_at(notice.id) is not None

    _work(served)  # nothing left to run
    assert "0 notices sent" in _cron(served).output
    assert len(box.messages) == 1  # once, not twice
    with served.app_context():
        db.engine.dispose()
