"""Helpers for fork tests: save module text as a given author, fork through the service,
and read what the sync form would send back."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.authoring.forking import fork_course
from peerlearn.content.models import Course, Module, ModuleRevision
from peerlearn.content.revisions import add_revision

BODY = (
    "## Materials\n\nA tube of plastic.\n\n## Steps\n\nDig a trench.\n\n## Safety\n\nNo flames.\n"
)


def course(db: Any, slug: str) -> Course:
    found = db.session.scalar(select(Course).where(Course.slug == slug))
    assert found is not None, slug
    return found


def module(db: Any, course_slug: str, module_slug: str) -> Module:
    found = db.session.scalar(
        select(Module).join(Course).where(Course.slug == course_slug, Module.slug == module_slug)
    )
    assert found is not None, (course_slug, module_slug)
    return found


def textarea_of(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


def hidden_of(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no field {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


@pytest.fixture
def edit(db: Any) -> Callable[..., ModuleRevision]:
    """``edit("biogas", "module-1", user, body=..., title=...)``: save a revision as ``user``."""

    def save(
        course_slug: str,
        module_slug: str,
        author: User | None,
        body: str | None = None,
        title: str | None = None,
    ) -> ModuleRevision:
        target = module(db, course_slug, module_slug)
        current = target.current
        revision = add_revision(
            target, title or current.title, current.body if body is None else body,
            author=author, kind="edit", parent=current,
        )  # fmt: skip
        db.session.commit()
        return revision

    return save


@pytest.fixture
def fork(db: Any) -> Callable[..., Course]:
    """``fork("biogas", user, "biogas-rw", as_translation=True, language="rw")``."""

    def make(parent_slug: str, user: User, slug: str, **kw: Any) -> Course:
        parent = course(db, parent_slug)
        kw.setdefault("licence", parent.licence)
        new = fork_course(user, parent, slug=slug, title=kw.pop("title", slug.title()), **kw)
        db.session.commit()
        return new

    return make


@pytest.fixture
def biogas(create_course: Callable[..., Course]) -> Course:
    """An original course with three modules of realistic shape."""
    return create_course(
        "biogas", id="biogas-id", title="Tubular biogas digester", authors=("Ana Quispe",),
        modules=[("Materials", BODY), ("Trench", BODY.replace("trench", "pit")),
                 ("Start", "Go.\n")],
    )  # fmt: skip
