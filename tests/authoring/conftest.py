"""Helpers for the authoring tests: a course with a signed-in maintainer, and reading
what the edit form would send back."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.content.models import CourseEvent, Module, ModuleRevision


def base_revision_of(page: str) -> str:
    """The base revision id the edit form on ``page`` would submit."""
    match = re.search(r'<input[^>]*name="base_revision_id"[^>]*>', page)
    assert match, "no base_revision_id field"
    value = re.search(r'value="(\d+)"', match.group(0))
    assert value, match.group(0)
    return value.group(1)


def settings_version_of(page: str) -> str:
    """The base version the course settings form on ``page`` would submit."""
    match = re.search(r'<input[^>]*name="base_version"[^>]*value="([0-9a-f]+)"', page)
    assert match, "no base_version field"
    return match.group(1)


def textarea_of(page: str, name: str = "body") -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


@pytest.fixture
def editor(client, login, create_user, create_course) -> Any:
    """A course "biogas" with three modules, maintained by the signed-in user "maria"."""
    user = create_user("maria")
    course = create_course("biogas", maintainer=user)
    login(user)
    return user, course


@pytest.fixture
def revisions(db) -> Callable[[str], list[ModuleRevision]]:
    def of(module_slug: str) -> list[ModuleRevision]:
        module = db.session.scalar(select(Module).where(Module.slug == module_slug))
        return list(
            db.session.scalars(
                select(ModuleRevision)
                .where(ModuleRevision.module_id == module.id)
                .order_by(ModuleRevision.id)
            )
        )

    return of


@pytest.fixture
def events(db) -> Callable[[], list[CourseEvent]]:
    def all_events() -> list[CourseEvent]:
        return list(db.session.scalars(select(CourseEvent).order_by(CourseEvent.id)))

    return all_events
