"""Saving module text: the one way a revision is made, so text is always deduplicated and
the module's pointer always moves with it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from peerlearn.accounts.models import User
from peerlearn.content.models import Course, CourseEvent, Module, ModuleContent, ModuleRevision
from peerlearn.extensions import db


def content_for(body: str) -> ModuleContent:
    """The stored text equal to ``body``, created if no revision has used it yet."""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    content = db.session.scalar(select(ModuleContent).where(ModuleContent.sha256 == digest))
    if content is not None:
        return content
    content = ModuleContent(sha256=digest, body=body)
    try:
        with db.session.begin_nested():
            db.session.add(content)
    except IntegrityError:  # stored by a concurrent save a moment ago
        content = db.session.scalar(select(ModuleContent).where(ModuleContent.sha256 == digest))
        assert content is not None
    return content


def add_revision(
    module: Module,
    title: str,
    body: str,
    *,
    author: User | None,
    kind: str,
    parent: ModuleRevision | None = None,
    summary: str = "",
    saved_by: User | None = None,
) -> ModuleRevision:
    """Append a revision to ``module`` and make it current."""
    revision = ModuleRevision(
        module_id=module.id,
        title=title,
        content=content_for(body),
        author_id=author.id if author is not None else None,
        saved_by_id=saved_by.id if saved_by is not None and saved_by is not author else None,
        parent_id=parent.id if parent is not None else None,
        kind=kind,
        summary=summary[:200],
    )
    db.session.add(revision)
    db.session.flush()
    module.current = revision
    db.session.flush()
    return revision


def record_event(
    course: Course,
    kind: str,
    actor: User | None,
    module: Module | None = None,
    **detail: Any,
) -> CourseEvent:
    """Note a structural change in the course's history."""
    event = CourseEvent(
        course_id=course.id,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        module_id=module.id if module is not None else None,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
    )
    db.session.add(event)
    db.session.flush()
    return event
