"""What every view of a request shares: the acting user the permission checks see, and
the course of a ``/courses/<slug>`` URL.

The :class:`~peerlearn.permissions.Actor` is built from facts read with the signed-in
user in the query that checks their session (``accounts.sessions.USER_FACTS``), so it
costs no query of its own; it is kept on ``g`` for the rest of the request. A flush that
changes maintainers or translators drops it, and the next :func:`current_actor` reads the
facts again (one query), so a request that adds a maintainer and then checks sees it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Flask, abort, g, has_app_context, request
from flask_login import current_user
from sqlalchemy import and_, event, select
from sqlalchemy.orm import Session, joinedload

from peerlearn import permissions
from peerlearn.accounts.sessions import user_facts
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.permissions import Actor, actor_of

#: Tables whose rows are facts of the actor: writing one makes the actor stale.
_FACT_TABLES = frozenset({"course_maintainers", "translators"})


def current_actor() -> Actor:
    """The actor of this request, built on first use and kept on ``g``."""
    actor: Actor | None = g.get("_actor")
    if actor is not None:
        return actor
    user = current_user._get_current_object()
    if user is None or not user.is_authenticated:
        facts: dict[str, str] = {}
    else:
        loaded = g.get("user_facts")
        facts = loaded[1] if loaded and loaded[0] == user.id else user_facts(user.id)
    actor = actor_of(user, facts)
    g._actor = actor
    return actor


@event.listens_for(Session, "after_flush")
def _forget_actor(session: Session, *_: Any) -> None:
    """Maintainerships and translators are permissions: after a flush that writes either,
    the actor (and the facts read with the session) is read again when next asked.
    Tables are matched by name, their models living above this module."""
    if not has_app_context() or (g.get("_actor") is None and g.get("user_facts") is None):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in _FACT_TABLES:
            g.pop("_actor", None)
            g.pop("user_facts", None)
            return


# --- The course of a /courses/<slug> URL ---------------------------------------------------

#: The URLs whose first part names a course: every view under it finds the course loaded.
COURSE_PREFIX = "/courses/<slug>"

#: A part of a course URL loaded with its course in one query: the URL value's name (such
#: as ``module_slug``) and a function of the course's slug and the value giving the course
#: (None if unknown) and the part (None if the course has none by that name). Features
#: above this module add theirs at app setup (``assignment_slug``: assignments).
CoursePart = Callable[[str, str], tuple[Course | None, Any]]
COURSE_PARTS: dict[str, CoursePart] = {}


def course_with_module(slug: str, module_slug: str) -> tuple[Course | None, Module | None]:
    """The course (its authors and tags) and its live module named ``module_slug`` (with
    its current revision), in one query."""
    row = (
        db.session.execute(
            select(Course, Module)
            .outerjoin(
                Module,
                and_(
                    Module.course_id == Course.id,
                    Module.slug == module_slug,
                    Module.removed_at.is_(None),
                ),
            )
            .where(Course.slug == slug)
            .options(
                joinedload(Course.authors), joinedload(Course.tags), joinedload(Module.current)
            )
        )
        .unique()
        .first()
    )
    return (None, None) if row is None else (row[0], row[1])


def course_by_slug(slug: str) -> Course | None:
    """The course with its authors and tags, in one query."""
    return (
        db.session.scalars(
            select(Course)
            .where(Course.slug == slug)
            .options(joinedload(Course.authors), joinedload(Course.tags))
        )
        .unique()
        .first()
    )


def load_course(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Every route under ``/courses/<slug>``, of whatever feature, finds its course loaded
    once, in ``g.course`` (:func:`current_course`), with the module or assignment its URL
    names in ``g.course_part`` when one is named (None when the course has none by that
    name: the view says 404 or 403 as it must). An unknown course is a 404 here, and only
    here."""
    rule = request.url_rule
    if not values or rule is None or not rule.rule.startswith(COURSE_PREFIX):
        return
    if any("\x00" in str(value) for value in values.values()):
        return  # the input guard (a before_request, run after this) answers 400
    slug = str(values["slug"])
    part_name = next((name for name in COURSE_PARTS if name in values), None)
    if part_name is None:
        course, part = course_by_slug(slug), None
    else:
        course, part = COURSE_PARTS[part_name](slug, str(values[part_name]))
    if course is None or not permissions.can_view_course(current_actor(), course):
        abort(404)
    g.course = course
    g.course_part = part


def current_course() -> Course:
    """The course :func:`load_course` loaded for this request."""
    course: Course = g.course
    return course


def course_part() -> Any:
    """The module or assignment of this request's URL, loaded with its course (see
    :data:`COURSE_PARTS`); None when the course has none by that name."""
    return g.get("course_part")


def install(app: Flask) -> None:
    """Load the course of every ``/courses/<slug>`` URL before its view runs."""
    COURSE_PARTS.setdefault("module_slug", course_with_module)
    app.url_value_preprocessor(load_course)


# --- The permission a route needs ------------------------------------------------------------

P = ParamSpec("P")
R = TypeVar("R")


def requires(
    check: Callable[[Actor, Course], bool],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A ``/courses/<slug>`` route that only those for whom ``check(actor, course)`` holds
    may use (``permissions.can_edit_course``, say): 403 for anyone else, before the view
    runs. Put it below ``@login_required``, so that a visitor who is not signed in is
    asked to sign in first, as before."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            if not check(current_actor(), current_course()):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
