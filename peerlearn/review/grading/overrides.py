"""Maintainers' grade overrides: append-only, the latest one wins over the peers' grade.

Services take the acting user, flush and never commit (house rule 1). The form checks the
points first and says what to fix in the user's language; the checks here only make sure
nothing out of range is ever written, whoever calls.
"""

from __future__ import annotations

from decimal import Decimal

from peerlearn.accounts.models import User
from peerlearn.assignments.models import BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.bundles.assignment_spec import max_points
from peerlearn.extensions import db
from peerlearn.review import signals
from peerlearn.review.models import GradeOverride

#: The column keeps two decimals; a grade finer than that is not one anybody can read.
POINTS_QUANTUM = Decimal("0.01")
MAX_REASON = 2000


class OverrideRefused(ValueError):
    """An override that cannot be recorded (``code``: out_of_range, too_precise, no_reason)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_points(points: Decimal, max_total: Decimal) -> None:
    """Raise :class:`OverrideRefused` unless ``points`` is a grade the log could get."""
    if not points.is_finite() or not Decimal(0) <= points <= max_total:
        raise OverrideRefused("out_of_range")
    if points != points.quantize(POINTS_QUANTUM):
        raise OverrideRefused("too_precise")


def override_grade(actor: User, log: BuildLog, points: Decimal, reason: str) -> GradeOverride:
    """Record ``actor``'s grade for ``log``; a new row every time (the history stays)."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise OverrideRefused("no_reason")
    check_points(points, max_points(spec_of(log.assignment)))
    override = GradeOverride(
        log_id=log.id,
        points=points.quantize(POINTS_QUANTUM),
        reason=reason,
        created_by_id=actor.id,
    )
    db.session.add(override)
    db.session.flush()
    signals.grade_overridden.send(log)
    return override
