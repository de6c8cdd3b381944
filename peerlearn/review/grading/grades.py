"""Grades from reviews, as the gradebook, the CSV export and the author see them.

The pure :mod:`peerlearn.review.grading.grading` turns scores into grades, fed by
:mod:`peerlearn.review.grading.grade_inputs` (which reviews count, the calibration evidence, the
method and scales). This module adds what the maintainers decide on top:

- A maintainer's latest :class:`GradeOverride` always wins: the final grade is its points.
- The author's self-assessment is shown beside the grade and never part of it.
- Each author's reviewing grade (0 to 100, :mod:`peerlearn.review.grading.reviewing_grade`) is
  part of the final grade by the assignment's ``reviewing_weight`` (0: not at all).
- With revise and resubmit every version has its own peer grade (``versions``); the log's
  peer grade is that of the latest version that has one.

Every function loads what it needs in a fixed number of queries whatever the size of the
class (house rule 4): the model method estimates reviewers from the whole assignment, so a
single log's grade is computed with all of them anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import func, select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.bundles.assignment_spec import AssignmentSpec, max_points
from peerlearn.extensions import db
from peerlearn.review.grading import grade_inputs, grading, standing
from peerlearn.review.grading.grade_inputs import GRADED_KINDS, GradeInputs
from peerlearn.review.grading.grading import CriterionScale, Explanation, ReviewerEstimate
from peerlearn.review.grading.reviewing_grade import blended, reviewing_grade
from peerlearn.review.models import (
    GradeOverride,
    Review,
    ReviewFeedback,
    ReviewKind,
    ReviewScore,
    ReviewState,
)


@dataclass(frozen=True)
class OverrideInfo:
    """The maintainer's grade that replaced the peers' one, and who gave it, when, why."""

    id: int
    points: Decimal
    reason: str
    created_at: datetime
    #: Username of the maintainer; None when their account is gone.
    by: str | None


@dataclass(frozen=True)
class VersionGrade:
    """One submitted version's peer grade (revise and resubmit); None: not graded."""

    submission_id: int
    version: int
    peer_total: Decimal | None
    by_criterion: Mapping[str, Decimal]
    reviews: int


@dataclass(frozen=True)
class LogGrade:
    """One build log's grade: the peers' result, the override if any, and the final grade.

    ``peer_total`` is None while no review counts; ``final`` is the override's points when
    there is one, else ``peer_total`` (so None means "not graded yet", never zero).
    """

    log_id: int
    author_id: int
    method: str
    max_total: Decimal
    peer_total: Decimal | None
    by_criterion: Mapping[str, Decimal]
    #: How many reviewers' scores made the peer grade.
    reviews: int
    override: OverrideInfo | None
    final: Decimal | None
    #: The peer grade's 90 % credible interval (model only), and why it differs from the
    #: plain average of the scores (see ``grading.Explanation``).
    low: Decimal | None = None
    high: Decimal | None = None
    explanation: Explanation | None = None
    #: The interval is wider than the assignment's ``max_interval_width`` allows and no
    #: maintainer has set the grade: it wants another review or a staff look.
    uncertain: bool = False
    #: With revise and resubmit: every version, oldest first (empty otherwise).
    versions: tuple[VersionGrade, ...] = ()
    #: The version whose grade is the log's peer grade (revise and resubmit only).
    graded_version: int | None = None
    #: The author's reviewing grade, 0 to 100 (None: none of their reviews comparable yet).
    reviewing: Decimal | None = None
    #: ``final`` and ``uncertain`` as they would be without an override: what is stored
    #: (:mod:`peerlearn.review.grading.stored_grades`), as the override is read with the page.
    peer_final: Decimal | None = None
    too_wide: bool = False

    @property
    def graded(self) -> bool:
        return self.final is not None

    @property
    def width(self) -> Decimal | None:
        return None if self.low is None or self.high is None else self.high - self.low


@dataclass(frozen=True)
class AssignmentGrades:
    """Every submitted build log's grade for one assignment, keyed by log id."""

    method: str
    max_total: Decimal
    #: The rubric's scales by criterion id, in rubric order.
    scales: Mapping[str, CriterionScale]
    logs: Mapping[int, LogGrade]
    #: The model's reviewer estimates by reviewer id (empty for median and mean).
    reviewers: Mapping[int, ReviewerEstimate] = field(default_factory=dict)
    #: Each log's author, and the logs whose grade is ``uncertain``: what a page of 25
    #: needs about all 10,000 logs, so stored grades need not decode each one
    #: (:class:`LazyLogs`). Empty: read them from ``logs``.
    authors: Mapping[int, int] = field(default_factory=dict)
    uncertain_ids: frozenset[int] | None = None

    def get(self, log_id: int) -> LogGrade | None:
        return self.logs.get(log_id)

    def author_of(self) -> Mapping[int, int]:
        """Each log's author, by log id."""
        return self.authors or {log_id: grade.author_id for log_id, grade in self.logs.items()}

    def uncertain(self) -> frozenset[int]:
        """The logs whose peer grade is less certain than the assignment allows."""
        if self.uncertain_ids is not None:
            return self.uncertain_ids
        return frozenset(log_id for log_id, grade in self.logs.items() if grade.uncertain)


class LazyLogs(Mapping[int, LogGrade]):
    """Grades by log id, each made when first asked for: a gradebook page shows 25 of
    10,000 stored grades, and making every one would take most of its time."""

    def __init__(self, ids: Iterable[int], make: Callable[[int], LogGrade]) -> None:
        self._ids = list(ids)
        self._known = frozenset(self._ids)
        self._make = make
        self._made: dict[int, LogGrade] = {}

    def __getitem__(self, log_id: int) -> LogGrade:
        if log_id not in self._known:
            raise KeyError(log_id)
        found = self._made.get(log_id)
        if found is None:
            found = self._made[log_id] = self._make(log_id)
        return found

    def __contains__(self, log_id: object) -> bool:
        return log_id in self._known

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


# --- grades ------------------------------------------------------------------------------


def assignment_grades(assignment: Assignment) -> AssignmentGrades:
    """Every submitted log's grade, computed now: peers' result by the assignment's method,
    override, final. Pages read the stored grades instead
    (:func:`peerlearn.review.grading.stored_grades.assignment_grades`); this is what the job that
    stores them runs.

    Six queries whatever the number of learners: the assignment's current spec, the
    counting scores, the calibration evidence, the submitted logs, the latest overrides
    and the helpfulness ratings (one more for the versions with revise and resubmit).
    """
    inputs = grade_inputs.load(assignment)
    return _assemble(assignment, inputs, grade_inputs.grade(inputs))


def _assemble(
    assignment: Assignment, inputs: GradeInputs, result: grading.Grading
) -> AssignmentGrades:
    overrides = latest_overrides(assignment)
    total = max_points(inputs.spec)
    widest = (
        None
        if inputs.spec.max_interval_width is None
        else total * inputs.spec.max_interval_width / 100
    )
    versions = _version_grades(inputs, result)
    reviewing = _reviewing_grades(assignment, inputs, result)
    weight = inputs.spec.reviewing_weight
    logs: dict[int, LogGrade] = {}
    for log_id, author_id in sorted(inputs.authors.items()):
        peer = result.results.get(str(log_id))
        graded_version = None
        if inputs.by_version:
            graded = [v for v in versions.get(log_id, ()) if v.peer_total is not None]
            peer = result.results.get(str(graded[-1].submission_id)) if graded else None
            graded_version = graded[-1].version if graded else None
        override = overrides.get(log_id)
        peer_total = peer.total if peer is not None else None
        peer_final = blended(peer_total, reviewing.get(author_id), weight, total)
        too_wide = (
            widest is not None and peer is not None and peer.width is not None
            and peer.width > widest
        )  # fmt: skip
        logs[log_id] = LogGrade(
            log_id=log_id,
            author_id=author_id,
            method=result.method,
            max_total=total,
            peer_total=peer_total,
            by_criterion=peer.by_criterion if peer is not None else MappingProxyType({}),
            reviews=peer.reviews if peer is not None else 0,
            override=override,
            final=override.points if override is not None else peer_final,
            low=peer.low if peer is not None else None,
            high=peer.high if peer is not None else None,
            explanation=peer.explanation if peer is not None else None,
            uncertain=override is None and too_wide,
            versions=tuple(versions.get(log_id, ())),
            graded_version=graded_version,
            reviewing=reviewing.get(author_id),
            peer_final=peer_final,
            too_wide=too_wide,
        )
    return AssignmentGrades(
        method=result.method,
        max_total=total,
        scales=MappingProxyType(dict(inputs.scales)),
        logs=MappingProxyType(logs),
        reviewers=MappingProxyType(
            {int(name): estimate for name, estimate in result.reviewers.items()}
        ),
    )


def interval_widths(assignment: Assignment) -> dict[int, Decimal]:
    """Each graded log's interval width in points, by log id: how unsure its peer grade
    still is (for allocation: reviews help most where it is widest)."""
    return {
        log_id: width
        for log_id, grade in assignment_grades(assignment).logs.items()
        if (width := grade.width) is not None
    }


def _reviewing_grades(
    assignment: Assignment, inputs: GradeInputs, result: grading.Grading
) -> dict[int, Decimal | None]:
    """Each author's reviewing grade: agreement of the reviews they gave with the grades of
    what they reviewed, the helpfulness ratings of those reviews, and how many they gave
    (extra ones count), by author id (one query, for the ratings)."""
    given: dict[int, int] = defaultdict(int)
    for _item, reviewer in inputs.scores:
        given[reviewer] += 1
    agreement = standing.review_agreement(
        {(str(item), str(reviewer)): chosen for (item, reviewer), chosen in inputs.scores.items()},
        {item: res.by_criterion for item, res in result.results.items()},
        inputs.scales,
    )
    ratings: dict[int, list[int]] = defaultdict(list)
    for reviewer_id, rating in db.session.execute(
        select(Review.reviewer_id, ReviewFeedback.rating)
        .join(ReviewFeedback, ReviewFeedback.review_id == Review.id)
        .where(
            Review.assignment_id == assignment.id,
            Review.kind.in_(GRADED_KINDS),
            Review.state == ReviewState.SUBMITTED.value,
        )
    ):
        if reviewer_id is not None:
            ratings[reviewer_id].append(rating)
    return {
        author: reviewing_grade(
            agreement.get(str(author)),
            ratings.get(author, []),
            given.get(author, 0),
            inputs.spec.must_review,
        )
        for author in set(inputs.authors.values())
    }


def _version_grades(inputs: GradeInputs, result: grading.Grading) -> dict[int, list[VersionGrade]]:
    """Each log's versions with their own peer grades, oldest first (revise and resubmit;
    empty otherwise, as versions are then graded together)."""
    found: dict[int, list[VersionGrade]] = defaultdict(list)
    for sid, (log_id, version) in sorted(inputs.versions.items(), key=lambda item: item[1]):
        peer = result.results.get(str(sid))
        found[log_id].append(
            VersionGrade(
                submission_id=sid,
                version=version,
                peer_total=peer.total if peer is not None else None,
                by_criterion=peer.by_criterion if peer is not None else MappingProxyType({}),
                reviews=peer.reviews if peer is not None else 0,
            )
        )
    return found


def grade_of(log: BuildLog) -> LogGrade | None:
    """The grade of one build log, computed now (None if it was never submitted)."""
    return assignment_grades(log.assignment).get(log.id)


# --- overrides ---------------------------------------------------------------------------


def latest_overrides(assignment: Assignment) -> dict[int, OverrideInfo]:
    """The latest override of each log of the assignment, with its maintainer (one query)."""
    latest = (
        select(func.max(GradeOverride.id))
        .join(BuildLog, BuildLog.id == GradeOverride.log_id)
        .where(BuildLog.assignment_id == assignment.id)
        .group_by(GradeOverride.log_id)
    )
    rows = db.session.execute(
        select(GradeOverride, User.username)
        .outerjoin(User, User.id == GradeOverride.created_by_id)
        .where(GradeOverride.id.in_(latest))
    )
    return {override.log_id: _override_info(override, username) for override, username in rows}


def _override_info(override: GradeOverride, username: str | None) -> OverrideInfo:
    return OverrideInfo(
        id=override.id,
        points=Decimal(override.points),
        reason=override.reason,
        created_at=override.created_at,
        by=username,
    )


def override_history(log: BuildLog) -> list[OverrideInfo]:
    """Every override of the log, newest first (one query)."""
    rows = db.session.execute(
        select(GradeOverride, User.username)
        .outerjoin(User, User.id == GradeOverride.created_by_id)
        .where(GradeOverride.log_id == log.id)
        .order_by(GradeOverride.id.desc())
    )
    return [_override_info(override, username) for override, username in rows]


# --- self-assessments --------------------------------------------------------------------


def self_assessments(log_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """The authors' submitted self-assessments of these logs, by log id (one query).

    Shown beside the peers' result; never part of the grade.
    """
    ids = list(log_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Review.log_id, ReviewScore.criterion, ReviewScore.points)
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .where(
            Review.log_id.in_(ids),
            Review.kind == ReviewKind.SELF.value,
            Review.state == ReviewState.SUBMITTED.value,
            ReviewScore.points.is_not(None),
        )
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for log_id, criterion, points in rows:
        assert points is not None  # the query left out criteria the author skipped
        found[log_id][criterion] = points
    return dict(found)


def self_assessment_of(log: BuildLog) -> dict[str, int] | None:
    """The author's submitted self-assessment, points by criterion, or None."""
    return self_assessments([log.id]).get(log.id)


def self_total(spec: AssignmentSpec, chosen: Mapping[str, int]) -> Decimal:
    """The weighted total of a self-assessment, on the same scale as the grade."""
    weights = {criterion.id: Decimal(criterion.weight) for criterion in spec.rubric}
    return sum(
        (Decimal(points) * weights[c] for c, points in chosen.items() if c in weights),
        Decimal(0),
    )
