"""An assignment and its rubric as plain data (``assignments/<slug>.yml`` in a bundle).

This module is pure (no Flask, no database) so that the bundle import, the authoring
screens and the grading code all agree on one definition of a valid assignment, and so
that every rule can be tested in milliseconds. ``assignment_reader.parse_assignment`` and
``assignment_writer.dump_assignment`` follow the bundle reader and writer: the first problem found
is raised as a ``BundleError`` naming the file and the field, and the writer's one canonical
form reads back to the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

ASSIGNMENTS_DIR = "assignments"

#: Keys of an assignment file in the order the writer emits them: identity, then the short
#: review settings a facilitator scans for, then the long prompt and rubric.
ASSIGNMENT_FIELDS = (
    "id", "title", "module", "must_review", "must_be_reviewed", "self_assessment",
    "calibration_examples", "anonymity", "grading", "flexible_after_days",
    "max_interval_width", "submission_deadline", "review_deadline", "days_to_submit",
    "days_to_review", "resubmission", "reviewing_weight",
    "prompt", "rubric",
)  # fmt: skip
REQUIRED_ASSIGNMENT_FIELDS = ("id", "title", "module", "prompt", "rubric")
CRITERION_FIELDS = ("id", "title", "weight", "description", "levels")
REQUIRED_CRITERION_FIELDS = ("id", "title", "description", "levels")
LEVEL_FIELDS = ("points", "title", "description")

MAX_PROMPT = 20_000
MAX_DESCRIPTION = 2000
MAX_CRITERIA = 20
MIN_LEVELS = 2
MAX_LEVELS = 10
MAX_POINTS = 100
MAX_WEIGHT = 100
#: Weights are shown to reviewers and learners; two decimals is as fine as anyone can read.
WEIGHT_DECIMALS = 2
#: More reviews than this per learner is more work than a volunteer course can ask for.
MAX_REVIEWS = 20
MAX_CALIBRATION_EXAMPLES = 10
#: The flexible rule waits at most this long; a longer wait is no longer flexible.
MAX_FLEXIBLE_DAYS = 60
#: The reviewing grade's weight in the final grade is a whole percentage.
MAX_REVIEWING_WEIGHT = 100
DEADLINE_EXAMPLE = "2027-03-01T18:00:00-04:00"
#: Suggested durations for a learning circle's schedule: half a year to submit, three
#: months to review, is already more than any circle runs.
MAX_DAYS_TO_SUBMIT = 180
MAX_DAYS_TO_REVIEW = 90


class Anonymity(StrEnum):
    """Who sees whose name during peer review."""

    #: Neither the reviewer nor the author sees the other's name.
    DOUBLE_BLIND = "double-blind"
    #: The reviewer sees the author's name; the author does not see the reviewer's.
    SINGLE_BLIND = "single-blind"
    #: Both see each other's names.
    OPEN = "open"


class Grading(StrEnum):
    """How peers' reviews become a grade (``peerlearn.review.grading.grading`` implements each)."""

    #: Learns each reviewer's bias and reliability from all their reviews (Piech et al.
    #: 2013, PG1); the most accurate in ``bench/peer_sim.py``, hence the default.
    MODEL = "model"
    #: Open edX ORA2's rule: per criterion the median, an even count rounds up.
    MEDIAN = "median"
    #: Per criterion the mean of the reviewers' scores.
    MEAN = "mean"


@dataclass(frozen=True)
class Level:
    """One step on a criterion's scale: what a reviewer awards and what it looks like."""

    points: int
    title: str
    description: str


@dataclass(frozen=True, kw_only=True)
class Criterion:
    """One row of the rubric; its levels are kept from fewest to most points."""

    id: str
    title: str
    description: str
    weight: Decimal | int = 1
    levels: tuple[Level, ...]

    @property
    def max_points(self) -> int:
        return max(level.points for level in self.levels)


@dataclass(frozen=True, kw_only=True)
class AssignmentSpec:
    """An assignment of one module: what to do, how it is reviewed and by when.

    ``module`` is the stable ``id`` of the module, so the assignment follows the module
    when it is renamed or renumbered. Deadlines are timezone-aware: a course is run in
    many places, and a deadline without an offset would mean a different moment in each.
    """

    id: str
    slug: str
    title: str
    module: str
    prompt: str
    rubric: tuple[Criterion, ...]
    must_review: int = 4
    must_be_reviewed: int = 3
    self_assessment: bool = False
    calibration_examples: int = 0
    anonymity: Anonymity = Anonymity.DOUBLE_BLIND
    grading: Grading = Grading.MODEL
    #: After this many days waiting, a submission needs only max(1, 30 %) of
    #: ``must_be_reviewed``; None keeps the requirement fixed.
    flexible_after_days: int | None = None
    #: A grade whose credible interval is wider than this share (%) of the highest total
    #: is flagged for another review or a staff look; None flags none.
    max_interval_width: int | None = None
    submission_deadline: datetime | None = None
    review_deadline: datetime | None = None
    #: Revise and resubmit: a version submitted after feedback is reviewed again (by an
    #: earlier reviewer first), and the grade follows the latest graded version.
    resubmission: bool = False
    #: Percent of the final grade that is the author's own reviewing grade (accuracy and
    #: helpfulness of the reviews they gave); 0 leaves the peers' grade as it is.
    reviewing_weight: int = 0
    #: Suggested durations for circles, which run the course on their own dates: days to
    #: submit, counted from the previous assignment's submission deadline (from the
    #: circle's start for the first), and days to review after this one's. None: the
    #: circle's default (a week each).
    days_to_submit: int | None = None
    days_to_review: int | None = None

    @property
    def filename(self) -> str:
        return f"{self.slug}.yml"


class ScoreError(ValueError):
    """Points chosen by a reviewer that do not fit the rubric."""


# --- scoring ---------------------------------------------------------------------------


def max_points(spec: AssignmentSpec) -> Decimal:
    """The highest weighted total a submission can get: every criterion at its top level."""
    return sum(
        (Decimal(criterion.max_points) * Decimal(criterion.weight) for criterion in spec.rubric),
        Decimal(0),
    )


def weighted_total(spec: AssignmentSpec, chosen_points: Mapping[str, int]) -> Decimal:
    """Sum of points times weight for one review, keyed by criterion id.

    Raises :class:`ScoreError` unless every criterion has exactly one chosen value that
    is the points of one of its levels: a partial or stale review must never be totalled
    as if it were complete.
    """
    known = {criterion.id for criterion in spec.rubric}
    unknown = sorted(set(chosen_points) - known)
    if unknown:
        raise ScoreError(f"criterion '{unknown[0]}' is not in the rubric of '{spec.slug}'")
    total = Decimal(0)
    for criterion in spec.rubric:
        if criterion.id not in chosen_points:
            raise ScoreError(f"no points chosen for criterion '{criterion.id}'")
        points = chosen_points[criterion.id]
        allowed = [level.points for level in criterion.levels]
        if type(points) is not int or points not in allowed:
            raise ScoreError(
                f"criterion '{criterion.id}' has no level with {points!r} points; "
                f"choose one of {', '.join(map(str, allowed))}"
            )
        total += Decimal(points) * Decimal(criterion.weight)
    return total
