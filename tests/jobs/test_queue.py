"""The queue on Redis: requests hand their jobs to RQ, workers run and retry them."""

from __future__ import annotations

import logging
import re

import pytest
import redis
from flask import Flask
from rq import Queue

from peerlearn.extensions import db
from peerlearn.jobs.queue import use_app, work
from tests.fixtures.notices import add_notices, notices_of

RESET_LINK = re.compile(r"https://learn\.example\.org(/password/reset/\S+)")


@pytest.fixture
def queued(app: Flask, redis_jobs: str, monkeypatch: pytest.MonkeyPatch) -> Queue:
    """The app hands its jobs to the test Redis; returns the queue."""
    monkeypatch.setitem(app.config, "REDIS_URL", redis_jobs)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", "test")
    monkeypatch.setitem(app.config, "JOBS_RETRY_INTERVALS", [])
    return Queue("test", connection=redis.Redis.from_url(redis_jobs))


def run_worker(app: Flask) -> None:
    """A worker in this process until the queue is empty."""
    with app.app_context():
        work(str(app.config["REDIS_URL"]), burst=True, simple=True)
    use_app(None)


def test_a_reset_link_is_queued_then_sent_by_a_worker_and_leaves_nothing_in_redis(
    app, client, create_user, smtp, queued
):
    create_user("amina", email="amina@example.org")
    response = client.submit("/password/forgot", {"email": "amina@example.org"})
    assert response.status_code == 200
    assert smtp.connections == []  # the request only queued it
    assert queued.count == 1
    assert queued.jobs[0].description == "peerlearn.notifications.delivery:send_email"

    run_worker(app)
    [email] = smtp.sent
    assert email["To"] == "amina@example.org"
    [path] = RESET_LINK.findall(email.get_content())
    assert client.get(path).status_code == 302  # the link works
    # Done: neither the job (its arguments hold the link) nor a result stays in Redis.
    keys = queued.connection.keys("rq:job:*")
    assert keys == []


def test_a_notice_job_that_keeps_failing_leaves_the_notice_for_the_cron(
    app, create_user, smtp, queued, runner
):
    # No retries here (tests/notifications/test_unreachable_server.py has them): the
    # queue gives up at once.
    smtp.fail_connect = ConnectionRefusedError(111, "Connection refused")
    amina = create_user("amina")
    add_notices(amina, 2)  # outside a request: queued at the commit
    assert queued.count == 1  # both notices in one job
    run_worker(app)  # tried and given up
    assert smtp.sent == []
    assert [n.sent_at for n in notices_of(amina)] == [None, None]
    assert queued.failed_job_registry.count == 1
    smtp.fail_connect = None
    result = runner.invoke(args=["peerlearn", "notify"])
    assert "2 notices sent" in result.output
    assert len(smtp.sent) == 2


def test_when_redis_is_down_the_jobs_run_after_the_response_instead(
    app, client, login, create_user, smtp, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/5")  # nothing there
    caplog.set_level(logging.ERROR, logger="peerlearn.jobs")
    create_user("amina", email="amina@example.org")
    response = client.submit("/password/forgot", {"email": "amina@example.org"})
    assert response.status_code == 200
    assert [email["To"] for email in smtp.sent] == ["amina@example.org"]
    assert any("running them in this process" in r.getMessage() for r in caplog.records)


def test_the_worker_command_needs_redis(runner):
    result = runner.invoke(args=["peerlearn", "worker", "--burst"])
    assert result.exit_code == 1
    assert "PEERLEARN_REDIS_URL is not set" in result.output


def test_the_worker_command_runs_the_queue(app, runner, create_user, smtp, queued):
    amina = create_user("amina")
    add_notices(amina, 1)
    assert queued.count == 1
    result = runner.invoke(args=["peerlearn", "worker", "--burst"])
    use_app(None)
    assert result.exit_code == 0, result.output
    # It ran in a forked work horse, whose recorder is not this one: the database says.
    db.session.expire_all()
    assert notices_of(amina)[0].sent_at is not None


def test_the_digest_command_queues_one_job_per_person_and_a_worker_sends_them(
    app, create_user, smtp, queued, runner
):
    from peerlearn.notifications.models import EmailMode
    from peerlearn.notifications.preferences import save_preferences

    people = [create_user(name) for name in ("amina", "bea")]
    for person in people:
        save_preferences(person.id, EmailMode.DAILY, {})
    db.session.commit()
    for person in people:
        add_notices(person, 2)  # digest readers: no delivery job
    assert queued.count == 0

    result = runner.invoke(args=["peerlearn", "notifications", "digest"])
    assert "2 digests queued" in result.output
    assert smtp.sent == []  # the command only queued them
    assert [job.description for job in queued.jobs] == [
        "peerlearn.notifications.digest:send_digest"
    ] * 2
    run_worker(app)
    assert sorted(email["To"] for email in smtp.sent) == ["amina@example.org", "bea@example.org"]
    assert all(n.sent_at is not None for p in people for n in notices_of(p))
