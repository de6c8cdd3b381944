"""The facilitator's view of a circle: where each current learner stands, and who is stuck.

One row per current learner (facilitators are the readers, not rows): modules done, the
state of their build log for one assignment, reviews given and received, when they were
last active and why they may be stuck. Read in a fixed number of queries whatever the size
of the circle (house rule 4): each figure is one grouped query over the circle's members,
selected by a subquery rather than a list of ids, then the rows are put together here.

The review figures are peer review's own: the requirement with the flexible rule applied
(``queue_counts.effective_required_sql``, as the waiting list reads it) and the rule for
when an author sees their grade (``progress.grade_visible``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.catalog.models import ModuleProgress
from peerlearn.circles.models import LEARNER, Circle, CircleMember
from peerlearn.content.models import Module
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.allocation.queue_counts import effective_required_sql
from peerlearn.review.gradebook.gradebook import csv_cell
from peerlearn.review.models import Review, ReviewKind, ReviewQueue, ReviewState
from peerlearn.review.reviewing.progress import grade_visible

#: Learners per page: a circle of 50 on one page (to print), within the page budget.
PER_PAGE = 50
#: Days without activity before a learner shows as stuck, unless the facilitator says.
DEFAULT_IDLE_DAYS = 7
#: The longest wait a facilitator can ask about (a number the page can show).
MAX_IDLE_DAYS = 365


class LogState(StrEnum):
    #: No build log started for the assignment.
    NONE = "none"
    #: Started, never submitted.
    DRAFT = "draft"
    #: Submitted, still short of the reviews it needs.
    SUBMITTED = "submitted"
    #: Reviewed enough, but the author has not given their own reviews yet.
    REVIEWED = "reviewed"
    #: The author can see their grade.
    GRADED = "graded"


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    username: str
    modules_done: int
    state: LogState
    #: Peer reviews the learner submitted for the assignment.
    given: int
    #: Calibration examples they practised on (submitted) for the assignment.
    practised: int
    #: Reviews their log received, and how many it needs (flexible rule applied).
    received: int
    required: int
    last_active: datetime
    idle_days: int
    #: Days the submitted log has waited for reviews; None when it is not waiting.
    waiting_days: int | None
    idle: bool
    waiting: bool

    @property
    def stuck(self) -> bool:
        return self.idle or self.waiting


@dataclass(frozen=True)
class Roster:
    rows: list[MemberRow]
    #: Current learners in the circle, and how many of them are stuck.
    members: int
    stuck: int
    modules: int
    must_review: int
    #: Calibration examples each learner is offered (0: the assignment has none).
    calibration: int
    days: int

    def page(self, number: int, only_stuck: bool, per_page: int = PER_PAGE) -> RosterPage:
        chosen = [row for row in self.rows if row.stuck] if only_stuck else self.rows
        start = (number - 1) * per_page
        return RosterPage(chosen[start : start + per_page], len(chosen), number, per_page)


@dataclass(frozen=True)
class RosterPage:
    rows: list[MemberRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _learners(circle: Circle) -> Select[Any]:
    """The circle's current learners' ids, as a subquery every figure is filtered by."""
    return select(CircleMember.user_id).where(
        CircleMember.circle_id == circle.id,
        CircleMember.left_at.is_(None),
        CircleMember.role == LEARNER,
    )


def roster(
    circle: Circle,
    assignment: Assignment | None,
    days: int = DEFAULT_IDLE_DAYS,
    *,
    now: datetime | None = None,
) -> Roster:
    """Every current learner of ``circle`` by username, with ``assignment``'s figures (none
    when the course has no assignment). Six queries whatever the number of learners."""
    now = now or utcnow()
    learners = _learners(circle)
    members = db.session.execute(
        select(CircleMember.user_id, User.username, CircleMember.joined_at)
        .join(User, User.id == CircleMember.user_id)
        .where(
            CircleMember.circle_id == circle.id,
            CircleMember.left_at.is_(None),
            CircleMember.role == LEARNER,
        )
        .order_by(User.username, User.id)
    ).all()
    modules = (
        db.session.scalar(
            select(func.count(Module.id)).where(
                Module.course_id == circle.course_id, Module.removed_at.is_(None)
            )
        )
        or 0
    )
    progress = {
        user_id: (done, latest)
        for user_id, done, latest in db.session.execute(
            select(
                ModuleProgress.user_id,
                func.count(ModuleProgress.id),
                func.max(ModuleProgress.completed_at),
            )
            .join(Module, Module.id == ModuleProgress.module_id)
            .where(
                Module.course_id == circle.course_id,
                Module.removed_at.is_(None),
                ModuleProgress.user_id.in_(learners),
            )
            .group_by(ModuleProgress.user_id)
        )
    }
    edited = dict(
        db.session.execute(
            select(BuildLog.user_id, func.max(BuildLog.updated_at))
            .join(Assignment, Assignment.id == BuildLog.assignment_id)
            .where(Assignment.course_id == circle.course_id, BuildLog.user_id.in_(learners))
            .group_by(BuildLog.user_id)
        ).all()
    )
    reviewed = _reviews_given(circle, assignment, learners)
    logs = _logs(assignment, learners, now) if assignment is not None else {}
    spec = spec_of(assignment) if assignment is not None else None
    must_review = spec.must_review if spec is not None else 0

    rows = []
    for user_id, username, joined_at in members:
        done, progressed = progress.get(user_id, (0, None))
        given, practised, last_review = reviewed.get(user_id, (0, 0, None))
        log = logs.get(user_id)
        last = max(
            moment for moment in (joined_at, progressed, edited.get(user_id), last_review) if moment
        )
        idle_days = max(0, (now - last).days)
        state, received, required, waited = _state(log, given, must_review, now)
        rows.append(
            MemberRow(
                user_id=user_id,
                username=username,
                modules_done=int(done),
                state=state,
                given=int(given),
                practised=practised,
                received=received,
                required=required,
                last_active=last,
                idle_days=idle_days,
                waiting_days=waited,
                idle=idle_days >= days,
                waiting=waited is not None and waited >= days,
            )
        )
    return Roster(
        rows=rows,
        members=len(rows),
        stuck=sum(1 for row in rows if row.stuck),
        modules=int(modules),
        must_review=must_review,
        calibration=spec.calibration_examples if spec is not None else 0,
        days=days,
    )


#: A learner's log: (submitted?, reviews completed, reviews required, first submitted at).
_LogFacts = tuple[bool, int, int, datetime | None]


def _logs(assignment: Assignment, learners: Select[Any], now: datetime) -> dict[int, _LogFacts]:
    """Each learner's log of ``assignment`` with its queue counts (one query). A log is in
    the review queue once submitted."""
    required = effective_required_sql(spec_of(assignment), now)
    found = db.session.execute(
        select(
            BuildLog.user_id,
            ReviewQueue.log_id,
            ReviewQueue.completed,
            required,
            ReviewQueue.first_submitted_at,
        )
        .outerjoin(ReviewQueue, ReviewQueue.log_id == BuildLog.id)
        .where(BuildLog.assignment_id == assignment.id, BuildLog.user_id.in_(learners))
    )
    return {
        user_id: (queued is not None, completed or 0, needed or 0, first)
        for user_id, queued, completed, needed, first in found
    }


def _reviews_given(
    circle: Circle, assignment: Assignment | None, learners: Select[Any]
) -> dict[int, tuple[int, int, datetime | None]]:
    """Peer reviews and calibration practices each learner submitted for ``assignment``,
    and when they last submitted any review in the course (one query)."""
    assignment_id = assignment.id if assignment is not None else -1

    def counted(kind: ReviewKind) -> Any:
        this_one = and_(Review.assignment_id == assignment_id, Review.kind == kind.value)
        return func.coalesce(func.sum(case((this_one, 1), else_=0)), 0)

    found = db.session.execute(
        select(
            Review.reviewer_id,
            counted(ReviewKind.PEER),
            counted(ReviewKind.CALIBRATION),
            func.max(Review.submitted_at),
        )
        .join(Assignment, Assignment.id == Review.assignment_id)
        .where(
            Assignment.course_id == circle.course_id,
            Review.reviewer_id.in_(learners),
            Review.state == ReviewState.SUBMITTED.value,
        )
        .group_by(Review.reviewer_id)
    )
    return {
        user_id: (int(given), int(practised), latest) for user_id, given, practised, latest in found
    }


def _state(
    log: _LogFacts | None, given: int, must_review: int, now: datetime
) -> tuple[LogState, int, int, int | None]:
    """(state, received, required, days waiting for reviews or None)."""
    if log is None:
        return LogState.NONE, 0, 0, None
    submitted, received, required, first = log
    if not submitted:
        return LogState.DRAFT, 0, 0, None
    if received < required:
        waited = max(0, (now - first).days) if first is not None else 0
        return LogState.SUBMITTED, received, required, waited
    if grade_visible(given, must_review, received, required):
        return LogState.GRADED, received, required, None
    return LogState.REVIEWED, received, required, None


def idle_days_arg(raw: str | None) -> int:
    """The ``days`` query argument: the default when missing or not a whole number, kept
    between 1 and ``MAX_IDLE_DAYS``."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) < 6):
        return DEFAULT_IDLE_DAYS
    return min(MAX_IDLE_DAYS, max(1, int(text)))


# --- CSV ---------------------------------------------------------------------------------


def write_csv(
    result: Roster, headers: Sequence[str], state_label: Callable[[LogState], str]
) -> bytes:
    """Every row as CSV (UTF-8 with a byte-order mark, as the gradebook's): ``headers``
    name username, modules done, build log, reviews given, reviews received, reviews
    needed, calibration practices, last active (ISO date), days inactive, days waiting,
    stuck."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(str(header)) for header in headers])
    for row in result.rows:
        writer.writerow(
            [
                csv_cell(row.username),
                row.modules_done,
                csv_cell(state_label(row.state)),
                row.given,
                row.received,
                row.required,
                row.practised,
                row.last_active.date().isoformat(),
                row.idle_days,
                "" if row.waiting_days is None else row.waiting_days,
                "1" if row.stuck else "0",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
