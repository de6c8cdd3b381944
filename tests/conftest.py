"""Shared fixtures: one app per test session, a clean database per test, factories.

The suite runs on SQLite by default and on PostgreSQL when PEERLEARN_TEST_DATABASE_URL
is set. Each test client request runs in its own context (like a real request, with its
own database session and commit), and objects the test holds are refreshed afterwards.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import event, text
from sqlalchemy.orm import close_all_sessions

from peerlearn import create_app
from peerlearn.accounts.models import User
from peerlearn.accounts.services import register_user
from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.bundles.format import CourseBundle, ModuleDoc
from peerlearn.bundles.reader import find_bundles, read_bundle
from peerlearn.content.models import Course, CourseMaintainer
from peerlearn.extensions import db as _db
from peerlearn.jobs import local_runner
from tests.rubrics import BUILD_CRITERION_YAML
from tests.settings import ROOT, database_url_for_tests

#: Fixture modules shared across folders (the "one of everything" world for route walkers).
pytest_plugins = ["tests.fixtures.world", "tests.fixtures.notices"]

COURSES_DIR = ROOT / "courses"

# Property tests take their number of examples from the active profile: hypothesis's own
# default, or "mutation" (HYPOTHESIS_PROFILE=mutation, set by tests/mutation/run.py): few,
# always the same examples, so that each of hundreds of mutants is tested quickly and the
# same way twice.
settings.register_profile("mutation", max_examples=15, derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
PASSWORD = "lentils-and-tortillas"
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would."""

    def __enter__(self) -> IsolatedClient:
        return self  # pytest-flask enters the client; keep requests isolated anyway

    def __exit__(self, *exc: object) -> None:
        return None

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # Read the whole body and close it, as a server does.
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # Its jobs (without Redis: on the process's job thread) have run when the test
        # looks, as they have a moment later on a real server.
        assert local_runner(self.application).wait_until_idle(60), "jobs still running"
        if _db.session.registry.has():
            _db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        match = _CSRF.search(self.get("/login").get_data(as_text=True))
        assert match, "no CSRF token on the login page"
        return match.group(1)

    def submit(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form the way a browser does: with the CSRF token of this session."""
        return self.post(path, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)


# --- The caller's environment stays out of the tests ------------------------------------
#: PEERLEARN_* variables that configure the test run itself, not the app under test.
TEST_RUN_VARIABLES = frozenset(
    {"PEERLEARN_TEST_DATABASE_URL", "PEERLEARN_REQUIRE_BROWSER", "PEERLEARN_REQUIRE_REDIS",
     "PEERLEARN_CHROMIUM", "PEERLEARN_SCREENSHOTS"}
)  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def _no_peerlearn_settings_from_the_shell() -> Iterator[None]:
    """Remove the app's settings (PEERLEARN_ENV, PEERLEARN_SECRET_KEY, ...) a developer
    exported in their shell, so that every test sees only the configuration it sets itself;
    they come back after the session. Autouse and session-scoped, so it runs before ``app``."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("PEERLEARN_") and not (
                name in TEST_RUN_VARIABLES or name.startswith("PEERLEARN_TEST_")
            ):
                patch.delenv(name)
        yield


# --- App, database, factories -------------------------------------------------------------
@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = database_url_for_tests(tmp_path_factory.mktemp("db"))
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        with _db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


class _StatementCounter:
    """Counts SQL statements on the test engine, so pure tests skip the table cleanup."""

    count = 0

    @classmethod
    def count_one(cls, *args: Any) -> None:
        cls.count += 1


@pytest.fixture(autouse=True)
def db(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The database, emptied after every test that touched it.

    A test marked ``pure`` (of a module with no Flask and no database) gets none, and no
    app is built for it: mutation testing runs such tests hundreds of times.
    """
    if request.node.get_closest_marker("pure"):
        yield None
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        if not event.contains(_db.engine, "before_cursor_execute", _StatementCounter.count_one):
            event.listen(_db.engine, "before_cursor_execute", _StatementCounter.count_one)
    before = _StatementCounter.count
    yield _db
    close_all_sessions()  # the test's own session too, or TRUNCATE waits for its locks
    if _StatementCounter.count == before:
        return
    with app.app_context():
        tables = [table.name for table in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                connection.execute(text("UPDATE modules SET current_revision_id = NULL"))
                connection.execute(text("UPDATE assignments SET current_revision_id = NULL"))
                for name in tables:
                    connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def create_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        username: str | None = None, password: str = PASSWORD, locale: str = "en", **kw: Any
    ) -> User:
        username = username or f"learner{next(counter)}"
        user = register_user(username, kw.pop("email", f"{username}@example.org"), password, locale)
        for key, value in kw.items():
            setattr(user, key, value)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def create_course(app: Flask) -> Callable[..., Course]:
    counter = iter(range(1, 10_000))

    def make(
        slug: str | None = None,
        modules: int | list[tuple[str, str]] = 3,
        maintainer: User | None = None,
        **kw: Any,
    ) -> Course:
        """A course imported like a bundle; ``maintainer`` may edit it."""
        n = next(counter)
        slug = slug or f"course-{n}"
        if isinstance(modules, int):
            modules = [
                (f"Module {i}", f"## Part {i}\n\nText of module {i}.\n")
                for i in range(1, modules + 1)
            ]
        docs = tuple(
            ModuleDoc(id=f"{slug}-m{i}", position=i, slug=f"module-{i}", title=title, body=body)
            for i, (title, body) in enumerate(modules, start=1)
        )
        fields: dict[str, Any] = {
            "id": f"{slug}-id", "slug": slug, "title": f"Course {n}",
            "summary": "A practical course.", "language": "en", "licence": "CC-BY-SA-4.0",
            "authors": ("Ana",), "tags": ("energy",),
        }  # fmt: skip
        fields.update(kw)
        import_bundle(CourseBundle(**fields, modules=docs))
        _db.session.commit()
        course = _db.session.scalar(_db.select(Course).where(Course.slug == slug))
        assert course is not None
        if maintainer is not None:
            _db.session.add(CourseMaintainer(course_id=course.id, user_id=maintainer.id))
            _db.session.commit()
        return course

    return make


ASSIGNMENT_YAML = (
    """id: {key}
title: {title}
module: {module}
must_review: {must_review}
must_be_reviewed: {must_be_reviewed}
self_assessment: {self_assessment}
calibration_examples: {calibration_examples}
anonymity: {anonymity}
grading: {grading}
flexible_after_days: {flexible_after_days}
submission_deadline: {submission_deadline}
review_deadline: {review_deadline}
prompt: |
  Build it, measure it and document it in your build log.
rubric:
"""
    + BUILD_CRITERION_YAML
)


@pytest.fixture
def create_assignment(app: Flask) -> Callable[..., Any]:
    """An assignment on a course's first module, saved like an imported one.

    Deadlines are ISO 8601 strings with an offset (quoted in the YAML) or None.
    """
    from peerlearn.assignments.models import Assignment
    from peerlearn.content.models import Module
    from peerlearn.content.revisions import add_revision

    counter = iter(range(1, 10_000))

    def make(
        course: Course,
        slug: str | None = None,
        title: str = "Gas production test",
        must_review: int = 4,
        must_be_reviewed: int = 3,
        submission_deadline: str | None = None,
        review_deadline: str | None = None,
        self_assessment: bool = False,
        calibration_examples: int = 0,
        anonymity: str = "double-blind",
        grading: str = "model",
        flexible_after_days: int | None = None,
    ) -> Assignment:
        n = next(counter)
        slug = slug or f"assignment-{n}"
        module = _db.session.scalar(
            _db.select(Module).where(Module.course_id == course.id).order_by(Module.position)
        )
        assert module is not None, "the course needs a module"
        text = ASSIGNMENT_YAML.format(
            key=f"{course.slug}-a{n}",
            title=title,
            module=module.key,
            must_review=must_review,
            must_be_reviewed=must_be_reviewed,
            submission_deadline=f"'{submission_deadline}'" if submission_deadline else "null",
            review_deadline=f"'{review_deadline}'" if review_deadline else "null",
            self_assessment="true" if self_assessment else "false",
            calibration_examples=calibration_examples,
            anonymity=anonymity,
            grading=grading,
            flexible_after_days="null" if flexible_after_days is None else flexible_after_days,
        )
        assignment = Assignment(
            course_id=course.id, key=f"{course.slug}-a{n}", slug=slug, module_id=module.id
        )
        _db.session.add(assignment)
        _db.session.flush()
        add_revision(assignment, text, author=None, kind="import")
        _db.session.commit()
        return assignment

    return make


@pytest.fixture
def sample_courses(app: Flask) -> list[Course]:
    for folder in find_bundles(COURSES_DIR):
        import_bundle(read_bundle(folder))
    _db.session.commit()
    return list(_db.session.scalars(_db.select(Course).order_by(Course.slug)))


@pytest.fixture
def login(client: IsolatedClient) -> Callable[..., Any]:
    def do(user: User, password: str = PASSWORD) -> Any:
        response = client.submit("/login", {"login": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """``with count_queries() as counter: ...``; ``counter.count`` is the number of statements."""

    @contextmanager
    def counting() -> Iterator[Any]:
        class Counter:
            count = 0
            statements: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            Counter.count += 1
            Counter.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield Counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


def path_of(*parts: str) -> Path:
    return ROOT.joinpath(*parts)
