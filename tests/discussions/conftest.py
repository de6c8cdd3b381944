"""People and a course to talk about, and helpers to read pages as a person does."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.content.models import Course, Module
from peerlearn.discussions.models import Post, Thread
from peerlearn.extensions import db


@dataclass
class Place:
    maintainer: User
    amina: User
    baraka: User
    course: Course
    module: Module

    @property
    def module_url(self) -> str:
        return f"/courses/{self.course.slug}/m/{self.module.slug}/discussions"


@pytest.fixture
def place(create_user, create_course) -> Place:
    maintainer = create_user("maintainer")
    course = create_course("biogas", maintainer=maintainer)
    module = db.session.scalars(
        select(Module).where(Module.course_id == course.id).order_by(Module.position)
    ).first()
    return Place(maintainer, create_user("amina"), create_user("baraka"), course, module)


@pytest.fixture
def as_user(client, login):
    """Switch the client to ``user`` (None: nobody)."""

    def switch(user: User | None) -> None:
        client.submit("/logout")
        if user is not None:
            login(user)

    return switch


def visible(response: Any) -> str:
    """The page without tags, as a reader sees it."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


def latest_thread() -> Thread:
    thread = db.session.scalars(select(Thread).order_by(Thread.id.desc())).first()
    assert thread is not None
    return thread


def posts_of(thread: Thread) -> list[Post]:
    return list(
        db.session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id))
    )


def start(
    client, place: Place, title: str = "How deep is the trench?", body: str = "Mine is 1 m."
) -> Thread:
    response = client.submit(place.module_url, {"title": title, "body": body})
    assert response.status_code == 302, response.get_data(as_text=True)
    return latest_thread()
