"""Work that leaves the request: email, notice fan-out, anything that may wait or fail.

A service calls ``enqueue("peerlearn.x.y:function", some_id)`` inside the request's
transaction. Nothing runs yet: the job is held by the database session and

* forgotten if the transaction rolls back (nothing is announced that did not happen);
* made *ready* when it commits (a savepoint's release is not enough), so a job never
  reads rows that are not committed;
* dispatched at the end of the unit of work that committed it: by the request's last
  step (``after_request``), by the job runner after each job, or, outside both, by the
  caller (``dispatch_ready``; a CLI command does it before it exits).

Where it runs depends on ``REDIS_URL`` (``PEERLEARN_REDIS_URL``):

* set: the job goes to an RQ queue on that Redis, and any number of workers on any number
  of machines (``flask --app wsgi peerlearn worker``) run it, retrying a failure after
  each of ``JOBS_RETRY_INTERVALS`` seconds;
* not set (``make run``, a small site): the job runs in this process, on its one job
  thread (``LocalRunner``), so the request is answered without waiting for it. A job that
  fails is logged and run again after each of ``JOBS_RETRY_INTERVALS`` seconds, as the
  queue would; the state it works on stays in the database meanwhile (an unsent notice
  stays unsent), so what is still undone when the process stops, or after the last retry,
  is left for ``flask peerlearn notify`` (cron), never lost. It is handed to the thread by the
  request's last step, not by the server closing the response: Werkzeug's development
  server skips ``Response.call_on_close`` when the browser drops the connection first
  (it follows a redirect on a new one), which lost a reply's notices now and then.

A job is a plain function named by its import path ("module:function"), taking plain
values (ids, strings), never ORM objects: it may run in another process, later, after
the objects changed. It runs inside an app context and a request context for "/"
(``url_for`` works) and commits its own work.
"""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from queue import Queue  # not `import queue`: peerlearn.jobs.queue takes that name
from typing import Any

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.wrappers import Response

from peerlearn.extensions import db

logger = logging.getLogger("peerlearn.jobs")

_PENDING = "peerlearn.jobs.pending"
_READY = "peerlearn.jobs.ready"
_SERVING = "peerlearn.jobs.serving"
_RUNNING: ContextVar[bool] = ContextVar("peerlearn.jobs.running", default=False)


def in_background() -> bool:
    """Whether the code runs in the background (a job, a CLI command), not inside a
    request a person waits for."""
    return _RUNNING.get()


@contextmanager
def background() -> Iterator[None]:
    """Mark what runs inside as background work (see ``in_background``)."""
    token = _RUNNING.set(True)
    try:
        yield
    finally:
        _RUNNING.reset(token)


@dataclass
class Job:
    """A function to call by its import path, with plain arguments."""

    path: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: Later ``enqueue_item`` calls of the same transaction add to ``args[0]``.
    collects: bool = False
    #: How many times it has run and failed in this process (the job thread's retries).
    failures: int = 0

    def __repr__(self) -> str:  # never the arguments: an account email's holds a link
        return f"Job({self.path})"


def path_of(func: str | Callable[..., Any]) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}:{func.__qualname__}"


def resolve(path: str) -> Callable[..., Any]:
    module, _sep, name = path.partition(":")
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


# --- Holding jobs until the commit ------------------------------------------------------


def enqueue(func: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
    """Run ``func(*args, **kwargs)`` as a job once the current transaction commits (at
    once, when no transaction is open)."""
    job = Job(path_of(func), args, kwargs)
    _hold(job)
    return job


def enqueue_item(func: str | Callable[..., Any], item: Any) -> Job:
    """Like ``enqueue(func, [item])``, but the items of one transaction share one job: ten
    notices made by one request are delivered over one SMTP connection."""
    path = path_of(func)
    session = db.session()
    if session.in_transaction():
        for job in session.info.get(_PENDING, []):
            if job.collects and job.path == path:
                job.args[0].append(item)
                return job
    job = Job(path, ([item],), {}, collects=True)
    _hold(job)
    return job


def _hold(job: Job) -> None:
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(_PENDING, []).append(job)
    else:
        session.info.setdefault(_READY, []).append(job)
        _ready(session)


def take_ready(session: Session | Any) -> list[Job]:
    """The jobs ``session`` committed since the last call (and forget them)."""
    jobs: list[Job] = session.info.pop(_READY, [])
    return jobs


@event.listens_for(db.session, "after_commit")
def _jobs_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)
        _ready(session)


@event.listens_for(db.session, "after_soft_rollback")
def _jobs_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint's rollback keeps the jobs: the rows they name are simply not found.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _ready(session: Session) -> None:
    """A request being served dispatches its jobs at its end (``_after_request``);
    elsewhere (a job, a CLI command, a script) a committed job goes to the queue at once,
    or, without a queue, waits for ``run_jobs``/``dispatch_ready``."""
    if not _serving() and queue_url():
        dispatch(take_ready(session))


def _serving() -> bool:
    """Whether a real request is being served (not a ``test_request_context`` made for
    ``url_for`` by a job or a command, which has no end of request to dispatch at)."""
    return has_request_context() and bool(request.environ.get(_SERVING))


def _before_request() -> None:
    request.environ[_SERVING] = True


# --- Dispatching ------------------------------------------------------------------------


def queue_url() -> str | None:
    url = current_app.config.get("REDIS_URL")
    return str(url) if url else None


def dispatch(jobs: list[Job]) -> list[Job]:
    """Send ``jobs`` to the queue; returns those that could not be queued (none without
    Redis: the caller runs them in process)."""
    if not jobs:
        return []
    url = queue_url()
    if not url:
        return jobs
    from peerlearn.jobs.queue import push

    try:
        push(url, jobs)
    except Exception:  # Redis down: the caller runs them here rather than lose them
        logger.exception("queueing %d jobs failed; running them in this process", len(jobs))
        return jobs
    return []


def dispatch_ready() -> None:
    """Dispatch the jobs this session committed (for CLI commands and scripts): queued
    with Redis, run here and now without it."""
    if db.session.registry.has():
        run_jobs(dispatch(take_ready(db.session)))


def run_jobs(jobs: Iterable[Job], failed: Callable[[Job], None] | None = None) -> int:
    """Run ``jobs`` here, and the jobs they commit in turn; a failure is logged, handed
    to ``failed`` (the job thread schedules its retry) and the rest still run. Returns
    how many failed."""
    todo = list(jobs)
    failures = 0
    while todo:
        job = todo.pop(0)
        try:
            call(job)
        except Exception as error:
            failures += 1
            db.session.rollback()
            if isinstance(error, Deferred):
                logger.warning("job %s deferred: %s", job.path, error)
            else:
                logger.exception("job %s failed", job.path)
            if failed is not None:
                failed(job)
        todo.extend(dispatch(take_ready(db.session)))
    return failures


def call(job: Job) -> Any:
    return resolve(job.path)(*job.args, **job.kwargs)


class Deferred(Exception):
    """Raised by a job whose work must be tried again later (a server that is down); the
    queue retries it, the in-process runner logs it. The message must hold no secrets."""


def run_in_app(app: Flask, jobs: list[Job], failed: Callable[[Job], None] | None = None) -> None:
    """Run ``jobs`` in a fresh app context (a session of their own) and a request context
    for "/" (so that ``url_for`` works)."""
    with background(), app.app_context(), app.test_request_context("/"):
        try:
            run_jobs(jobs, failed)
        finally:
            db.session.remove()


class LocalRunner:
    """The one thread of a process that runs its requests' jobs when there is no queue.

    One thread, not one per request: jobs run one after another, as a single RQ worker
    would run them, so a burst of replies never becomes a burst of SQLite writers. It is
    started on first use in the process that uses it (a forked gunicorn worker starts its
    own) and is a daemon; ``atexit`` gives what is queued ``DRAIN_SECONDS`` to finish when
    the process stops, and anything still unsent after that stays pending in the database
    for the cron command.

    A job that fails is handed back to the thread after each of ``JOBS_RETRY_INTERVALS``
    seconds (a timer, so nothing waits meanwhile): a mail server that is down for a few
    minutes delays a notice, it does not strand it until cron. A retry that is waiting is
    not "unfinished" work: ``wait_until_idle`` does not wait for it, and a stopping process
    does not either (the database still says what is undone).
    """

    DRAIN_SECONDS = 10.0

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pid = 0
        self._queue: Queue[list[Job]] = Queue()
        self._idle = threading.Condition(self._lock)
        self._unfinished = 0

    def submit(self, jobs: list[Job]) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use here, or a fork: a thread of our own
                self._pid = os.getpid()
                self._queue = Queue()
                self._unfinished = 0
                threading.Thread(target=self._work, name="peerlearn-jobs", daemon=True).start()
                atexit.register(self.wait_until_idle, self.DRAIN_SECONDS)
            self._unfinished += 1
            self._queue.put(jobs)

    def _work(self) -> None:
        work = self._queue
        while True:
            jobs = work.get()
            try:
                run_in_app(self.app, jobs, self._retry_later)
            except Exception:  # run_jobs logs each job's failure; this is the context's
                logger.exception("running %d jobs failed", len(jobs))
            finally:
                with self._lock:
                    self._unfinished -= 1
                    self._idle.notify_all()

    def _retry_later(self, job: Job) -> None:
        intervals = list(self.app.config.get("JOBS_RETRY_INTERVALS") or [])
        if job.failures >= len(intervals):
            logger.warning("job %s gave up after %d tries; cron does what is left", job.path,
                           job.failures + 1)  # fmt: skip
            return
        again = replace(job, failures=job.failures + 1)
        timer = threading.Timer(float(intervals[job.failures]), self.submit, ([again],))
        timer.daemon = True
        timer.start()

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Wait until every job handed over so far has run (tests, a stopping process);
        False when ``timeout`` passed first."""
        with self._lock:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)


def local_runner(app: Flask) -> LocalRunner:
    runner: LocalRunner = app.extensions["peerlearn.jobs"]
    return runner


def _after_request(response: Response) -> Response:
    """The request's last step: its committed jobs go to the queue, or to this process's
    job thread, which runs them while the response is on its way."""
    if not db.session.registry.has():
        return response  # the request never touched the database
    left = dispatch(take_ready(db.session))
    if left:
        local_runner(current_app).submit(left)
    return response


def init_app(app: Flask) -> None:
    from peerlearn.request_log import log_to_stderr

    log_to_stderr(app, logger)  # failed and deferred jobs, and the workers' start
    app.extensions["peerlearn.jobs"] = LocalRunner(app)
    app.before_request(_before_request)
    app.after_request(_after_request)
