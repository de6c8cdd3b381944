"""Fixtures for change proposals: an upstream course, a fork of it, and helpers to edit
modules the way the editor does (through ``add_revision``) and assignments the way the
assignment editor does (through ``add_assignment_revision``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.assignments.revisions import add_assignment_revision
from peerlearn.authoring.forking import fork_course
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.content.models import Course, Module
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db

BODY = "## Trench\n\nDig a trench one metre deep.\n\nLine it with plastic.\n\nFill it with water.\n"


@dataclass
class World:
    upstream: Course
    fork: Course
    #: Maintains the upstream course.
    owner: User
    #: Maintains the fork.
    forker: User


def module(course: Course, slug: str) -> Module:
    found = db.session.scalar(
        select(Module).where(Module.course_id == course.id, Module.slug == slug)
    )
    assert found is not None, slug
    return found


def edit(
    course: Course, slug: str, body: str, author: User | None, title: str | None = None
) -> Any:
    """Save a new revision of a module, as the module editor would, and commit."""
    target = module(course, slug)
    revision = add_revision(
        target, title or target.current.title, body, author=author, kind="edit",
        parent=target.current,
    )  # fmt: skip
    db.session.commit()
    return revision


def add_module(course: Course, slug: str, title: str, body: str, author: User) -> Module:
    """A module the fork wrote itself (no upstream module)."""
    position = max(m.position for m in course.modules) + 1
    new = Module(course_id=course.id, key=f"{course.slug}-{slug}", slug=slug, position=position)
    db.session.add(new)
    db.session.flush()
    add_revision(new, title, body, author=author, kind="create")
    db.session.commit()
    return new


def latest_proposal() -> ChangeProposal:
    proposal = db.session.scalar(select(ChangeProposal).order_by(ChangeProposal.id.desc()))
    assert proposal is not None
    return proposal


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def visible(response: Any) -> str:
    """The page without tags, for asserting what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text_of(response)))


def _biogas_world(
    create_user: Callable[..., User],
    create_course: Callable[..., Course],
    prepare: Callable[[Course, User], None] | None = None,
) -> World:
    """Ana's three-module "biogas" course, forked by Jean as "biogas-rw"; ``prepare`` adds
    to the upstream course (as Ana) before the fork is made."""
    owner = create_user("ana")
    forker = create_user("jean")
    upstream = create_course(
        "biogas",
        modules=[("Trench", BODY), ("Bag", "Fold the bag.\n"), ("Gas", "Light it.\n")],
        maintainer=owner,
    )
    if prepare is not None:
        prepare(upstream, owner)
        db.session.commit()
    fork = fork_course(
        forker, upstream, slug="biogas-rw", title="Biogas Rwanda", licence=upstream.licence
    )
    db.session.commit()
    return World(upstream, fork, owner, forker)


@pytest.fixture
def world(create_user: Callable[..., User], create_course: Callable[..., Course]) -> World:
    return _biogas_world(create_user, create_course)


@pytest.fixture
def propose(client: Any, login: Callable[..., Any]) -> Callable[..., Any]:
    """Send the propose form as the fork's maintainer; returns the response."""

    def send(world: World, slugs: list[str], title: str = "Better trench", **extra: Any) -> Any:
        login(world.forker)
        ids = [module(world.fork, slug).id for slug in slugs]
        data = {"title": title, "description": "Works in *clay* soil.", "modules": ids, **extra}
        return client.submit(f"/courses/{world.fork.slug}/propose", data)

    return send


# --- Assignments ------------------------------------------------------------------------


def assignment(course: Course, slug: str = "gas-test") -> Assignment:
    db.session.expire_all()
    found = db.session.scalar(
        select(Assignment).where(Assignment.course_id == course.id, Assignment.slug == slug)
    )
    assert found is not None, slug
    return found


def edit_assignment(
    course: Course, old: str, new: str, author: User | None, slug: str = "gas-test"
) -> AssignmentRevision:
    """Change one passage of an assignment's YAML, as the assignment editor would."""
    target = assignment(course, slug)
    current = target.current
    assert old in current.text, (old, current.text)
    revision = add_assignment_revision(
        target, current.text.replace(old, new), author=author, kind="edit", parent=current
    )
    db.session.commit()
    return revision


def add_assignment(course: Course, slug: str, text: str, author: User) -> Assignment:
    """An assignment the fork wrote itself (no upstream assignment); ``text`` names its
    module by key and carries its own id."""
    key = next(line[4:] for line in text.splitlines() if line.startswith("id: "))
    new = Assignment(course_id=course.id, key=key, slug=slug)
    db.session.add(new)
    db.session.flush()
    add_assignment_revision(new, text, author=author, kind="create")
    db.session.commit()
    return new


def spread(text: str) -> str:
    """The same assignment with ``must_be_reviewed`` moved to the end of the file, so that
    it and ``must_review`` can be changed on different sides without touching lines."""
    line = next(x for x in text.splitlines(keepends=True) if x.startswith("must_be_reviewed:"))
    return text.replace(line, "") + line


@pytest.fixture
def assignment_world(
    create_user: Callable[..., User],
    create_course: Callable[..., Course],
    create_assignment: Callable[..., Any],
) -> World:
    """Like ``world``, with an assignment "gas-test" on the first module, forked too."""

    def add_gas_test(upstream: Course, owner: User) -> None:
        create_assignment(upstream, slug="gas-test", title="Gas production test")
        target = assignment(upstream)
        add_assignment_revision(target, spread(target.current.text), author=owner, kind="edit")

    return _biogas_world(create_user, create_course, add_gas_test)


@pytest.fixture
def propose_items(client: Any, login: Callable[..., Any]) -> Callable[..., Any]:
    """Send the propose form with modules and assignments chosen by slug."""

    def send(
        world: World,
        modules: Sequence[str] = (),
        assignments: Sequence[str] = (),
        title: str = "Better test",
    ) -> Any:
        login(world.forker)
        data = {
            "title": title,
            "modules": [module(world.fork, slug).id for slug in modules],
            "assignments": [assignment(world.fork, slug).id for slug in assignments],
        }
        return client.submit(f"/courses/{world.fork.slug}/propose", data)

    return send
