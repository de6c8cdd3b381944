"""The job queue on Redis (RQ), and the worker that runs it.

Only imported when ``REDIS_URL`` is set, so ``make run`` needs neither Redis nor RQ
running. Every job goes through ``run_job``, which gives it the Flask app (created once
per worker process, before RQ forks a work horse for each job) and a fresh database
session.

Arguments travel through Redis (pickled by RQ) until the job is done: an account email's
arguments hold its single-use link, so jobs keep no result (``result_ttl=0``) and a job
that failed for good is dropped after ``JOBS_FAILED_TTL`` seconds (a reset link is dead
by then anyway).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Retry, SimpleWorker, Worker

from peerlearn.jobs import Job, background, call, logger, run_jobs

_app: Flask | None = None
#: The worker's own process: a job running in another one is in a forked work horse.
_worker_pid: int | None = None


#: One client (and its connection pool) per Redis URL and process, shared by requests.
_clients: dict[str, Redis] = {}


def connection(url: str) -> Redis:
    """The client for ``url``. Short timeouts: a request hands its jobs over before its
    response goes out, and a Redis that does not answer must not hold the page long
    (the jobs then run in the web process instead). redis-py opens new connections in
    a forked process by itself."""
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return client


def queue(url: str | None = None) -> Queue:
    config = current_app.config
    return Queue(
        str(config.get("JOBS_QUEUE") or "peerlearn"),
        connection=connection(url or str(config["REDIS_URL"])),
    )


def push(url: str, jobs: list[Job]) -> None:
    config = current_app.config
    intervals = [int(seconds) for seconds in config.get("JOBS_RETRY_INTERVALS") or []]
    retry = Retry(max=len(intervals), interval=intervals) if intervals else None
    target = queue(url)
    for job in jobs:
        target.enqueue_call(
            "peerlearn.jobs.queue.run_job",
            args=(job.path, list(job.args), dict(job.kwargs)),
            retry=retry,
            result_ttl=0,
            failure_ttl=int(config.get("JOBS_FAILED_TTL") or 86400),
            description=job.path,  # never the arguments
        )


def use_app(app: Flask | None) -> None:
    """Run jobs in ``app`` (the worker command sets it; tests too)."""
    global _app
    _app = app


def _the_app() -> Flask:
    global _app
    if _app is None:
        if not has_app_context():
            # The app is built by the worker command; building it here would make the
            # queue, near the bottom of the layers, import every feature above it.
            raise RuntimeError(
                "jobs run in the worker started by `flask --app wsgi peerlearn worker`"
            )
        _app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _app


def run_job(path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """What RQ calls: the job, in a fresh app context and a request context for "/".

    An exception goes back to RQ, which retries the job later; the jobs this one
    committed are queued in turn."""
    from peerlearn.extensions import db

    app = _the_app()
    with background(), app.app_context(), app.test_request_context("/"):
        if _worker_pid is not None and os.getpid() != _worker_pid:
            # A forked work horse: the database connections it inherited belong to the
            # worker; leave them to it and open its own.
            db.engine.dispose(close=False)
        try:
            result = call(Job(path, tuple(args), kwargs))
        except BaseException:
            db.session.rollback()
            raise
        else:
            from peerlearn.jobs import dispatch, take_ready

            run_jobs(dispatch(take_ready(db.session)))
            return result
        finally:
            db.session.remove()


def work(url: str, *, burst: bool = False, simple: bool = False) -> bool:
    """Run a worker on this app's queue until stopped (or, ``burst``, until it is empty).

    ``simple`` runs jobs in this process instead of a forked one (tests; platforms
    without fork). The scheduler moves jobs waiting for a retry back to the queue."""
    global _worker_pid
    use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    _worker_pid = os.getpid()
    worker_class: type[Worker] | type[SimpleWorker] = SimpleWorker if simple else Worker
    if burst:
        worker_class = type("BurstWorker", (worker_class,), {"subscribe": _no_commands})
    # A client of its own: RQ raises its socket timeout for blocking reads, which the
    # requests' client must not inherit.
    client = Redis.from_url(url, socket_connect_timeout=2)
    name = str(current_app.config.get("JOBS_QUEUE") or "peerlearn")
    worker = worker_class([Queue(name, connection=client)], connection=client)
    logger.info("worker %s on %s", worker.name, name)
    return bool(worker.work(burst=burst, with_scheduler=True))


def _no_commands(worker: Worker) -> None:
    """A burst run listens to no remote commands (``rq`` shutdown, kill-horse): RQ's
    listener thread would hold its exit for up to a minute (redis-py joins it)."""
