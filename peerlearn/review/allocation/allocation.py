"""The allocation rule of the peer-review pull queue, as plain data.

``peerlearn.review.allocation.queue`` runs this rule inside the database, because it has to
pick among thousands of submissions in a few milliseconds and without two reviewers racing
for the same one. This module states the same rule in a few lines of Python, with no Flask or
SQLAlchemy, so that the rule itself (and the flexible requirement's arithmetic) can be
read and tested in isolation, and so that tests can check the SQL against it.

The rule, after Open edX ORA2's pull queue:

* a reviewer never gets their own build log, a teammate's (same non-null team), or one
  they already have a review for;
* among the others, a log is *needed* while its load (completed + leased reviews) is below
  its effective requirement; the needed log with the smallest load goes first, ties to the
  one submitted first (so a late submitter is not stuck behind the crowd: their log has
  the smallest load), then the lowest log id, so the choice is deterministic;
* when no log is needed any more, the least loaded eligible one is handed out anyway as an
  *extra* review: it counts for the reviewer and gives the author one more opinion;
* one exception to fewest-first: a log whose lease the same reviewer let expire, if it
  is still needed, goes back to them first, so a half-written draft is not wasted;
* among logs with the same load, the one whose grade is most uncertain goes first
  (:func:`uncertainty`), before the oldest: once starvation is ruled out, a review is
  worth most where it changes the grade most;
* a reviewer in a learning circle draws from a *preferred pool* (:class:`Pool`, the
  circle's members' logs) first: needed logs inside, then needed logs in the whole
  course, then extras inside, then extras outside; a circle whose facilitator turned
  fallback off never draws outside (:func:`circle_pool`).

A log whose author has given their own reviews but which still needs some is *waiting*
(:func:`waiting`): learners who already met their quota are invited to review it, and the
review they then give is marked ``invited`` so that a grade for reviewing can count it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

#: The uncertainty of a log nobody reviewed yet, in thousandths of the highest total.
UNKNOWN = 1000
#: How far apart two reviewers' totals typically are, as a share of the highest total:
#: what one review, or two that happen to agree, cannot rule out.
PRIOR_SPREAD = 0.25

#: The flexible rule keeps 30 % of the requirement, as tenths so that integer arithmetic
#: rounds exactly (in floats 0.3 * 10 is 3.0000000000000004, whose ceiling is 4).
FLEXIBLE_SHARE_TENTHS = 3


def flexible_minimum(must_be_reviewed: int) -> int:
    """What a log that waited long enough still needs: max(1, ceil(0.3 * must_be_reviewed))."""
    return max(1, -(-FLEXIBLE_SHARE_TENTHS * must_be_reviewed // 10))


def flexible_cutoff(now: datetime, flexible_after_days: int | None) -> datetime | None:
    """Logs first submitted at or before this moment fall under the flexible rule (None:
    the assignment has no flexible rule)."""
    if flexible_after_days is None:
        return None
    return now - timedelta(days=flexible_after_days)


def effective_required(
    required: int,
    first_submitted_at: datetime,
    *,
    now: datetime,
    must_be_reviewed: int,
    flexible_after_days: int | None,
) -> int:
    """The reviews a log still needs in total: its stored requirement, lowered to the
    flexible minimum once it has waited ``flexible_after_days`` (never raised: a maintainer
    who already lowered it further keeps their choice)."""
    cutoff = flexible_cutoff(now, flexible_after_days)
    if cutoff is not None and first_submitted_at <= cutoff:
        return min(required, flexible_minimum(must_be_reviewed))
    return required


def lease_expiry(now: datetime, lease_hours: float) -> datetime:
    """When a lease handed out ``now`` runs out and its log goes back to the pool."""
    return now + timedelta(hours=lease_hours)


@dataclass(frozen=True)
class Candidate:
    """A submitted log as allocation sees it; ``required`` is the effective requirement."""

    log_id: int
    author_id: int
    team: str | None
    first_submitted_at: datetime
    load: int
    required: int
    #: :func:`uncertainty` of its grade (higher goes first among equal loads).
    uncertainty: int = 0

    @property
    def needed(self) -> bool:
        return self.load < self.required

    def order(self) -> tuple[int, int, datetime, int]:
        return (self.load, -self.uncertainty, self.first_submitted_at, self.log_id)


def uncertainty(totals: Sequence[float], highest: float) -> int:
    """How unsure the grade of a log with these reviewers' totals is, in thousandths of
    the highest total: the standard error of their mean, with the spread shrunk towards
    :data:`PRIOR_SPREAD` (one review, or two that agree by chance, prove little).

    Deliberately simple and cheap (it runs when a review is submitted, never a model fit
    in a request); the stored number is all allocation reads, so a later version can
    store the width of the grade's interval instead without touching the queue.
    """
    n = len(totals)
    if n == 0 or highest <= 0:
        return UNKNOWN
    mean = sum(totals) / n
    squares = sum((t / highest - mean / highest) ** 2 for t in totals)
    variance = (squares + PRIOR_SPREAD**2) / n
    return min(UNKNOWN, round(1000 * math.sqrt(variance / n)))


@dataclass(frozen=True)
class Pool:
    """Whose logs a reviewer draws from first: ``preferred`` author ids (None: the whole
    course alike) and whether to go ``outside`` them when nothing inside fits."""

    preferred: frozenset[int] | None = None
    outside: bool = True

    def inside(self, candidate: Candidate) -> bool:
        return self.inside_author(candidate.author_id)

    def inside_author(self, author_id: int) -> bool:
        return self.preferred is None or author_id in self.preferred


WHOLE_COURSE = Pool()


def circle_pool(
    members: Collection[int], submitted: Collection[int], *, min_pool: int, fallback: bool
) -> Pool:
    """The pool of a reviewer in a circle: its members' logs first once at least
    ``min_pool`` members have submitted; below that the whole course alike if the
    facilitator allows the fallback, else still only the circle."""
    members = frozenset(members)
    if len(members & frozenset(submitted)) >= min_pool:
        return Pool(members, outside=fallback)
    return WHOLE_COURSE if fallback else Pool(members, outside=False)


def waiting(candidate: Candidate, authors_done: Collection[int]) -> bool:
    """A log that still needs reviews although its author gave all theirs: the one
    learners who met their quota are invited to review."""
    return candidate.needed and candidate.author_id in authors_done


def eligible(
    candidate: Candidate, *, reviewer_id: int, reviewer_team: str | None, excluded: Collection[int]
) -> bool:
    """Whether the reviewer may get this log at all (needed or not)."""
    if candidate.author_id == reviewer_id or candidate.log_id in excluded:
        return False
    return reviewer_team is None or candidate.team != reviewer_team


def choose(
    candidates: Iterable[Candidate],
    *,
    reviewer_id: int,
    reviewer_team: str | None = None,
    excluded: Collection[int] = (),
    drafts: Collection[int] = (),
    pool: Pool = WHOLE_COURSE,
) -> tuple[Candidate, bool] | None:
    """The log to hand out and whether it is an extra review, or None if there is nothing.

    ``excluded`` holds the logs the reviewer already has a review for; ``drafts`` the logs
    whose lease the reviewer let expire: one of those that is still needed goes first, so
    the reviewer finds their half-written review again instead of starting another.
    ``pool`` says whose logs come first (and whether others come at all).
    """
    allowed = [
        c
        for c in candidates
        if eligible(c, reviewer_id=reviewer_id, reviewer_team=reviewer_team, excluded=excluded)
        and (pool.outside or pool.inside(c))
    ]
    inside = [c for c in allowed if pool.inside(c)]
    needed = [c for c in allowed if c.needed]
    stages = (
        ([c for c in needed if c.log_id in drafts], False),
        ([c for c in inside if c.needed], False),
        (needed, False),
        (inside, True),
        (allowed, True),
    )
    for stage, extra in stages:
        if stage:
            return min(stage, key=Candidate.order), extra
    return None
