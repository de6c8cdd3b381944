"""How long a learner waits for "give me a build log to review" with 10,000 submissions.

On a throwaway database (its name must contain "bench"; a PostgreSQL one is created if
missing and dropped afterwards): the tube digester course, one assignment (3 reviews per
log), 10,000 learners who each submitted a build log, inserted in bulk straight into the
tables (users, enrolments, build_logs, submissions, review_queue). Then, timed one by one
as a view would run them, with a fresh transaction each:

* ``p50``/``p95``/``p99``: ``queue.request_review`` + commit, for ``count`` different
  reviewers (each then submits, so the loads grow as in a real class);
* ``cpu_p50``/``_p95``/``_p99``: the CPU time this process spent on those (all of it for
  SQLite, the client's share for PostgreSQL): on a busy machine the wall clock also
  counts waiting for a CPU, this does not;
* ``complete_p50``/``_p95``/``_p99``: ``queue.complete`` + commit of each of those reviews;
* ``saturated_p50``/``_p95``/``_p99``: ``request_review`` + commit once every log has all
  its reviews: the extra-review path, where the needed query finds nothing (before
  ``ix_review_queue_needed`` it read all 10,000 rows to learn that) and the least loaded
  eligible log is handed out as an extra.

All times are milliseconds. Loading the reviewer and the assignment (the view's job) is not
timed. Target: p95 ≤ 10 ms.

Run: ``.venv/bin/python bench/allocation_latency.py`` (SQLite in a temporary folder) or
``.venv/bin/python bench/allocation_latency.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_alloc``;
``bench/peer_sim.py`` imports :func:`measure`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peerlearn import create_app
from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.bundles.reader import read_bundle
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course, Module
from peerlearn.content.revisions import add_revision
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.allocation import queue
from peerlearn.review.models import ReviewQueue
from tests.rubrics import BUILD_CRITERION_YAML

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "courses" / "tubular-biogas-digester"
MUST_BE_REVIEWED = 3
ASSIGNMENT_YAML = (
    """id: bench-alloc
title: Gas production test
module: {module}
must_review: 4
must_be_reviewed: {must}
prompt: |
  Build the digester, measure its gas production daily and document it in your build log.
rubric:
"""
    + BUILD_CRITERION_YAML
)


@contextmanager
def throwaway_database(database_url: str) -> Iterator[None]:
    """Refuse anything but a bench database; create a PostgreSQL one if it is missing and
    drop it afterwards (only if it was created here)."""
    url = make_url(database_url)
    if "bench" not in Path(url.database or "").name:
        raise SystemExit(f"refusing to wipe {url.database!r}: its name must contain 'bench'")
    if not url.get_backend_name().startswith("postgresql"):
        # A fresh file: SQLite cannot drop the tables of the assignment <-> revision cycle.
        path = Path(url.database or "")
        path.unlink(missing_ok=True)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    try:
        yield
    finally:
        if not exists:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
        admin.dispose()


def populate(submissions: int) -> tuple[int, list[int]]:
    """The course, the assignment and ``submissions`` submitted logs with their queue
    rows, in bulk; returns the assignment id and the learners' ids."""
    import_bundle(read_bundle(COURSE))
    course = db.session.scalars(select(Course)).one()
    module = db.session.scalars(
        select(Module).where(Module.course_id == course.id).order_by(Module.position)
    ).first()
    assert module is not None
    assignment = Assignment(course_id=course.id, key="bench-alloc", slug="gas", module_id=module.id)
    db.session.add(assignment)
    db.session.flush()
    text_ = ASSIGNMENT_YAML.format(module=module.key, must=MUST_BE_REVIEWED)
    add_revision(assignment, text_, author=None, kind="import")
    now = utcnow()
    user_ids = list(
        db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "username": f"bench{i}",
                    "email": f"bench{i}@example.org",
                    "password_hash": "-",
                    "locale": "en",
                    "timezone": "UTC",
                    "is_admin": False,
                    "created_at": now,
                }
                for i in range(submissions)
            ],
        )
    )
    db.session.execute(
        insert(Enrolment),
        [{"user_id": u, "course_id": course.id, "created_at": now} for u in user_ids],
    )
    log_ids = list(
        db.session.scalars(
            insert(BuildLog).returning(BuildLog.id, sort_by_parameter_order=True),
            [
                {
                    "assignment_id": assignment.id,
                    "user_id": u,
                    "title": "Digester",
                    "summary": "",
                    "updated_at": now,
                    "created_at": now,
                }
                for u in user_ids
            ],
        )
    )
    db.session.execute(
        insert(Submission),
        [{"log_id": log, "version": 1, "snapshot": "{}", "created_at": now} for log in log_ids],
    )
    start = now - timedelta(days=3)
    db.session.execute(
        insert(ReviewQueue),
        [
            {
                "log_id": log,
                "assignment_id": assignment.id,
                "author_id": u,
                "team": None,
                "first_submitted_at": start + timedelta(seconds=i),
                "completed": 0,
                "leased": 0,
                "load": 0,
                "required": MUST_BE_REVIEWED,
            }
            for i, (log, u) in enumerate(zip(log_ids, user_ids, strict=True))
        ],
    )
    db.session.commit()
    vacuum()
    return assignment.id, user_ids


def vacuum() -> None:
    """PostgreSQL: what autovacuum does soon after a bulk change (statistics, dead rows)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def percentiles(name: str, samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {f"{name}p50": cuts[49], f"{name}p95": cuts[94], f"{name}p99": cuts[98]}


def timed_requests(
    assignment_id: int, reviewers: list[int], complete: bool
) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds per reviewer: request_review + commit (wall clock, then this process's
    CPU time for it), and complete + commit."""
    asked: list[float] = []
    cpu: list[float] = []
    completed: list[float] = []
    for reviewer_id in reviewers:
        reviewer = db.session.get(User, reviewer_id)
        assignment = db.session.get(Assignment, assignment_id)
        assert reviewer is not None and assignment is not None
        assignment.current  # noqa: B018  (loaded by the view)
        start, start_cpu = time.perf_counter(), time.process_time()
        review = queue.request_review(reviewer, assignment)
        db.session.commit()
        asked.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if complete:
            start = time.perf_counter()
            queue.complete(review)
            db.session.commit()
            completed.append((time.perf_counter() - start) * 1000)
    return asked, cpu, completed


def measure(database_url: str, submissions: int = 10_000, requests: int = 3000) -> dict[str, float]:
    """Build the bench database at ``database_url`` and time allocation on it (see the
    module docstring for the keys); times are milliseconds."""
    with throwaway_database(database_url):
        app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
        with app.app_context():
            postgresql = db.engine.dialect.name == "postgresql"
            if postgresql:
                db.drop_all()
            db.create_all()
            try:
                assignment_id, user_ids = populate(submissions)
                order = random.Random(1).sample(user_ids, len(user_ids))
                asked, cpu, completed = timed_requests(assignment_id, order[:requests], True)
                db.session.execute(  # every log now has all its reviews
                    update(ReviewQueue).values(completed=MUST_BE_REVIEWED, load=MUST_BE_REVIEWED)
                )
                db.session.commit()
                vacuum()
                rest = order[requests : requests + max(requests // 5, 100)]
                saturated, _cpu, _ = timed_requests(assignment_id, rest, False)
            finally:
                db.session.remove()
                if postgresql:
                    db.drop_all()
                db.engine.dispose()
    return {
        "submissions": float(submissions),
        "count": float(len(asked)),
        **percentiles("", asked),
        **percentiles("cpu_", cpu),
        **percentiles("complete_", completed),
        "saturated_count": float(len(saturated)),
        **percentiles("saturated_", saturated),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", nargs="*", help="default: SQLite in a temporary folder")
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = args.database_url or [f"sqlite:///{folder}/bench_alloc.sqlite3"]
        for url in urls:
            result = measure(url, args.submissions, args.requests)
            print(f"{make_url(url).get_backend_name()}: {result['submissions']:.0f} submissions")
            for kind in ("", "cpu_", "complete_", "saturated_"):
                label = {"": "request+commit", "cpu_": "  its CPU time here",
                         "complete_": "complete+commit",
                         "saturated_": "request, all reviewed"}[kind]  # fmt: skip
                figures = "  ".join(f"p{p} {result[f'{kind}p{p}']:6.2f} ms" for p in (50, 95, 99))
                print(f"  {label:<22} {figures}")
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"  ({result['count']:.0f} + {result['saturated_count']:.0f} requests;"
                  f" load average {load} on {os.cpu_count()} CPUs)")  # fmt: skip


if __name__ == "__main__":
    main()
