"""The peer-review pull queue: who reviews which build log next.

Asking for something to review leases one classmate's build log (``Review`` kind=peer,
state=leased) for ``REVIEW_LEASE_HOURS``, chosen by the rule in
:mod:`peerlearn.review.allocation.allocation`. ``review_queue`` keeps per submitted log the
counts that rule orders by (completed, leased, load = completed + leased); they change only here, in
the transaction that changes the Review rows they count, always as ``x = x + n`` in SQL, so
they equal what ``reviews`` says. Services flush and never commit: the view commits.

Race freedom (two reviewers must not both take a log's last slot; a double click must not
make two leases):

* PostgreSQL: the candidate queue row is read ``FOR UPDATE SKIP LOCKED``, so concurrent
  allocators take different rows without waiting, and insert the Review and count it while
  the row is locked. A skipped row may still need a review, so when nothing unlocked is
  needed the query is repeated with a plain ``FOR UPDATE``: it waits for the holders and
  re-checks each row's new load, so nobody gets an extra review while a log they could
  take still needs one. Among allocators this wait cannot deadlock: the only queue rows an
  allocator holds before it are those of leases it expired, and two expiry steps never
  overlap (the second waits for the first at the ``reviews`` UPDATE). A caller that
  updated queue rows earlier in the same transaction (``complete``) could deadlock, so the
  wait runs in a savepoint and PostgreSQL's victim gets an extra review. Last line of
  defence: the unique indexes (one live peer lease per reviewer and assignment; one review
  per log, reviewer and kind). The attempt runs in a SAVEPOINT; on IntegrityError it is
  rolled back and the winning lease returned.
* SQLite has no row locks, and ``create_app`` leaves pysqlite in its default mode (it only
  turns foreign keys on): a deferred transaction opens at the first INSERT/UPDATE/DELETE,
  which takes the database write lock, waiting up to the busy timeout (pysqlite's 5 s) for
  another writer. So allocation first issues a no-op ``UPDATE``: from then on it holds the
  write lock until the view commits, and check, expiry, pick, insert and count are one
  serial step (``BEGIN IMMEDIATE`` semantics without changing how the engine opens
  transactions for everyone else), with nothing to recover from. Reads before it ran
  outside any transaction and hold no lock, so a waiting writer never holds a read lock
  another needs (SQLite would then fail at once with "database is locked").

The flexible rule is applied in SQL at read time (``queue_counts.flexible_required_sql``):
nothing is rewritten as time passes, so there is no background job and no stale stored
requirement. Reading the counts (``counts_of``, ``counts_for``, ``required_of``,
``completed_by``, ``leases_expiring``) lives in
:mod:`peerlearn.review.allocation.queue_counts`, which callers ask directly.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal

from flask import current_app
from sqlalchemy import (
    Integer,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from peerlearn.accounts.models import User
from peerlearn.assignments.deadlines import deadlines_of
from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.signals import log_submitted
from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.catalog.models import Enrolment
from peerlearn.db import rowcount, utcnow
from peerlearn.extensions import Model, db
from peerlearn.review.allocation import certainty, resubmission
from peerlearn.review.allocation.allocation import (
    Pool,
    flexible_cutoff,
    flexible_minimum,
    lease_expiry,
)
from peerlearn.review.allocation.circle_pool import pool_of
from peerlearn.review.allocation.queue_counts import (
    flexible_required_sql,
)
from peerlearn.review.models import Review, ReviewKind, ReviewQueue, ReviewState

RefusalCode = Literal["not_submitted", "closed", "nothing"]

PEER, STAFF = ReviewKind.PEER.value, ReviewKind.STAFF.value
LEASED, EXPIRED = ReviewState.LEASED.value, ReviewState.EXPIRED.value
SUBMITTED, DISCARDED = ReviewState.SUBMITTED.value, ReviewState.DISCARDED.value
#: Only these kinds are reviews *of a classmate's log*; the others never touch the queue.
COUNTED_KINDS = (PEER, STAFF)
#: Attempts at an allocation that lost a race on a unique index before giving up.
ATTEMPTS = 3
#: PostgreSQL's SQLSTATE for "deadlock detected".
DEADLOCK = "40P01"


class ReviewRefused(Exception):
    """No review can be handed out; ``code`` picks the message the view shows.

    ``not_submitted``: the reviewer has not submitted their own build log yet;
    ``closed``: the review deadline has passed; ``nothing``: there is nothing to review.
    """

    def __init__(self, code: RefusalCode) -> None:
        super().__init__(code)
        self.code: RefusalCode = code


# --- Submitting --------------------------------------------------------------------------


def connect_receivers() -> None:
    """Queue every submitted log: ``create_app`` calls this once per app (connecting the
    same receiver again changes nothing). The receiver runs inside ``buildlogs.submit``, so
    the queue row is written in the same transaction as the new version."""
    log_submitted.connect(_on_log_submitted)


def _on_log_submitted(log: BuildLog, *, submission: Submission, **_: object) -> None:
    enqueue(log, submission)


def enqueue(log: BuildLog, submission: Submission) -> None:
    """Put a submitted log in the queue; runs on every submit (``log_submitted``).

    The first submit creates the row (requirement from the spec, the author's team). A
    resubmission keeps it, so the log keeps its place and its counts; reviewers handed it
    from now on get the new version. The team is refreshed, so a team set after the first
    submit still keeps teammates apart. With revise and resubmit, a version after feedback
    starts a new round of reviews (:func:`resubmission.start_round`).
    """
    team = db.session.scalar(
        select(Enrolment.team).where(
            Enrolment.user_id == log.user_id, Enrolment.course_id == log.assignment.course_id
        )
    )
    row = db.session.get(ReviewQueue, log.id)
    if row is None:
        row = ReviewQueue(log_id=log.id, assignment_id=log.assignment_id, author_id=log.user_id)
        row.first_submitted_at = submission.created_at or utcnow()
        row.required = spec_of(log.assignment).must_be_reviewed
        db.session.add(row)
    elif spec_of(log.assignment).resubmission and resubmission.start_round(row, submission):
        resubmission.notify_earlier_reviewers(log, submission)
    row.team = team
    db.session.flush()


# --- Allocating --------------------------------------------------------------------------


def request_review(
    reviewer: User, assignment: Assignment, *, now: datetime | None = None, pool: Pool | None = None
) -> Review:
    """Lease a classmate's build log to ``reviewer`` (or return the lease they hold).

    Refusals (ReviewRefused): ``closed`` after the review deadline, ``not_submitted``
    before the reviewer submitted their own log, ``nothing`` when no log is eligible. A
    log whose lease the same reviewer let expire is handed back to them first if it is
    still needed: the same row is leased again, so their draft scores are still there.
    ``pool`` (default: the reviewer's circle, :func:`circle_pool.pool_of`) says whose logs
    come first. The number of statements does not depend on the number of submissions.
    """
    now = now or utcnow()
    spec = spec_of(assignment)
    review_by = deadlines_of(reviewer.id, assignment).review_by
    if review_by is not None and now >= review_by:
        raise ReviewRefused("closed")
    serialized = _dialect() == "sqlite"
    if serialized:
        _take_write_lock()  # before the reads, so that none of them can go stale
    given = (  # what the reviewer gave so far: beyond their quota, a review is "invited"
        select(func.count(Review.id))
        .where(
            Review.assignment_id == assignment.id,
            Review.reviewer_id == reviewer.id,
            Review.kind == PEER,
            Review.state == SUBMITTED,
        )
        .scalar_subquery()
    )
    own = db.session.execute(  # the reviewer's own queued log, their team, their reviews
        select(ReviewQueue.log_id, Enrolment.team, given.label("given"))
        .join(BuildLog, BuildLog.id == ReviewQueue.log_id)
        .outerjoin(
            Enrolment,
            and_(Enrolment.user_id == reviewer.id, Enrolment.course_id == assignment.course_id),
        )
        .where(BuildLog.assignment_id == assignment.id, BuildLog.user_id == reviewer.id)
    ).first()
    if own is None:
        raise ReviewRefused("not_submitted")
    if pool is None:
        pool = pool_of(reviewer.id, assignment)
    for _attempt in range(ATTEMPTS):
        mine = _peer_leases_of(reviewer, assignment)
        live = [r for r in mine if r.state == LEASED and _is_live(r, now)]
        if live:
            return live[0]
        expire_leases(assignment, now)
        drafts = {r.log_id: r for r in mine}  # every one of them is expired by now
        if serialized:  # nobody else can write until we commit: nothing to recover from
            return _allocate(reviewer, assignment, spec, own, drafts, now, pool)
        try:
            with db.session.begin_nested():
                return _allocate(reviewer, assignment, spec, own, drafts, now, pool)
        except IntegrityError:
            continue  # a concurrent request of the same reviewer won: return its lease
    raise RuntimeError("could not allocate a review after repeated conflicts")


def _peer_leases_of(reviewer: User, assignment: Assignment) -> list[Review]:
    """The reviewer's peer leases in the assignment, live or expired (drafts)."""
    query = select(Review).where(
        Review.assignment_id == assignment.id,
        Review.reviewer_id == reviewer.id,
        Review.kind == PEER,
        Review.state.in_((LEASED, EXPIRED)),
    )
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def _is_live(review: Review, now: datetime) -> bool:
    return review.lease_expires_at is None or review.lease_expires_at > now


def _allocate(
    reviewer: User,
    assignment: Assignment,
    spec: AssignmentSpec,
    own: Any,
    drafts: dict[int, Review],
    now: datetime,
    pool: Pool,
) -> Review:
    """Pick a log, lease it and count the lease; runs inside a savepoint.

    The stages of ``allocation.choose``: a needed draft, a needed log inside the pool,
    a needed one anywhere (if the pool allows going outside), an extra inside, an extra
    anywhere allowed. Each stage is one indexed statement; the pool is an ``IN`` list of
    author ids (a circle's members), so it never grows with the course.
    """
    postgresql = _dialect() == "postgresql"
    team: str | None = own.team
    preferred = sorted(pool.preferred) if pool.preferred is not None else None
    confined = preferred is not None and not pool.outside
    cutoff = flexible_cutoff(now, spec.flexible_after_days)
    params: dict[str, Any] = {
        "assignment_id": assignment.id,
        "reviewer_id": reviewer.id,
        "team": team,
        "cutoff": cutoff,
        "floor": flexible_minimum(spec.must_be_reviewed),
        "preferred": preferred,
    }
    hold_hours = current_app.config["RESUBMISSION_HOLD_HOURS"] if spec.resubmission else 0
    if hold_hours:  # a new version's last needed review waits for an earlier reviewer
        params["hold_since"] = now - timedelta(hours=hold_hours)

    def pick(
        needed: bool, skip_locked: bool, only: list[int] | None = None, inside: bool = confined
    ) -> Any:
        shape = (needed, skip_locked, team is not None, only is not None, cutoff is not None,
                 inside and preferred is not None)  # fmt: skip
        statement = _pick_statement(*shape, by_version=spec.resubmission, hold=bool(hold_hours))
        return db.session.execute(statement, {**params, "only": only}).first()

    def wait_for_needed(inside: bool = confined) -> Any:
        """Every needed row is locked: wait for the holders and take one that is still
        needed. If the wait is a deadlock (only when the caller's transaction already
        holds queue rows), PostgreSQL aborts it here and an extra review is given."""
        try:
            with db.session.begin_nested():
                return pick(True, False, inside=inside)
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != DEADLOCK:
                raise
            return None

    extra = False
    row = pick(True, True, list(drafts)) if drafts else None
    if row is None and spec.resubmission:  # a new version goes to an earlier reviewer first
        earlier = resubmission.earlier_reviewer_logs(reviewer.id, assignment.id)
        row = pick(True, True, earlier) if earlier else None
    if preferred is not None and not confined:
        # A circle's needed logs that are only locked by classmates asking at the same
        # moment are still the circle's: wait for them rather than go outside.
        row = (
            row
            or pick(True, True, inside=True)
            or (wait_for_needed(inside=True) if postgresql else None)
        )
    row = row or pick(True, True) or (wait_for_needed() if postgresql else None)
    if row is None:
        extra = True
        if preferred is not None and not confined:
            row = pick(False, True, inside=True)
        row = row or pick(False, True) or (pick(False, False) if postgresql else None)
    if row is None:
        raise ReviewRefused("nothing")
    # Beyond their quota and still where a log needs it: the invitation answered.
    invited = not extra and own.given >= spec.must_review
    review = drafts.get(row.log_id)
    if review is None:
        review = Review(
            assignment_id=assignment.id, log_id=row.log_id, reviewer_id=reviewer.id, kind=PEER
        )
        db.session.add(review)
    review.state = LEASED
    review.submission_id = row.submission_id
    review.extra = extra
    review.invited = invited
    review.leased_at = now
    review.lease_expires_at = lease_expiry(now, current_app.config["REVIEW_LEASE_HOURS"])
    db.session.flush()
    _bump([row.log_id], leased=1)
    return review


@cache
def _pick_statement(
    needed: bool,
    skip_locked: bool,
    team: bool,
    only: bool,
    flexible: bool,
    inside: bool = False,
    by_version: bool = False,
    hold: bool = False,
) -> Select[Any]:
    """The first eligible queue row in allocation order, locked (PostgreSQL), with the
    log's latest submission id: one statement, read along ``ix_review_queue_needed`` (or
    ``ix_review_queue_allocation`` for an extra review), stopping at the first match.
    Built once per shape and bound at each call: building costs more than running it."""
    latest = (
        select(Submission.id)
        .where(Submission.log_id == ReviewQueue.log_id)
        .order_by(Submission.version.desc())
        .limit(1)
        .correlate(ReviewQueue)  # also inside the EXISTS below, two levels down
        .scalar_subquery()
    )
    # An expired peer lease of this reviewer does not exclude the log: it is re-leased.
    # With revise and resubmit (``by_version``) only a review of the latest version does.
    reviewed = select(Review.id).where(
        Review.log_id == ReviewQueue.log_id,
        Review.reviewer_id == bindparam("reviewer_id"),
        Review.kind != ReviewKind.CALIBRATION.value,
        or_(Review.kind != PEER, Review.state != EXPIRED),
    )
    if by_version:
        reviewed = reviewed.where(Review.submission_id == latest)
    query = (
        select(ReviewQueue.log_id, latest.label("submission_id"))
        .where(
            ReviewQueue.assignment_id == bindparam("assignment_id"),
            ReviewQueue.author_id != bindparam("reviewer_id"),
            ~reviewed.exists(),
        )
        .order_by(
            ReviewQueue.load,
            ReviewQueue.certainty,
            ReviewQueue.first_submitted_at,
            ReviewQueue.log_id,
        )
        .limit(1)
        .with_for_update(of=ReviewQueue, skip_locked=skip_locked)
    )
    if team:
        query = query.where(or_(ReviewQueue.team.is_(None), ReviewQueue.team != bindparam("team")))
    if needed:  # the first term is what ix_review_queue_needed is made for
        query = query.where(ReviewQueue.load < ReviewQueue.required)
        if flexible:
            query = query.where(
                ReviewQueue.load
                < flexible_required_sql(bindparam("cutoff"), bindparam("floor", type_=Integer))
            )
    if only:
        query = query.where(ReviewQueue.log_id.in_(bindparam("only", expanding=True)))
    if inside:
        query = query.where(ReviewQueue.author_id.in_(bindparam("preferred", expanding=True)))
    if hold:  # revise and resubmit: a new round's last review waits for an earlier reviewer
        query = query.where(resubmission.held_for_earlier_sql(latest))
    return query


def assign_staff_review(maintainer: User, log: BuildLog, *, now: datetime | None = None) -> Review:
    """A maintainer's "review it myself": a staff review leased without expiry, counted
    as leased until submitted. Returns the maintainer's existing one if there is one;
    ReviewRefused("nothing") for a log that was never submitted. With revise and resubmit
    the existing one must be of the latest version: an earlier version's is history."""
    submission_id = db.session.scalar(  # the latest version of a queued (submitted) log
        select(Submission.id)
        .join(ReviewQueue, ReviewQueue.log_id == Submission.log_id)
        .where(Submission.log_id == log.id)
        .order_by(Submission.version.desc())
        .limit(1)
    )
    mine = (
        select(Review)
        .where(Review.log_id == log.id, Review.reviewer_id == maintainer.id, Review.kind == STAFF)
        .order_by(Review.id.desc())  # a log re-reviewed under revise and resubmit has several
        .limit(1)
    )
    if spec_of(log.assignment).resubmission:
        mine = mine.where(Review.submission_id == submission_id)
    review = db.session.scalar(mine)
    if review is not None:
        return review
    if submission_id is None:
        raise ReviewRefused("nothing")
    _take_write_lock()
    review = Review(
        assignment_id=log.assignment_id,
        log_id=log.id,
        submission_id=submission_id,
        reviewer_id=maintainer.id,
        kind=STAFF,
        state=LEASED,
        leased_at=now or utcnow(),
        lease_expires_at=None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()
            _bump([log.id], leased=1)
    except IntegrityError:  # a double click: the other request created it
        review = db.session.scalars(mine).one()  # limited to one row above
    return review


# --- Finishing ---------------------------------------------------------------------------


def complete(review: Review, *, now: datetime | None = None) -> None:
    """Mark a review submitted (the caller validated its scores) and count it.

    A live lease moves from leased to completed; one that expired and was submitted late
    still counts (completed + 1, the lease was already given back). Self, reference and
    calibration reviews do not touch the queue. Calling it again does nothing. The state
    change is a conditional UPDATE, so a lease expired concurrently is counted once.
    """
    now = now or utcnow()
    for state, leased in ((LEASED, -1), (EXPIRED, 0)):
        if _transition(review, state, {"state": SUBMITTED, "submitted_at": now}):
            if review.kind in COUNTED_KINDS:
                _bump([review.log_id], completed=1, leased=leased)
                certainty.refresh(review.assignment, review.log_id)
            return


def discard(review: Review, *, by: User, reason: str, now: datetime | None = None) -> None:
    """A maintainer discards a submitted review after a flag; it no longer counts, so the
    log needs another review. The row and its text stay (history is append-only).

    Discarding a discarded review does nothing; one that was never submitted raises
    ValueError (there is nothing to discard: let the lease run out instead).
    """
    values = {"state": DISCARDED, "discarded_at": now or utcnow()}
    if _transition(
        review, SUBMITTED, {**values, "discarded_by_id": by.id, "discard_reason": reason}
    ):
        by_version = spec_of(review.assignment).resubmission
        if review.kind in COUNTED_KINDS and (
            not by_version or resubmission.counts_in_round(review)
        ):
            _bump([review.log_id], completed=-1)
            certainty.refresh(review.assignment, review.log_id)
        return
    db.session.refresh(review, ["state"])
    if review.state != DISCARDED:
        raise ValueError(f"only a submitted review can be discarded, not a {review.state} one")


def _transition(review: Review, state: str, values: dict[str, Any]) -> bool:
    """Apply ``values`` if the review is (still) in ``state``; True if it was."""
    result = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.state == state)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(rowcount(result))


# --- Leases ------------------------------------------------------------------------------


def _table_of(model: type[Model]) -> Table:
    """The model's table, for the Core UPDATEs below (they bypass the ORM on purpose). The
    declarative base only promises a FromClause; every model here maps one Table."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def expire_leases(assignment: Assignment, now: datetime) -> int:
    """Give back to the pool every peer lease of the assignment that ran out by ``now``.

    One conditional UPDATE … RETURNING, so two requests expiring at once count each lease
    once (PostgreSQL re-checks ``state`` after waiting for the other). Staff leases never
    expire; calibration leases are not the queue's. Returns how many expired.
    """
    table = _table_of(Review)
    expired = db.session.execute(
        update(table)
        .where(
            table.c.assignment_id == assignment.id,
            table.c.state == LEASED,
            table.c.kind == PEER,
            table.c.lease_expires_at <= now,
        )
        .values(state=EXPIRED)
        .returning(table.c.id, table.c.log_id)
    ).all()
    for review_id, _log_id in expired:  # a loaded review must not say "leased" any more
        cached = db.session.identity_map.get(db.session.identity_key(Review, (review_id,)))
        if cached is not None:
            set_committed_value(cached, "state", EXPIRED)
    log_ids = [log_id for _id, log_id in expired]
    by_count: dict[int, list[int]] = {}
    for log_id, count in sorted(Counter(log_ids).items()):
        by_count.setdefault(count, []).append(log_id)
    for count, logs in by_count.items():
        _bump(logs, leased=-count)
    return len(log_ids)


# --- Requirement and counts --------------------------------------------------------------


def set_required(log: BuildLog, required: int) -> None:
    """Change how many reviews one log needs (a maintainer's decision; the caller records
    the RequirementChange). The flexible rule may still lower it further."""
    if required < 0:
        raise ValueError("a log cannot need fewer than 0 reviews")
    result = db.session.execute(
        update(ReviewQueue)
        .where(ReviewQueue.log_id == log.id)
        .values(required=required)
        .execution_options(synchronize_session="fetch")
    )
    if not rowcount(result):
        raise ValueError("the build log was never submitted")


def _bump(log_ids: list[int], *, completed: int = 0, leased: int = 0) -> None:
    """Change counts in SQL (``x = x + n``), never from values read earlier."""
    params = {"ids": log_ids, "d_completed": completed, "d_leased": leased}
    db.session.execute(_bump_statement(), params)
    for log_id in log_ids:  # a loaded row would show the old counts
        cached = db.session.identity_map.get(db.session.identity_key(ReviewQueue, (log_id,)))
        if cached is not None:
            db.session.expire(cached)


@cache
def _bump_statement() -> Update:
    table = _table_of(ReviewQueue)
    completed, leased = (
        bindparam("d_completed", type_=Integer),
        bindparam("d_leased", type_=Integer),
    )
    return (
        update(table)
        .where(table.c.log_id.in_(bindparam("ids", expanding=True)))
        .values(
            completed=table.c.completed + completed,
            leased=table.c.leased + leased,
            load=table.c.load + completed + leased,
        )
    )


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _take_write_lock() -> None:
    """SQLite: take the database write lock now (see the module docstring)."""
    if _dialect() == "sqlite":
        db.session.execute(text("UPDATE review_queue SET load = load WHERE 0"))
