"""With Redis, a reply's notices wait for a worker: the request only queues the job."""

from __future__ import annotations

import pytest
import redis
from rq import Queue

from peerlearn.jobs.queue import use_app, work
from tests.discussions.test_threads import notices_of
from tests.fixtures.discussions import start


@pytest.fixture
def queued(app, redis_jobs, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_jobs)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", "test")
    monkeypatch.setitem(app.config, "JOBS_RETRY_INTERVALS", [])
    return Queue("test", connection=redis.Redis.from_url(redis_jobs))


def test_a_reply_is_announced_by_a_worker_not_by_the_request(
    app, client, login, as_user, place, queued
):
    login(place.amina)
    thread = start(client, place)
    queued.empty()
    as_user(place.baraka)
    client.submit(f"/discussions/{thread.id}", {"body": "Mine is 1.2 m."})
    assert [job.description for job in queued.jobs] == [
        "peerlearn.discussions.announce:announce_post"
    ]
    assert notices_of(place.amina, "discussion_reply") == []

    with app.app_context():
        work(str(app.config["REDIS_URL"]), burst=True, simple=True)
    use_app(None)
    assert len(notices_of(place.amina, "discussion_reply")) == 1
