"""What a thread is about, and the facts its permissions need: who may read it (everyone,
or a few), who moderates it besides the course's maintainers, and which names it hides.

Every target kind answers the same questions here, so the views and the announcing job
treat a module's thread and a build log's alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select

from peerlearn.assignments.models import BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.circles.membership import current_circle, current_members
from peerlearn.circles.models import FACILITATOR, Circle
from peerlearn.content.models import Course, Module
from peerlearn.discussions.models import TargetKind
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.review.models import ReviewState
from peerlearn.review.reviewing.reviewing import received_reviews


@dataclass
class Target:
    kind: TargetKind
    id: int
    course: Course
    #: What the thread is about, as a reader sees it ("Digging the trench").
    label: str
    #: Where the thing itself is shown.
    url: str
    #: Who may read the threads (user ids); None when anyone may.
    audience: frozenset[int] | None = None
    #: Who moderates besides the course's maintainers (circle facilitators).
    facilitators: frozenset[int] = frozenset()
    #: Names shown instead of people's own (double-blind review: "Reviewer 1").
    aliases: dict[int, str] = field(default_factory=dict)
    module: Module | None = None
    log: BuildLog | None = None
    circle: Circle | None = None

    @property
    def open(self) -> bool:
        return self.audience is None


def course_target(course: Course) -> Target:
    return Target(
        TargetKind.COURSE, course.id, course, course.title,
        url_for("catalog.course", slug=course.slug),
    )  # fmt: skip


def module_target(course: Course, module: Module) -> Target:
    return Target(
        TargetKind.MODULE, module.id, course, module.title,
        url_for("catalog.module", slug=course.slug, module_slug=module.slug), module=module,
    )  # fmt: skip


def log_target(log: BuildLog) -> Target:
    """A build log's threads: its author, whoever finished a review of it, and the
    circle's facilitators; reviewers and the author appear as "Reviewer 1", "Author", and
    the log is named by its assignment (its own title may carry its author's name)."""
    assignment = log.assignment
    aliases = {log.user_id: _("Author of the build log")}
    audience = {log.user_id}
    for n, review in enumerate(received_reviews(log), start=1):
        if review.reviewer_id is None:
            continue
        aliases.setdefault(review.reviewer_id, _("Reviewer %(n)s", n=n))
        if review.state == ReviewState.SUBMITTED.value:
            audience.add(review.reviewer_id)
    facilitators = log_facilitators(log)
    return Target(
        TargetKind.LOG, log.id, assignment.course,
        _("A build log for “%(assignment)s”", assignment=spec_of(assignment).title),
        url_for("discussions.log_threads", log_id=log.id),
        audience=frozenset(audience | facilitators), facilitators=facilitators,
        aliases=aliases, log=log,
    )  # fmt: skip


def log_facilitators(log: BuildLog) -> frozenset[int]:
    """The facilitators of the circle the log's author is in now (none when self-paced)."""
    circle = current_circle(log.user_id, log.assignment.course_id)
    return _facilitators(circle) if circle is not None else frozenset()


def _facilitators(circle: Circle) -> frozenset[int]:
    return frozenset(m.user_id for m in current_members(circle) if m.role == FACILITATOR)


def circle_target(circle: Circle) -> Target:
    """A circle's threads: for its current members; its facilitators moderate them (a
    finished circle's stay readable)."""
    members = current_members(circle)
    return Target(
        TargetKind.CIRCLE, circle.id, circle.course, circle.name,
        url_for("discussions.circle_threads", circle_id=circle.id),
        audience=frozenset(m.user_id for m in members),
        facilitators=frozenset(m.user_id for m in members if m.role == FACILITATOR),
        circle=circle,
    )  # fmt: skip


def resolve(kind: str, target_id: int) -> Target | None:
    """The target a stored (kind, id) names, or None when it is gone."""
    if kind == TargetKind.COURSE.value:
        course = db.session.get(Course, target_id)
        return course_target(course) if course is not None else None
    if kind == TargetKind.MODULE.value:
        module = db.session.get(Module, target_id)
        if module is None or module.removed_at is not None:
            return None
        return module_target(module.course, module)
    if kind == TargetKind.LOG.value:
        log = db.session.scalar(select(BuildLog).where(BuildLog.id == target_id))
        return log_target(log) if log is not None else None
    if kind == TargetKind.CIRCLE.value:
        circle = db.session.get(Circle, target_id)
        return circle_target(circle) if circle is not None else None
    return None
