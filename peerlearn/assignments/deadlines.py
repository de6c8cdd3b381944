"""Whose dates apply: one learner's deadlines for an assignment.

The bundle's absolute dates (``submission_deadline``, ``review_deadline``) are the
course's own, and hold for self-paced learners. A feature above this package may give
some learners other dates (a learning circle runs on its own schedule): it connects a
receiver to ``learner_deadlines`` at app setup, and every check here and every page that
asks ``deadlines_of`` then holds that learner to their dates, without this package
knowing circles exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import session_memo
from peerlearn.extensions import db

_signals = Namespace()

#: Asked for one learner's dates. Sender: the ``Assignment``; keyword ``user_id``. A
#: receiver returns ``Deadlines`` for a learner it schedules, or None for one it does not.
#: The first ``Deadlines`` returned wins.
learner_deadlines = _signals.signal("learner-deadlines")


@dataclass(frozen=True)
class Deadlines:
    """A learner's dates for one assignment (aware UTC; None: no deadline)."""

    submit_by: datetime | None
    review_by: datetime | None
    #: Who set them: "course" (the bundle) or the name of the feature that did ("circle").
    source: str = "course"


def course_deadlines(assignment: Assignment) -> Deadlines:
    spec = spec_of(assignment)
    return Deadlines(spec.submission_deadline, spec.review_deadline)


def deadlines_of(user_id: int | None, assignment: Assignment) -> Deadlines:
    """``user_id``'s deadlines for ``assignment``: a receiver's if one schedules them,
    else the course's (also for nobody, ``user_id`` None)."""
    if user_id is None:
        return course_deadlines(assignment)
    # The assignment page asks several times (the log box, the review box, the dates):
    # once a request is enough (see session_memo).
    key = (user_id, assignment.id)
    known = session_memo(db.session(), "deadlines") if assignment.id is not None else None
    if known is not None and key in known:
        found: Deadlines = known[key]
        return found
    found = course_deadlines(assignment)
    for _receiver, result in learner_deadlines.send(assignment, user_id=user_id):
        if isinstance(result, Deadlines):
            found = result
            break
    known = session_memo(db.session(), "deadlines") if known is not None else None
    if known is not None:
        known[key] = found
    return found
