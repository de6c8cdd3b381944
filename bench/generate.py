"""Seeded data sets of the size a busy site has, for the HTTP benchmark and for profiling.

    .venv/bin/python bench/generate.py S                      # SQLite, instance/bench-S.sqlite3
    .venv/bin/python bench/generate.py M postgresql+psycopg://postgres@127.0.0.1:5432/bench_m

| size | learners | courses | submitted build logs | peer reviews |
|---|---|---|---|---|
| S | 1,000 | 106 | 1,000 | ~3,250 |
| M | 10,000 | 1,006 | 10,000 | ~32,500 |
| L | 100,000 | 10,006 | 100,000 | ~325,000 |

The database is built by the migrations (the schema production runs), then the six
courses of ``courses/`` are imported through the importer, so the course, module and
assignment pages show real content. Everything else is inserted in bulk, table by table,
in batches: a generated course copies the shape of a real one (modules with a revision
history of three edits each, authors, tags, a maintainer) and shares its texts (module
text is content-addressed, as the importer and forks store it); one course in ten is a
fork of an earlier one and one in twenty a translation; learners enrol in the tube
digester course and in one or two others and have done some of its modules; each build
log on the gas-production assignment has three dated entries with a measurement, one
submitted version (the snapshot of a real submitted log, retitled) and three or four
submitted peer reviews with a score per criterion; some forks have an open proposal.
Ids come from the database, so the same seed gives the same data on SQLite and PostgreSQL.

Five named accounts, all with the password :data:`PASSWORD`, are what ``bench/http_load.py``
signs in as: ``bench-learner`` (an enrolled learner with a submitted log, a review to
write and some modules done), ``bench-maintainer`` (maintains the digester course: its
gradebook has every log), ``bench-author`` (maintains a generated course with history),
``bench-admin`` and ``bench-facilitator`` (facilitates a learning circle of the digester
course whose members are the first :data:`CIRCLE_SIZE` learners, those with build logs).
The URLs of the key pages are written next to the database as ``<database>.json``
(``bench/http_load.py`` reads them).

The name of the database (file or PostgreSQL database) must contain "bench": it is
dropped and created again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Table, bindparam, create_engine, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peerlearn import create_app  # noqa: E402
from peerlearn.accounts.services import hash_password  # noqa: E402
from peerlearn.authoring.bundle_io import import_bundle  # noqa: E402
from peerlearn.bundles.reader import read_bundle  # noqa: E402
from peerlearn.catalog.search import searchable_text  # noqa: E402
from peerlearn.extensions import db  # noqa: E402
from peerlearn.review.grading import stored_grades  # noqa: E402
from peerlearn.review.models import Review  # noqa: E402

PASSWORD = "bench-password-2026"
MAIN_COURSE = "tubular-biogas-digester"
MAIN_ASSIGNMENT = "gas-production-test"
LANGUAGES = ("en", "es", "fr", "rw", "sw", "qu")
LICENCES = ("CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0")
TOPICS = (
    "biogas",
    "solar",
    "water",
    "cooking",
    "farming",
    "building",
    "repair",
    "energy",
    "sanitation",
    "bicycles",
    "radio",
    "soil",
    "bees",
    "fish",
    "forest",
    "health",
)
WORDS = (
    "digester",
    "panel",
    "battery",
    "trench",
    "pump",
    "filter",
    "stove",
    "roof",
    "seed",
    "compost",
    "tank",
    "pipe",
    "valve",
    "frame",
    "kiln",
    "brick",
    "clay",
    "rain",
    "wind",
    "wheel",
    "loom",
    "hive",
    "pond",
    "garden",
    "bridge",
    "well",
    "mill",
    "lamp",
    "cable",
)
BATCH = 5_000
#: Learners in the generated learning circle: issue 13's largest circle.
CIRCLE_SIZE = 500


@dataclass(frozen=True)
class Size:
    learners: int
    courses: int  # generated, besides the shipped ones
    logs: int


SIZES = {
    "S": Size(learners=1_000, courses=100, logs=1_000),
    "M": Size(learners=10_000, courses=1_000, logs=10_000),
    "L": Size(learners=100_000, courses=10_000, logs=100_000),
}


def table(name: str) -> Table:
    return db.metadata.tables[name]


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(name: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert in batches (executemany); returns the number of rows."""
    count = 0
    for batch in batches(rows):
        db.session.execute(insert(table(name)), batch)
        count += len(batch)
    return count


def insert_returning_ids(name: str, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert and return the new ids in the order of ``rows``."""
    ids: list[int] = []
    tbl = table(name)
    for batch in batches(rows):
        ids.extend(
            db.session.scalars(insert(tbl).returning(tbl.c.id, sort_by_parameter_order=True), batch)
        )
    return ids


def fresh_database(url: str) -> None:
    """Drop and create the bench database (its name must say "bench")."""
    parsed = make_url(url)
    name = Path(parsed.database or "").name
    if "bench" not in name:
        raise SystemExit(f"refusing to wipe {parsed.database!r}: its name must contain 'bench'")
    if parsed.get_backend_name().startswith("sqlite"):
        path = Path(parsed.database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


class Generator:
    """Builds one data set; each step is a method so a profile shows where time goes."""

    def __init__(self, size: Size, seed: int) -> None:
        self.size = size
        self.random = random.Random(seed)
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        self.password_hash = hash_password(PASSWORD)
        self.urls: dict[str, str] = {}

    # -- people ----------------------------------------------------------------------

    def users(self) -> None:
        named = [
            "bench-learner",
            "bench-maintainer",
            "bench-author",
            "bench-admin",
            "bench-facilitator",
        ]
        rows = [
            {
                "username": name,
                "email": f"{name}@example.org",
                "password_hash": self.password_hash,
                "locale": "en",
                "timezone": "UTC",
                "is_admin": name == "bench-admin",
                "activity_public": False,
                "created_at": self.now - timedelta(days=400),
            }
            for name in named
        ]
        rows += [
            {
                "username": f"learner{i}",
                "email": f"learner{i}@example.org",
                "password_hash": self.password_hash,
                "locale": LANGUAGES[i % len(LANGUAGES)],
                "timezone": "UTC",
                "is_admin": False,
                "activity_public": i % 3 == 0,
                "created_at": self.now - timedelta(days=self.random.randint(1, 365)),
            }
            for i in range(self.size.learners)
        ]
        ids = insert_returning_ids("users", rows)
        self.named = dict(zip(named, ids[: len(named)], strict=True))
        self.learners = ids[len(named) :]

    # -- the real courses --------------------------------------------------------------

    def shipped_courses(self) -> None:
        for folder in sorted((ROOT / "courses").iterdir()):
            if (folder / "course.yml").is_file():
                import_bundle(read_bundle(folder))
        db.session.flush()
        courses = table("courses")
        self.main_course = db.session.execute(
            select(courses.c.id, courses.c.key).where(courses.c.slug == MAIN_COURSE)
        ).one()
        modules = table("modules")
        self.main_modules = list(
            db.session.scalars(
                select(modules.c.id)
                .where(modules.c.course_id == self.main_course.id)
                .order_by(modules.c.position)
            )
        )
        assignments = table("assignments")
        self.assignment_id = db.session.scalar(
            select(assignments.c.id).where(
                assignments.c.course_id == self.main_course.id,
                assignments.c.slug == MAIN_ASSIGNMENT,
            )
        )
        revisions, contents = table("assignment_revisions"), table("module_contents")
        spec_text = db.session.scalar(
            select(contents.c.body)
            .join(revisions, revisions.c.content_id == contents.c.id)
            .where(revisions.c.assignment_id == self.assignment_id)
            .order_by(revisions.c.id.desc())
        )
        spec = yaml.safe_load(spec_text or "")
        self.criteria = [
            (criterion["id"], [level["points"] for level in criterion["levels"]])
            for criterion in spec["rubric"]
        ]
        self.must_be_reviewed = int(spec.get("must_be_reviewed", 3))
        # Texts of real modules, shared by the generated ones (content-addressed).
        self.content_ids = list(db.session.scalars(select(contents.c.id)))
        self.shipped_course_ids = list(db.session.scalars(select(courses.c.id)))
        insert_rows(
            "course_maintainers",
            [
                {
                    "course_id": self.main_course.id,
                    "user_id": self.named["bench-maintainer"],
                    "created_at": self.now,
                }
            ],
        )

    # -- generated courses -------------------------------------------------------------

    def generated_courses(self) -> None:
        rnd = self.random
        rows, parents = [], []
        keys: list[str] = []
        for i in range(self.size.courses):
            title_words = rnd.sample(WORDS, 3)
            title = f"{title_words[0].title()} {title_words[1]} and {title_words[2]} {i}"
            summary = " ".join(rnd.choices(WORDS, k=24)).capitalize() + "."
            tags = rnd.sample(TOPICS, rnd.randint(1, 3))
            parent = keys[rnd.randrange(len(keys))] if keys and i % 10 == 9 else None
            translated = keys[rnd.randrange(len(keys))] if keys and i % 20 == 7 else None
            key = hashlib.sha256(f"bench-course-{i}".encode()).hexdigest()[:32]
            keys.append(key)
            parents.append(parent or translated)
            rows.append(
                {
                    "key": key,
                    "slug": f"course-{i}",
                    "title": title,
                    "summary": summary,
                    "language": LANGUAGES[i % len(LANGUAGES)],
                    "licence": LICENCES[i % len(LICENCES)],
                    "forked_from": parent,
                    "translation_of": translated,
                    "search_text": searchable_text(title, summary, tags),
                    "updated_at": self.now - timedelta(hours=i),
                    "created_at": self.now - timedelta(days=200, hours=-i),
                    "_tags": tags,
                }
            )
        tags_of = [row.pop("_tags") for row in rows]
        ids = insert_returning_ids("courses", rows)
        self.generated_course_ids = ids
        insert_rows(
            "course_tags",
            (
                {"course_id": cid, "position": p, "name": tag}
                for cid, tags in zip(ids, tags_of, strict=True)
                for p, tag in enumerate(tags)
            ),
        )
        insert_rows(
            "course_authors",
            ({"course_id": cid, "position": 0, "name": f"Author {n}"} for n, cid in enumerate(ids)),
        )
        maintainers = [
            {
                "course_id": cid,
                "user_id": self.named["bench-author"] if n == 0 else rnd.choice(self.learners),
                "created_at": self.now,
            }
            for n, cid in enumerate(ids)
        ]
        insert_rows("course_maintainers", maintainers)
        # Five modules each, with three revisions (an import and two edits).
        module_rows = [
            {
                "course_id": cid,
                "key": hashlib.sha256(f"bench-module-{cid}-{p}".encode()).hexdigest()[:32],
                "slug": f"part-{p + 1}",
                "position": p,
                "created_at": self.now - timedelta(days=200),
            }
            for cid in ids
            for p in range(5)
        ]
        module_ids = insert_returning_ids("modules", module_rows)
        revision_rows = []
        for n, module_id in enumerate(module_ids):
            for step in range(3):
                revision_rows.append(
                    {
                        "module_id": module_id,
                        "title": f"Part {n % 5 + 1}: {WORDS[(n + step) % len(WORDS)]}",
                        "content_id": self.content_ids[(n * 3 + step) % len(self.content_ids)],
                        "author_id": rnd.choice(self.learners),
                        "saved_by_id": None,
                        "parent_id": None,
                        "kind": "import" if step == 0 else "edit",
                        "summary": "" if step == 0 else "Clearer steps",
                        "created_at": self.now - timedelta(days=100 - step * 10),
                    }
                )
        revision_ids = insert_returning_ids("module_revisions", revision_rows)
        modules, revisions = table("modules"), table("module_revisions")
        # Parents and current pointers: one UPDATE per statement kind, in batches.
        parent_pairs = [
            {"rid": revision_ids[i], "pid": revision_ids[i - 1]}
            for i in range(len(revision_ids))
            if i % 3
        ]
        for batch in batches(parent_pairs):
            db.session.execute(
                revisions.update()
                .where(revisions.c.id == bindparam("rid"))
                .values(parent_id=bindparam("pid")),
                batch,
            )
        current_pairs = [
            {"mid": module_id, "rid": revision_ids[n * 3 + 2]}
            for n, module_id in enumerate(module_ids)
        ]
        for batch in batches(current_pairs):
            db.session.execute(
                modules.update()
                .where(modules.c.id == bindparam("mid"))
                .values(current_revision_id=bindparam("rid")),
                batch,
            )
        self.author_course = ids[0]
        self.keys = dict(zip(keys, ids, strict=True))
        self.parents = parents

    # -- learners' work ------------------------------------------------------------------

    def enrolments_and_progress(self) -> None:
        rnd = self.random
        others = self.shipped_course_ids + self.generated_course_ids
        others = [cid for cid in others if cid != self.main_course.id]
        learner_ids = [self.named["bench-learner"], *self.learners]
        rows = []
        for user_id in learner_ids:
            rows.append(
                {
                    "user_id": user_id,
                    "course_id": self.main_course.id,
                    "created_at": self.now - timedelta(days=60),
                }
            )
            for cid in rnd.sample(others, rnd.randint(0, 2)):
                rows.append({"user_id": user_id, "course_id": cid, "created_at": self.now})
        insert_rows("enrolments", rows)
        progress = []
        for n, user_id in enumerate(learner_ids):
            done = len(self.main_modules) // 2 if n == 0 else rnd.randint(0, len(self.main_modules))
            progress.extend(
                {
                    "user_id": user_id,
                    "module_id": module_id,
                    "completed_at": self.now - timedelta(days=30 - k),
                }
                for k, module_id in enumerate(self.main_modules[:done])
            )
        insert_rows("module_progress", progress)

    def build_logs(self) -> None:
        """Logs of the first ``logs`` learners (bench-learner's first), all submitted."""
        rnd = self.random
        authors = [self.named["bench-learner"], *self.learners][: self.size.logs]
        log_rows = [
            {
                "assignment_id": self.assignment_id,
                "user_id": user_id,
                "title": f"My digester, {rnd.choice(WORDS)} edition",
                "summary": "Fourteen days of feeding and three burner tests.",
                "updated_at": self.now - timedelta(days=5),
                "created_at": self.now - timedelta(days=20),
            }
            for user_id in authors
        ]
        log_ids = insert_returning_ids("build_logs", log_rows)
        entry_rows = [
            {
                "log_id": log_id,
                "position": p,
                "entry_date": (self.now - timedelta(days=15 - 5 * p)).date(),
                "text": f"Day {p * 5 + 1}: fed {rnd.randint(15, 30)} kg of manure and "
                f"{rnd.randint(30, 60)} litres of water. The flame burned blue for "
                f"{rnd.randint(40, 140)} minutes.",
                "created_at": self.now - timedelta(days=15 - 5 * p),
            }
            for log_id in log_ids
            for p in range(3)
        ]
        entry_ids = insert_returning_ids("build_log_entries", entry_rows)
        insert_rows(
            "entry_measurements",
            (
                {
                    "entry_id": eid,
                    "position": 0,
                    "name": "Gas production",
                    "value": f"{rnd.uniform(0.3, 1.2):.2f}",
                    "unit": "m³",
                }
                for eid in entry_ids
            ),
        )
        snapshot = json.dumps(
            {
                "title": "My digester",
                "summary": "Fourteen days of feeding and three burner tests.",
                "entries": [
                    {
                        "date": (self.now - timedelta(days=15 - 5 * p)).date().isoformat(),
                        "text": f"Day {p * 5 + 1}: fed the digester and measured the gas.",
                        "measurements": [{"name": "Gas production", "value": "0.8", "unit": "m³"}],
                        "photos": [],
                    }
                    for p in range(3)
                ],
            }
        )
        submission_ids = insert_returning_ids(
            "submissions",
            [
                {
                    "log_id": log_id,
                    "version": 1,
                    "snapshot": snapshot,
                    "created_at": self.now - timedelta(days=5),
                }
                for log_id in log_ids
            ],
        )
        self.logs = list(zip(log_ids, authors, submission_ids, strict=True))

    def reviews(self) -> None:
        """Three or four submitted peer reviews per log (a quarter get a fourth), from
        learners who wrote logs themselves, never the author; bench-learner's log gets
        its reviews and bench-learner gets one leased review to write."""
        rnd = self.random
        reviewers = [author for _, author, _ in self.logs]
        review_rows, queue_rows = [], []
        # Everyone but the author and bench-learner (whose log would otherwise take
        # reviews from a reviewer the benchmark leases to it) may review.
        eligible = len(set(reviewers) - {self.named["bench-learner"]}) - 1
        for n, (log_id, author, submission_id) in enumerate(self.logs):
            count = 4 if n % 4 == 0 else 3
            chosen: set[int] = set()
            while len(chosen) < min(count, eligible):
                candidate = reviewers[rnd.randrange(len(reviewers))]
                if candidate not in (author, self.named["bench-learner"]):
                    chosen.add(candidate)
            for reviewer in sorted(chosen):
                review_rows.append(
                    {
                        "assignment_id": self.assignment_id,
                        "log_id": log_id,
                        "submission_id": submission_id,
                        "reviewer_id": reviewer,
                        "kind": "peer",
                        "state": "submitted",
                        "extra": False,
                        "leased_at": self.now - timedelta(days=4),
                        "submitted_at": self.now - timedelta(days=3),
                        "overall_comment": "Clear log; add a photo of the safety valve.",
                    }
                )
            queue_rows.append(
                {
                    "log_id": log_id,
                    "assignment_id": self.assignment_id,
                    "author_id": author,
                    "team": None,
                    "first_submitted_at": self.now - timedelta(days=5, seconds=-n),
                    "completed": len(chosen),
                    "leased": 0,
                    "load": len(chosen),
                    "required": self.must_be_reviewed,
                }
            )
        review_ids = insert_returning_ids("reviews", review_rows)
        insert_rows(
            "review_scores",
            (
                {"review_id": rid, "criterion": cid, "points": rnd.choice(levels), "comment": ""}
                for rid in review_ids
                for cid, levels in self.criteria
            ),
        )
        insert_rows("review_queue", queue_rows)
        # bench-learner's review to write: a leased review of the second log.
        if len(self.logs) > 1:
            log_id, _, submission_id = self.logs[1]
            leased = insert_returning_ids(
                "reviews",
                [
                    {
                        "assignment_id": self.assignment_id,
                        "log_id": log_id,
                        "submission_id": submission_id,
                        "reviewer_id": self.named["bench-learner"],
                        "kind": "peer",
                        "state": "leased",
                        "extra": True,
                        "leased_at": self.now,
                        "lease_expires_at": self.now + timedelta(days=3650),
                    }
                ],
            )
            self.leased_review = leased[0]
        self.review_count = len(review_ids)

    def proposals(self) -> None:
        """An open proposal from every fifth fork to its parent."""
        rows = []
        for n, (cid, parent) in enumerate(
            zip(self.generated_course_ids, self.parents, strict=True)
        ):
            if parent and n % 50 == 9:
                rows.append(
                    {
                        "source_course_id": cid,
                        "target_course_id": self.keys[parent],
                        "author_id": self.learners[n % len(self.learners)],
                        "title": "Local materials for the frame",
                        "description": "We used bamboo instead of timber.",
                        "status": "open",
                        "created_at": self.now - timedelta(days=2),
                    }
                )
        insert_rows("change_proposals", rows)
        self.proposal_count = len(rows)

    def circles(self) -> None:
        """A learning circle on the digester course: ``bench-facilitator`` facilitates it,
        the first ``CIRCLE_SIZE`` learners (those with build logs first) are its members."""
        circle_id = insert_returning_ids(
            "circles",
            [
                {
                    "course_id": self.main_course.id,
                    "name": "Biogas at the library",
                    "language": "es",
                    "starts_on": (self.now - timedelta(days=60)).date(),
                    "meeting_place": "Village hall",
                    "meeting_weekday": 3,
                    "timezone": "UTC",
                    "capacity": CIRCLE_SIZE + 1,
                    "open": True,
                    "invite_code": "bench-circle-invitation-code",
                    "review_min_pool": 4,
                    "review_fallback": True,
                    "created_by_id": self.named["bench-facilitator"],
                    "created_at": self.now - timedelta(days=61),
                }
            ],
        )[0]
        facilitator = self.named["bench-facilitator"]
        rows = [
            {
                "circle_id": circle_id,
                "user_id": facilitator,
                "role": "facilitator",
                "joined_at": self.now - timedelta(days=61),
            }
        ]
        rows += [
            {
                "circle_id": circle_id,
                "user_id": user_id,
                "role": "learner",
                "joined_at": self.now - timedelta(days=60 - n % 30),
            }
            for n, user_id in enumerate(self.learners[:CIRCLE_SIZE])
        ]
        insert_rows("circle_members", rows)
        insert_rows(
            "enrolments",
            [{"user_id": facilitator, "course_id": self.main_course.id, "created_at": self.now}],
        )
        self.circle_id = circle_id
        self.circle_size = len(rows) - 1

    # -- what the benchmark visits ---------------------------------------------------------

    def key_urls(self) -> None:
        modules, courses = table("modules"), table("courses")
        first_module = db.session.scalar(
            select(modules.c.slug)
            .where(modules.c.course_id == self.main_course.id)
            .order_by(modules.c.position)
        )
        author_slug = db.session.scalar(
            select(courses.c.slug).where(courses.c.id == self.author_course)
        )
        base = f"/courses/{MAIN_COURSE}"
        self.urls = {
            "home": "/",
            "catalog search": "/?q=digester",
            "catalog filter": "/?tag=biogas&language=en",
            "course": base,
            "module": f"{base}/m/{first_module}",
            "assignment": f"{base}/a/{MAIN_ASSIGNMENT}",
            "dashboard": "/dashboard",
            "build-log editor": f"{base}/a/{MAIN_ASSIGNMENT}/log",
            "module history": f"/courses/{author_slug}/m/part-1/history",
            "fork network": f"/courses/{MAIN_COURSE}/network",
            "gradebook": f"{base}/a/{MAIN_ASSIGNMENT}/gradebook",
            "circle page": f"/circles/{self.circle_id}",
            "facilitator view": f"/circles/{self.circle_id}/facilitate",
        }
        if hasattr(self, "leased_review"):
            self.urls["review page"] = f"/reviews/{self.leased_review}"
        revisions = table("module_revisions")
        ids = list(
            db.session.scalars(
                select(revisions.c.id)
                .join(modules, modules.c.id == revisions.c.module_id)
                .where(modules.c.course_id == self.author_course, modules.c.slug == "part-1")
                .order_by(revisions.c.id)
            )
        )
        if len(ids) >= 2:
            self.urls["diff"] = f"/courses/{author_slug}/m/part-1/diff?from={ids[0]}&to={ids[-1]}"


def generate(
    size_name: str, database_url: str, seed: int = 2026, manifest_file: Path | None = None
) -> dict[str, Any]:
    """Build the data set; returns its manifest, also written to ``manifest_file``
    (default: next to the database, see :func:`manifest_path`)."""
    from flask_migrate import upgrade

    size = SIZES[size_name]
    fresh_database(database_url)
    app = create_app(
        {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"}
    )
    timings: dict[str, float] = {}
    with app.app_context():
        start = time.perf_counter()
        upgrade(directory=str(ROOT / "migrations"))
        timings["migrate"] = time.perf_counter() - start
        generator = Generator(size, seed)
        for step in (
            generator.users,
            generator.shipped_courses,
            generator.generated_courses,
            generator.enrolments_and_progress,
            generator.build_logs,
            generator.reviews,
            generator.proposals,
            generator.circles,
            generator.key_urls,
        ):
            start = time.perf_counter()
            step()
            db.session.flush()
            timings[step.__name__] = round(time.perf_counter() - start, 2)
        db.session.commit()
        # The reviews were inserted in bulk, past the listener that queues the refresh of
        # stored grades; store them as that job would have, so that the gradebook reads
        # what a running site has (issue #15: grades are kept, not recomputed per view).
        start = time.perf_counter()
        with app.test_request_context("/"):
            stored_grades.refresh(list(db.session.scalars(select(Review.assignment_id).distinct())))
        timings["stored_grades"] = round(time.perf_counter() - start, 2)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
        counts = {
            name: db.session.scalar(select(db.func.count()).select_from(table(name)))
            for name in (
                "users",
                "courses",
                "modules",
                "module_revisions",
                "enrolments",
                "build_logs",
                "submissions",
                "reviews",
                "review_scores",
                "circle_members",
            )
        }
    manifest = {
        "size": size_name,
        "seed": seed,
        "database": database_url,
        "password": PASSWORD,
        "accounts": {
            "learner": "bench-learner",
            "maintainer": "bench-maintainer",
            "author": "bench-author",
            "admin": "bench-admin",
            "facilitator": "bench-facilitator",
        },
        "urls": generator.urls,
        "counts": counts,
        "seconds": timings,
    }
    (manifest_file or manifest_path(database_url)).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def manifest_path(database_url: str) -> Path:
    """``<file>.json`` beside a SQLite file; ``instance/<database>.json`` for PostgreSQL."""
    parsed = make_url(database_url)
    if parsed.get_backend_name().startswith("sqlite"):
        return Path(f"{parsed.database}.json")
    return ROOT / "instance" / f"{parsed.database}.json"


def default_url(size_name: str) -> str:
    return f"sqlite:///{ROOT / 'instance' / f'bench-{size_name}.sqlite3'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("database", nargs="?", help="SQLAlchemy URL (default: SQLite in instance/)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    start = time.perf_counter()
    manifest = generate(args.size, args.database or default_url(args.size), args.seed)
    print(json.dumps({k: manifest[k] for k in ("counts", "seconds")}, indent=2))
    print(
        f"generated {args.size} in {time.perf_counter() - start:.0f} s -> "
        f"{manifest_path(manifest['database'])}"
    )


if __name__ == "__main__":
    main()
