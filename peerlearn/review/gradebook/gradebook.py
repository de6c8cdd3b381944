"""What the maintainers' gradebook shows: a page of rows, one log's full story, the CSV.

Queries only; nothing here changes a row. Every list is loaded in a fixed number of
queries whatever the number of learners (house rule 4): the grades of the whole assignment
(the model method needs all of them anyway), then the page's usernames, self-assessments,
open regrade requests and review counts, each in one query.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.extensions import db
from peerlearn.review.grading.grades import (
    AssignmentGrades,
    LogGrade,
    OverrideInfo,
    override_history,
    self_assessments,
    self_total,
)
from peerlearn.review.grading.stored_grades import assignment_grades
from peerlearn.review.models import RegradeRequest, Review, ReviewKind, ReviewState

#: Learners per page, as in the submissions list.
PER_PAGE = 25
#: Kinds shown on a log's detail page: what counts, and the author's own assessment.
DETAIL_KINDS = (ReviewKind.PEER.value, ReviewKind.STAFF.value, ReviewKind.SELF.value)
#: A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ReviewCounts:
    """Reviews a log has received, is being given right now, and needs."""

    completed: int
    leased: int
    required: int


@dataclass(frozen=True)
class GradebookRow:
    log_id: int
    username: str
    title: str
    grade: LogGrade
    counts: ReviewCounts
    #: The author's self-assessment (points by criterion) and its weighted total.
    self_scores: dict[str, int] | None
    self_total: Decimal | None
    open_regrade: RegradeRequest | None


@dataclass(frozen=True)
class GradebookPage:
    rows: list[GradebookRow]
    grades: AssignmentGrades
    page: int
    per_page: int
    #: Rows in the list as filtered (all submitted logs, or those with an open request).
    matching: int
    submitted: int
    open_regrades: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.matching / self.per_page))


@dataclass(frozen=True)
class LogDetail:
    log: BuildLog
    grade: LogGrade
    counts: ReviewCounts
    reviews: list[Review]
    self_scores: dict[str, int] | None
    overrides: list[OverrideInfo]
    regrades: list[RegradeRequest]
    #: Usernames of the maintainers who answered regrade requests, by user id.
    names: dict[int, str]


def review_counts(
    assignment: Assignment, grades: AssignmentGrades, only: Iterable[int] | None = None
) -> dict[int, ReviewCounts]:
    """Counts from the review queue (one query); a log not in the queue falls back to the
    reviews its grade counted and the assignment's requirement. Only the logs ``only``
    when given (a page's)."""
    from peerlearn.review.allocation import queue_counts

    required = spec_of(assignment).must_be_reviewed
    live = queue_counts.counts_for(assignment)
    counts = {}
    for log_id in grades.logs if only is None else only:
        grade = grades.logs[log_id]
        found = live.get(log_id)
        counts[log_id] = (
            ReviewCounts(*found) if found is not None else ReviewCounts(grade.reviews, 0, required)
        )
    return counts


def gradebook_page(
    assignment: Assignment,
    page: int,
    *,
    only_open: bool = False,
    only_uncertain: bool = False,
    per_page: int = PER_PAGE,
    learners: frozenset[int] | None = None,
    store: bool = False,
) -> GradebookPage:
    """One page of submitted logs by username, optionally only those awaiting a regrade
    or only those whose peer grade is less certain than the assignment allows; only the
    logs of ``learners`` (user ids; a circle's) when given. ``store``: the caller is a
    page view that may store grades it had to compute (``stored_grades``)."""
    grades = assignment_grades(assignment, store=store)
    if learners is not None:
        grades = _only(grades, learners)
    open_requests = {
        log_id: request
        for log_id, request in _open_requests(assignment).items()
        if log_id in grades.logs
    }
    uncertain = sorted(grades.uncertain())
    matching = (
        len(open_requests) if only_open else len(uncertain) if only_uncertain else len(grades.logs)
    )
    stmt = (
        select(BuildLog.id, User.username, BuildLog.title)
        .join(User, User.id == BuildLog.user_id)
        .where(
            BuildLog.assignment_id == assignment.id,
            exists().where(Submission.log_id == BuildLog.id),
        )
        .order_by(User.username, BuildLog.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    if learners is not None:
        stmt = stmt.where(BuildLog.user_id.in_(learners))
    if only_open:
        stmt = stmt.where(
            exists().where(
                RegradeRequest.log_id == BuildLog.id, RegradeRequest.answered_at.is_(None)
            )
        )
    if only_uncertain:
        stmt = stmt.where(BuildLog.id.in_(uncertain))
    found = db.session.execute(stmt).all()
    own = self_assessments(log_id for log_id, _name, _title in found)
    counts = review_counts(
        assignment, grades, [log_id for log_id, _name, _title in found if log_id in grades.logs]
    )
    spec = spec_of(assignment)
    rows = [
        _row(spec, grades, log_id, username, title, counts, own, open_requests)
        for log_id, username, title in found
        if log_id in grades.logs
    ]
    return GradebookPage(
        rows=rows,
        grades=grades,
        page=page,
        per_page=per_page,
        matching=matching,
        submitted=len(grades.logs),
        open_regrades=len(open_requests),
    )


def _only(grades: AssignmentGrades, learners: frozenset[int]) -> AssignmentGrades:
    """The grades of ``learners``' logs (graded with everyone's: the model needs them all)."""
    authors = {lid: author for lid, author in grades.author_of().items() if author in learners}
    uncertain = grades.uncertain() & authors.keys()
    logs = {lid: grades.logs[lid] for lid in authors}
    return replace(
        grades,
        logs=MappingProxyType(logs),
        authors=MappingProxyType(authors),
        uncertain_ids=frozenset(uncertain),
    )


def _row(
    spec: AssignmentSpec,
    grades: AssignmentGrades,
    log_id: int,
    username: str,
    title: str,
    counts: dict[int, ReviewCounts],
    own: dict[int, dict[str, int]],
    open_requests: dict[int, RegradeRequest],
) -> GradebookRow:
    chosen = own.get(log_id)
    return GradebookRow(
        log_id=log_id,
        username=username,
        title=title,
        grade=grades.logs[log_id],
        counts=counts[log_id],
        self_scores=chosen,
        self_total=self_total(spec, chosen) if chosen else None,
        open_regrade=open_requests.get(log_id),
    )


def _open_requests(assignment: Assignment) -> dict[int, RegradeRequest]:
    """Open regrade requests of the assignment by log id (one query)."""
    rows = db.session.scalars(
        select(RegradeRequest)
        .join(BuildLog, BuildLog.id == RegradeRequest.log_id)
        .where(BuildLog.assignment_id == assignment.id, RegradeRequest.answered_at.is_(None))
        .order_by(RegradeRequest.id)
    )
    return {request.log_id: request for request in rows}


def log_of(assignment: Assignment, log_id: int) -> BuildLog | None:
    """The log, only if it belongs to the assignment (else None), with its author."""
    return db.session.scalar(
        select(BuildLog)
        .where(BuildLog.id == log_id, BuildLog.assignment_id == assignment.id)
        .options(selectinload(BuildLog.user))
    )


def log_detail(assignment: Assignment, log: BuildLog, *, store: bool = False) -> LogDetail | None:
    """Everything about one log's grade; None if it was never submitted (``store`` as
    for :func:`gradebook_page`)."""
    grades = assignment_grades(assignment, store=store)
    grade = grades.get(log.id)
    if grade is None:
        return None
    reviews = list(
        db.session.scalars(
            select(Review)
            .where(
                Review.log_id == log.id,
                Review.kind.in_(DETAIL_KINDS),
                Review.state.in_((ReviewState.SUBMITTED.value, ReviewState.DISCARDED.value)),
            )
            .options(
                selectinload(Review.scores),
                selectinload(Review.feedback),
                selectinload(Review.reviewer),
            )
            .order_by(Review.submitted_at, Review.id)
        )
    )
    regrades = list(
        db.session.scalars(
            select(RegradeRequest)
            .where(RegradeRequest.log_id == log.id)
            .order_by(RegradeRequest.id.desc())
        )
    )
    ids = {one.answered_by_id for one in regrades if one.answered_by_id is not None}
    names = (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return LogDetail(
        log=log,
        grade=grade,
        counts=review_counts(assignment, grades, [log.id]).get(
            log.id, ReviewCounts(grade.reviews, 0, spec_of(assignment).must_be_reviewed)
        ),
        reviews=reviews,
        self_scores=self_assessments([log.id]).get(log.id),
        overrides=override_history(log),
        regrades=regrades,
        names=names,
    )


# --- CSV ---------------------------------------------------------------------------------


def csv_cell(value: str) -> str:
    """Text as a spreadsheet shows it, never as a formula it runs (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _plain(value: Decimal | None) -> str:
    """A number as data: dot decimal, no grouping, so every spreadsheet can read it back."""
    return "" if value is None else str(value.quantize(Decimal("0.01")))


def export_rows(
    assignment: Assignment, learners: frozenset[int] | None = None, *, store: bool = False
) -> list[tuple[str, LogGrade]]:
    """Every submitted log by username with its grade (the grades' queries + 1); only
    ``learners``' logs when given (``store`` as for :func:`gradebook_page`)."""
    grades = assignment_grades(assignment, store=store)
    if learners is not None:
        grades = _only(grades, learners)
    names = db.session.execute(
        select(BuildLog.id, User.username)
        .join(User, User.id == BuildLog.user_id)
        .where(
            BuildLog.assignment_id == assignment.id,
            exists().where(Submission.log_id == BuildLog.id),
        )
        .order_by(User.username, BuildLog.id)
    )
    return [(username, grades.logs[log_id]) for log_id, username in names if log_id in grades.logs]


def write_csv(
    spec: AssignmentSpec,
    rows: Iterable[tuple[str, LogGrade]],
    headers: Sequence[str],
    criterion_header: Callable[[str], str],
    interval_headers: tuple[str, str] | None = None,
) -> bytes:
    """The gradebook as CSV in UTF-8 with a byte-order mark (so spreadsheet programs pick
    the right encoding for names in any script), one header row, one row per log.

    ``headers`` name the columns before and after the criteria: username, final, peer
    grade, then reviews (those the peer grade counted), override reason and the author's
    reviewing grade (0 to 100); ``criterion_header`` names a criterion column from its title.
    ``interval_headers`` (low, high) add the peer grade's 90 % interval as the last two
    columns.
    """
    username, final, peer, reviews, reason, reviewing = headers
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [csv_cell(h) for h in (username, final, peer)]
        + [csv_cell(criterion_header(criterion.title)) for criterion in spec.rubric]
        + [csv_cell(reviews), csv_cell(reason), csv_cell(reviewing)]
        + [csv_cell(h) for h in interval_headers or ()]
    )
    for name, grade in rows:
        writer.writerow(
            [csv_cell(name), _plain(grade.final), _plain(grade.peer_total)]
            + [_plain(grade.by_criterion.get(criterion.id)) for criterion in spec.rubric]
            + [str(grade.reviews), csv_cell(grade.override.reason if grade.override else "")]
            + [_plain(grade.reviewing)]
            + ([_plain(grade.low), _plain(grade.high)] if interval_headers else [])
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
