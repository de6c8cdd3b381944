"""The job API: held until the commit, forgotten on rollback, run outside the request."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

import pytest
from flask import has_request_context, request
from werkzeug.serving import make_server

from peerlearn import create_app, jobs
from peerlearn.extensions import db
from peerlearn.jobs import (
    Deferred,
    Job,
    enqueue,
    enqueue_item,
    in_background,
    local_runner,
    take_ready,
)  # fmt: skip

#: What the jobs below saw, in order.
CALLS: list[tuple[str, Any]] = []


def record(value: Any) -> None:
    """A job: note the value, whether it ran as a job and in which request path."""
    path = request.path if has_request_context() else None
    CALLS.append(("record", (value, in_background(), path)))


def record_items(items: list[int]) -> None:
    CALLS.append(("items", sorted(items)))


def fail(value: Any) -> None:
    CALLS.append(("fail", value))
    raise RuntimeError("broken job")


def defer(value: Any) -> None:
    CALLS.append(("defer", value))
    raise Deferred("server down")


def chain(value: int) -> None:
    """A job that commits another job."""
    CALLS.append(("chain", value))
    enqueue(record, value + 1)
    db.session.commit()


HERE = __name__


def setup_function() -> None:
    CALLS.clear()


def test_a_job_waits_for_the_commit_and_a_rollback_forgets_it(app):
    take_ready(db.session)
    db.session.execute(db.select(db.literal(1)))  # a transaction is open
    enqueue(record, "lost")
    db.session.rollback()
    assert take_ready(db.session) == []
    db.session.execute(db.select(db.literal(1)))
    job = enqueue(record, "kept")
    assert take_ready(db.session) == []  # not before the commit
    db.session.commit()
    assert take_ready(db.session) == [job]
    assert job.path == f"{HERE}:record" and job.args == ("kept",)
    assert take_ready(db.session) == []


def test_a_released_savepoint_is_not_a_commit(app):
    take_ready(db.session)
    db.session.execute(db.select(db.literal(1)))
    with db.session.begin_nested():
        enqueue(record, "inner")
    assert take_ready(db.session) == []
    db.session.commit()
    assert [job.args for job in take_ready(db.session)] == [("inner",)]


def test_without_an_open_transaction_a_job_is_ready_at_once(app):
    take_ready(db.session)
    db.session.commit()
    enqueue(record, "now")
    assert [job.args for job in take_ready(db.session)] == [("now",)]


def test_items_of_one_transaction_share_one_job(app):
    take_ready(db.session)
    db.session.execute(db.select(db.literal(1)))
    enqueue_item(record_items, 1)
    enqueue_item(record_items, 2)
    enqueue(record, "other")
    enqueue_item(record_items, 3)
    db.session.commit()
    ready = take_ready(db.session)
    assert [(job.path.rsplit(":")[1], job.args) for job in ready] == [
        ("record_items", ([1, 2, 3],)),
        ("record", ("other",)),
    ]


def test_the_arguments_never_show_in_a_jobs_repr():
    assert repr(Job("x:y", ("https://site/reset/secret-token",))) == "Job(x:y)"


def test_jobs_run_in_order_and_a_failure_stops_none_of_the_others(app, caplog):
    caplog.set_level(logging.WARNING, logger="peerlearn.jobs")
    with app.app_context(), app.test_request_context("/"):
        failed = jobs.run_jobs(
            [Job(f"{HERE}:fail", (1,)), Job(f"{HERE}:defer", (2,)), Job(f"{HERE}:chain", (3,))]
        )
    assert failed == 2
    assert [name for name, _value in CALLS] == ["fail", "defer", "chain", "record"]
    assert CALLS[-1] == ("record", (4, False, "/"))  # the job its job committed ran too
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.ERROR, f"job {HERE}:fail failed"),
        (logging.WARNING, f"job {HERE}:defer deferred: server down"),
    ]


def test_a_request_runs_its_jobs_after_the_response_as_jobs(app, client, login, create_user,
                                                             monkeypatch):  # fmt: skip
    import peerlearn.accounts.views as language_views

    original = language_views.set_preferences

    def set_preferences(user: Any, **kw: Any) -> Any:
        enqueue(record, "from the request")
        assert CALLS == []
        return original(user, **kw)

    monkeypatch.setattr(language_views, "set_preferences", set_preferences)
    login(create_user("amina"))
    response = client.submit("/language", {"language": "en", "next": "/dashboard"})
    assert response.status_code == 302
    # Ran (the test client reads and closes the response, as a server does), as a job,
    # in a request context of its own rather than the one of /language.
    assert CALLS == [("record", ("from the request", True, "/"))]


def test_a_request_that_fails_runs_none_of_its_jobs(app, client, login, create_user,
                                                     monkeypatch):  # fmt: skip
    import peerlearn.accounts.views as language_views

    def set_preferences(user: Any, **kw: Any) -> Any:
        enqueue(record, "never")
        db.session.flush()
        raise ValueError("the view fails before it commits")

    monkeypatch.setattr(language_views, "set_preferences", set_preferences)
    login(create_user("amina"))
    with pytest.raises(ValueError):  # the testing app lets it through instead of a 500 page
        client.submit("/language", {"language": "en", "next": "/dashboard"})
    assert CALLS == []


def test_a_request_runs_its_jobs_while_the_browser_keeps_the_connection(app):
    """A browser may keep the connection open after its answer, with more on it (the next
    request, or bytes the server does not read). Werkzeug's server then waits for the
    browser before it closes the response, and skips closing it if the browser resets the
    connection. A reply's notices once waited for that close and were lost; the request's
    jobs now run whatever the connection does."""
    served = create_app(
        {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
         "WTF_CSRF_ENABLED": False}
    )  # fmt: skip

    in_view, more_sent = threading.Event(), threading.Event()

    @served.post("/reply")
    def reply() -> str:
        enqueue(record, "told")
        db.session.commit()
        in_view.set()
        assert more_sent.wait(10)  # the browser has sent more on this connection
        return "saved"

    http = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    browser = socket.create_connection(("127.0.0.1", http.server_port), timeout=10)
    try:
        browser.sendall(b"POST /reply HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        assert in_view.wait(10)
        browser.sendall(b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.1)  # on the server's socket before the view returns
        more_sent.set()
        assert b"saved" in browser.recv(65536) or b"saved" in browser.recv(65536)
        deadline = time.monotonic() + 20  # the connection stays open all the while
        while not CALLS and time.monotonic() < deadline:
            local_runner(served).wait_until_idle(1)
            time.sleep(0.05)
        assert CALLS == [("record", ("told", True, "/"))]
    finally:
        browser.close()
        http.shutdown()
        thread.join(10)
        with served.app_context():
            db.engine.dispose()
