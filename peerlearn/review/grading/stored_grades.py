"""Grades that are kept, not recomputed (issue #15).

The model method fits every reviewer of an assignment at once, so a grade cannot be
computed alone, and refitting on every view of the gradebook took seconds at 10,000
submissions. Instead a job computes every grade of an assignment and stores it
(:class:`~peerlearn.review.models.StoredGrade`); the gradebook, its CSV, the learner's
grade page and regrade requests read the stored rows (three queries, whatever the class
size).

When they are refreshed: the job :func:`refresh` is queued (``jobs.enqueue_item``, one job
per transaction) whenever a flush writes what a grade is made of: a review submitted,
edited or discarded (peer, staff, calibration practice or a reference review), a
calibration example added or removed, a helpfulness rating (part of the reviewing grade),
a new submitted version. Never inside a page view. A maintainer's override is not stored:
it is read with the page, so it shows at once. A new revision of the assignment (another
rubric or method) makes the stored grades stale by itself (``revision_id``).

When there are none (an assignment graded before this existed, or whose rubric just
changed): the page computes the grades in the request, as before, shows them, and, when
its view says so (``store=True``: the plain page views, GET, which write nothing else),
stores them at once, so only the first view waits. Otherwise (a form sent back with its
errors, a service, a command) they are computed and not stored, and the job is queued.

Concurrent jobs: each notes when it began reading (``inputs_read_at``); a job never
replaces grades computed from a later read, so the last word is always the freshest one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import delete, event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peerlearn import jobs
from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.grading import grades, grading
from peerlearn.review.grading.grades import AssignmentGrades, LazyLogs, LogGrade, VersionGrade
from peerlearn.review.grading.grading import Explanation, ReviewerEstimate
from peerlearn.review.models import (
    CalibrationExample,
    Review,
    ReviewFeedback,
    ReviewKind,
    ReviewState,
    StoredGrade,
    StoredGradeSet,
)

logger = logging.getLogger(__name__)

#: Review states whose writes can change a grade (a lease being handed out or expiring
#: cannot).
_GRADING_STATES = frozenset({ReviewState.SUBMITTED.value, ReviewState.DISCARDED.value})


# --- reading ------------------------------------------------------------------------------


def assignment_grades(assignment: Assignment, *, store: bool = False) -> AssignmentGrades:
    """Every submitted log's grade, as stored, with the latest overrides (three queries).

    Without stored grades for the assignment's current revision they are computed here
    and, with ``store`` (a page view that writes nothing else), stored and committed at
    once; else the refresh job is queued (see the module's docstring).
    """
    found = _load(assignment)
    if found is not None:
        return found
    read_at = utcnow()
    computed = grades.assignment_grades(assignment)
    if _may_store(store):
        try:
            _store(assignment.id, assignment.current_revision_id, read_at, computed)
            db.session.commit()
        except IntegrityError:
            # Another first view (or the job) stored them at the same moment: theirs stand.
            db.session.rollback()
    else:
        jobs.enqueue_item(refresh, assignment.id)
    return computed


def grade_of(log: BuildLog, *, store: bool = False) -> LogGrade | None:
    """The grade of one build log (None if it was never submitted), for its author.

    Its author is told "your grade is ready" by the request that submits the last review,
    while the refresh job may still be at work: a grade page that then showed the grades
    stored before that review would contradict the notice. So when one of this log's
    reviews was submitted after the stored grades were read, the grades are computed
    here, as the job is computing them (the in-process cache of ``grade_inputs`` keeps
    one fit for both). One query more than reading the stored grade. ``store`` as for
    :func:`assignment_grades`.
    """
    assignment = log.assignment
    stored = db.session.get(StoredGradeSet, assignment.id)
    if stored is not None and stored.revision_id == assignment.current_revision_id:
        latest = db.session.scalar(
            select(Review.submitted_at)
            .where(Review.log_id == log.id, Review.state == ReviewState.SUBMITTED.value)
            .order_by(Review.submitted_at.desc())
            .limit(1)
        )
        if latest is not None and latest > stored.inputs_read_at:
            return grades.assignment_grades(assignment).get(log.id)
    return assignment_grades(assignment, store=store).get(log.id)


def _may_store(store: bool) -> bool:
    """A page view that says it writes nothing (``store``) may commit the grades it just
    computed, if its session indeed holds no change of its own: the commit then stores
    exactly those."""
    session = db.session()
    return store and not (session.new or session.dirty or session.deleted)


def _load(assignment: Assignment) -> AssignmentGrades | None:
    stored = db.session.get(StoredGradeSet, assignment.id)
    if stored is None or stored.revision_id != assignment.current_revision_id:
        return None
    spec = spec_of(assignment)
    overrides = grades.latest_overrides(assignment)
    # Plain rows, not ORM objects, each made into a grade only when a page asks for it:
    # a large class has ten thousand of them and a page shows 25.
    rows = {
        log_id: (author_id, too_wide, detail)
        for log_id, author_id, too_wide, detail in db.session.execute(
            select(
                StoredGrade.log_id, StoredGrade.author_id, StoredGrade.too_wide, StoredGrade.detail
            )
            .where(StoredGrade.assignment_id == assignment.id)
            .order_by(StoredGrade.log_id)
        )
    }

    def make(log_id: int) -> LogGrade:
        author_id, too_wide, detail = rows[log_id]
        return _log_grade(
            log_id, author_id, too_wide, json.loads(detail), stored, overrides.get(log_id)
        )

    reviewers = {
        int(name): ReviewerEstimate(name, Decimal(bias), Decimal(reliability))
        for name, (bias, reliability) in json.loads(stored.reviewers).items()
    }
    return AssignmentGrades(
        method=stored.method,
        max_total=Decimal(stored.max_total),
        scales=MappingProxyType(dict(grading.scales_from_spec(spec))),
        logs=LazyLogs(rows, make),
        reviewers=MappingProxyType(reviewers),
        authors=MappingProxyType({log_id: row[0] for log_id, row in rows.items()}),
        uncertain_ids=frozenset(
            log_id for log_id, row in rows.items() if row[1] and log_id not in overrides
        ),
    )


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _log_grade(
    log_id: int,
    author_id: int,
    too_wide: bool,
    detail: dict[str, Any],
    stored: StoredGradeSet,
    override: grades.OverrideInfo | None,
) -> LogGrade:
    explanation = detail.get("explanation")
    return LogGrade(
        log_id=log_id,
        author_id=author_id,
        method=stored.method,
        max_total=Decimal(stored.max_total),
        peer_total=_decimal(detail["peer_total"]),
        by_criterion=MappingProxyType(
            {c: Decimal(points) for c, points in detail["by_criterion"].items()}
        ),
        reviews=detail["reviews"],
        override=override,
        final=override.points if override is not None else _decimal(detail["peer_final"]),
        low=_decimal(detail["low"]),
        high=_decimal(detail["high"]),
        explanation=(
            None
            if explanation is None
            else Explanation(
                plain_average=Decimal(explanation["plain_average"]),
                reviewer_bias=Decimal(explanation["reviewer_bias"]),
                rest=Decimal(explanation["rest"]),
                unequal_weights=explanation["unequal_weights"],
                top_criteria=explanation["top_criteria"],
                bottom_criteria=explanation["bottom_criteria"],
            )
        ),
        uncertain=override is None and too_wide,
        versions=tuple(
            VersionGrade(
                submission_id=v["submission_id"],
                version=v["version"],
                peer_total=_decimal(v["peer_total"]),
                by_criterion=MappingProxyType(
                    {c: Decimal(points) for c, points in v["by_criterion"].items()}
                ),
                reviews=v["reviews"],
            )
            for v in detail["versions"]
        ),
        graded_version=detail["graded_version"],
        reviewing=_decimal(detail["reviewing"]),
        peer_final=_decimal(detail["peer_final"]),
        too_wide=too_wide,
    )


# --- storing ------------------------------------------------------------------------------


def refresh(assignment_ids: list[int]) -> None:
    """The job: recompute and store every grade of these assignments (each once)."""
    for assignment_id in sorted(set(assignment_ids)):
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None:
            continue  # deleted meanwhile
        read_at = utcnow()
        computed = grades.assignment_grades(assignment)
        revision_id = assignment.current_revision_id
        try:
            _store(assignment_id, revision_id, read_at, computed)
            db.session.commit()
        except IntegrityError:
            # A first page view stored the assignment's first grades at the same moment;
            # their row exists now, so this attempt waits for its lock instead.
            db.session.rollback()
            _store(assignment_id, revision_id, read_at, computed)
            db.session.commit()


def _store(
    assignment_id: int, revision_id: int | None, read_at: datetime, computed: AssignmentGrades
) -> None:
    """Replace the stored grades of the assignment, unless they come from a later read."""
    session = db.session
    stored = session.scalar(
        select(StoredGradeSet)
        .where(StoredGradeSet.assignment_id == assignment_id)
        .with_for_update()
    )
    if stored is not None and stored.inputs_read_at > read_at:
        logger.info("grades of assignment %s: a later computation is stored", assignment_id)
        return
    if stored is None:
        stored = StoredGradeSet(assignment_id=assignment_id)
        session.add(stored)
    stored.revision_id = revision_id
    stored.inputs_read_at = read_at
    stored.computed_at = utcnow()
    stored.method = computed.method
    stored.max_total = computed.max_total
    stored.reviewers = json.dumps(
        {
            str(reviewer): [str(estimate.bias), str(estimate.reliability)]
            for reviewer, estimate in computed.reviewers.items()
        }
    )
    session.execute(delete(StoredGrade).where(StoredGrade.assignment_id == assignment_id))
    rows = [_row(assignment_id, grade) for grade in computed.logs.values()]
    if rows:
        session.execute(insert(StoredGrade), rows)
    session.flush()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _row(assignment_id: int, grade: LogGrade) -> dict[str, Any]:
    """A grade as stored: without its override (read with the page), so ``final`` and
    ``uncertain`` are kept as they are without one."""
    peer_final = grade.peer_final
    detail = {
        "peer_total": _text(grade.peer_total),
        "peer_final": _text(peer_final),
        "by_criterion": {c: str(points) for c, points in grade.by_criterion.items()},
        "reviews": grade.reviews,
        "low": _text(grade.low),
        "high": _text(grade.high),
        "explanation": (
            None
            if grade.explanation is None
            else {
                key: (str(value) if isinstance(value, Decimal) else value)
                for key, value in asdict(grade.explanation).items()
            }
        ),
        "versions": [
            {
                "submission_id": v.submission_id,
                "version": v.version,
                "peer_total": _text(v.peer_total),
                "by_criterion": {c: str(points) for c, points in v.by_criterion.items()},
                "reviews": v.reviews,
            }
            for v in grade.versions
        ],
        "graded_version": grade.graded_version,
        "reviewing": _text(grade.reviewing),
    }
    return {
        "assignment_id": assignment_id,
        "log_id": grade.log_id,
        "author_id": grade.author_id,
        "peer_total": grade.peer_total,
        "peer_final": peer_final,
        "too_wide": grade.too_wide,
        "detail": json.dumps(detail),
    }


# --- when to refresh ----------------------------------------------------------------------


@event.listens_for(db.session, "after_flush")
def _grades_changed(session: Session, _context: object) -> None:
    """Queue a refresh for every assignment whose grades this flush may have changed."""
    assignments: set[int] = set()
    reviews: set[int] = set()
    logs: set[int] = set()
    for instance in _touched(session):
        if isinstance(instance, Review):
            if instance.kind != ReviewKind.SELF.value and (
                instance.state in _GRADING_STATES or instance in session.deleted
            ):
                assignments.add(instance.assignment_id)
        elif isinstance(instance, CalibrationExample):
            assignments.add(instance.assignment_id)
        elif isinstance(instance, ReviewFeedback):
            reviews.add(instance.review_id)
        elif isinstance(instance, Submission):
            logs.add(instance.log_id)
    if reviews:
        assignments.update(
            session.connection().scalars(select(Review.assignment_id).where(Review.id.in_(reviews)))
        )
    if logs:
        assignments.update(
            session.connection().scalars(
                select(BuildLog.assignment_id).where(BuildLog.id.in_(logs))
            )
        )
    for assignment_id in sorted(a for a in assignments if a is not None):
        jobs.enqueue_item(refresh, assignment_id)


def _touched(session: Session) -> Iterable[object]:
    yield from session.new
    yield from session.dirty
    yield from session.deleted


def stored_for(assignment_ids: Iterable[int]) -> Mapping[int, datetime]:
    """When the grades of these assignments were last computed (for status lines)."""
    rows = db.session.execute(
        select(StoredGradeSet.assignment_id, StoredGradeSet.computed_at).where(
            StoredGradeSet.assignment_id.in_(list(assignment_ids))
        )
    )
    return {assignment_id: computed_at for assignment_id, computed_at in rows}
