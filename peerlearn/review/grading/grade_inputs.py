"""What grading needs from the database, loaded in a fixed number of queries.

The pure :mod:`peerlearn.review.grading.grading` turns scores into grades; this module decides
which scores it sees, for both the grades (:mod:`peerlearn.review.grading.grades`) and the
reviewer standings (:mod:`peerlearn.review.grading.reviewer_standings`):

- Reviews that count are the *submitted* peer and staff reviews (extra ones included);
  leased, expired and discarded ones never do, nor self-assessments, calibration practice
  or reference reviews.
- Calibration evidence is each learner's submitted practice review of a calibration
  example, criterion by criterion, next to the maintainer's reference review of it.
- The method is the assignment's ``grading`` setting; the scales come from its rubric.
  ``model`` is graded with ``bounded``, the model that gives unanimous top (bottom) marks
  the top (bottom) grade (issue #17; ``flask peerlearn grade --method bounded`` gives the
  same grades offline, its default ``model`` keeps the numbers checked on held-out data).
- With revise and resubmit (``resubmission: true``) each submitted *version* is graded on
  its own: scores are keyed by submission id instead of log id, and ``versions`` says
  which log and version each submission is (one more query).

Loading is four queries whatever the size of the class (house rule 4): the model method
estimates reviewers from the whole assignment, so even a single log's grade needs all of it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from threading import Lock

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.extensions import db
from peerlearn.review.grading import grading
from peerlearn.review.grading.grading import CalibrationResult, CriterionScale, Score
from peerlearn.review.models import CalibrationExample, Review, ReviewKind, ReviewScore, ReviewState

#: Kinds of review whose scores make the grade.
GRADED_KINDS = (ReviewKind.PEER.value, ReviewKind.STAFF.value)


@dataclass(frozen=True)
class GradeInputs:
    """What grading needs from the database, kept so that standings reuse it."""

    spec: AssignmentSpec
    scales: dict[str, CriterionScale]
    #: (log id, reviewer id) -> {criterion: points} of the review that counts; with
    #: revise and resubmit (submission id, reviewer id).
    scores: dict[tuple[int, int], dict[str, Decimal]]
    calibration: list[CalibrationResult]
    #: log id -> author id, for every log with a submission.
    authors: dict[int, int]
    #: With revise and resubmit: submission id -> (log id, version), every version.
    versions: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def by_version(self) -> bool:
        return self.spec.resubmission


def load(assignment: Assignment) -> GradeInputs:
    """The assignment's current spec, the counting scores, the calibration evidence and
    the submitted logs (four queries)."""
    spec = spec_of(assignment)
    scales = grading.scales_from_spec(spec)
    return GradeInputs(
        spec=spec,
        scales=scales,
        scores=_review_scores(assignment, scales, spec.resubmission),
        calibration=_calibration(assignment, scales),
        authors=_submitted_logs(assignment),
        versions=_versions(assignment) if spec.resubmission else {},
    )


def grade(inputs: GradeInputs) -> grading.Grading:
    """The peers' grades by the assignment's method (no query)."""
    scores = [
        Score(submission=str(log_id), reviewer=str(reviewer_id), criterion=c, points=points)
        for (log_id, reviewer_id), chosen in inputs.scores.items()
        for c, points in chosen.items()
    ]
    method = PLATFORM_METHODS.get(inputs.spec.grading.value, inputs.spec.grading.value)
    return _graded(method, scores, inputs.scales, inputs.calibration)


#: The method the platform grades an assignment's ``grading`` setting with.
PLATFORM_METHODS = {"model": "bounded"}
#: How many assignments' grades a worker keeps (each a few MB at 10,000 submissions).
CACHED_GRADINGS = 4
_cache: OrderedDict[bytes, grading.Grading] = OrderedDict()
_cache_lock = Lock()


def _graded(
    method: str,
    scores: list[Score],
    scales: Mapping[str, CriterionScale],
    calibration: list[CalibrationResult],
) -> grading.Grading:
    """The grades of these exact inputs, kept for the next page view.

    The model is refitted from the whole assignment; a gradebook, its CSV and a learner's
    page asked one after another see the same reviews, so they share one fit. The key is
    a digest of the inputs themselves, so a new review is a new key and never a stale
    grade, and the cache holds results, not the scores. The grade pages read stored
    grades (:mod:`peerlearn.review.grading.stored_grades`); the reviewer standings still compute
    here, and the refresh job then fills this cache for them.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(method.encode())
    for name, scale in sorted(scales.items()):
        digest.update(
            f"\x1e{name}\x1f{scale.min_points}\x1f{scale.max_points}\x1f{scale.weight}".encode()
        )
    for score in sorted(scores, key=lambda one: (one.submission, one.reviewer, one.criterion)):
        digest.update(
            f"\x1d{score.submission}\x1f{score.reviewer}\x1f{score.criterion}\x1f{score.points}".encode()
        )
    for practice in sorted(calibration, key=repr):
        digest.update(
            f"\x1c{practice.reviewer}\x1f{practice.criterion}\x1f{practice.points}"
            f"\x1f{practice.reference_points}".encode()
        )
    key = digest.digest()
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    graded = grading.grade(scores, method, scales, calibration)
    with _cache_lock:
        _cache[key] = graded
        while len(_cache) > CACHED_GRADINGS:
            _cache.popitem(last=False)
    return graded


def _clamped(points: int, scale: CriterionScale) -> Decimal:
    """A score within its criterion's range.

    Only a rubric edited after reviews were submitted can leave a score outside it; the
    nearest level the rubric still has is the fairest reading of what the reviewer chose,
    and a gradebook that stopped working instead would help nobody.
    """
    return min(max(Decimal(points), scale.min_points), scale.max_points)


def _submitted_logs(assignment: Assignment) -> dict[int, int]:
    """Author of every build log of the assignment that has been submitted at least once."""
    has_submission = exists().where(Submission.log_id == BuildLog.id)
    rows = db.session.execute(
        select(BuildLog.id, BuildLog.user_id).where(
            BuildLog.assignment_id == assignment.id, has_submission
        )
    )
    return {log_id: user_id for log_id, user_id in rows}


def _versions(assignment: Assignment) -> dict[int, tuple[int, int]]:
    """Log and version number of every submission of the assignment (one query)."""
    rows = db.session.execute(
        select(Submission.id, Submission.log_id, Submission.version)
        .join(BuildLog, BuildLog.id == Submission.log_id)
        .where(BuildLog.assignment_id == assignment.id)
    )
    return {sid: (log_id, version) for sid, log_id, version in rows}


def _review_scores(
    assignment: Assignment, scales: Mapping[str, CriterionScale], by_version: bool = False
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """Scores of the reviews that count, one query. A reviewer who (as learner and as
    staff) reviewed a log (``by_version``: a version) twice counts once, with their latest
    review."""
    rows = db.session.execute(
        select(
            Review.id,
            Review.submission_id if by_version else Review.log_id,
            Review.reviewer_id,
            ReviewScore.criterion,
            ReviewScore.points,
        )
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .where(
            Review.assignment_id == assignment.id,
            Review.kind.in_(GRADED_KINDS),
            Review.state == ReviewState.SUBMITTED.value,
            Review.discarded_at.is_(None),
            ReviewScore.points.is_not(None),
        )
        .order_by(Review.id)
    )
    latest: dict[tuple[int, int], int] = {}
    scores: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for review_id, log_id, reviewer_id, criterion, points in rows:
        scale = scales.get(criterion)
        if scale is None:  # a criterion since removed from the rubric
            continue
        assert points is not None  # the query left out criteria the reviewer skipped
        # A reviewer who deleted their account is no one any more: each of those reviews
        # counts as its own reviewer (a negative id no user has), never merged with another.
        key = (log_id, reviewer_id if reviewer_id is not None else -review_id)
        if latest.setdefault(key, review_id) != review_id:
            if review_id < latest[key]:
                continue
            latest[key] = review_id
            scores[key] = {}
        scores[key][criterion] = _clamped(points, scale)
    return dict(scores)


def _calibration(
    assignment: Assignment, scales: Mapping[str, CriterionScale]
) -> list[CalibrationResult]:
    """Learners' practice scores next to the reference scores of the same example (one
    query). Examples a maintainer removed, and examples without a reference, give none."""
    practice = aliased(ReviewScore)
    reference = aliased(ReviewScore)
    rows = db.session.execute(
        select(Review.reviewer_id, practice.criterion, practice.points, reference.points)
        .join(practice, practice.review_id == Review.id)
        .join(
            CalibrationExample,
            and_(
                CalibrationExample.assignment_id == Review.assignment_id,
                CalibrationExample.log_id == Review.log_id,
            ),
        )
        .join(
            reference,
            and_(
                reference.review_id == CalibrationExample.reference_review_id,
                reference.criterion == practice.criterion,
            ),
        )
        .where(
            Review.assignment_id == assignment.id,
            Review.kind == ReviewKind.CALIBRATION.value,
            Review.state == ReviewState.SUBMITTED.value,
            CalibrationExample.removed_at.is_(None),
            practice.points.is_not(None),
            reference.points.is_not(None),
        )
        .order_by(Review.reviewer_id, practice.criterion, Review.id)
    )
    results = []
    for reviewer_id, criterion, points, reference_points in rows:
        if criterion not in scales:
            continue
        # The query left out criteria the learner or the reference skipped.
        assert points is not None and reference_points is not None
        results.append(
            CalibrationResult(
                reviewer=str(reviewer_id),
                criterion=criterion,
                points=_clamped(points, scales[criterion]),
                reference_points=_clamped(reference_points, scales[criterion]),
            )
        )
    return results
