"""Peer review: the pull queue, reviews and their scores, calibration, grades and the
conversation around them (helpfulness, flags, regrades); its notices live in
``peerlearn.notifications``.

History is append-only (house rule 3): a submitted review is never edited, a grade
override or a lowered requirement is a new row and the latest one wins, and a discarded
review keeps its text with a note of who discarded it and why. The one denormalized table
is ``review_queue``: allocation has to pick the least-reviewed submission among thousands
in a few milliseconds, so each submitted build log keeps its live counts there, changed
only inside the allocation and review transactions.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.assignments.models import Assignment, BuildLog, Submission


class ReviewKind(StrEnum):
    #: A learner reviewing a classmate's build log; counts towards both requirements.
    PEER = "peer"
    #: The author assessing their own log with the same rubric (shown beside the peers').
    SELF = "self"
    #: A maintainer's "review it myself" for a submission stuck waiting; counts as a review.
    STAFF = "staff"
    #: A maintainer's reference assessment of a calibration example.
    REFERENCE = "reference"
    #: A learner's practice review of a calibration example; never reaches the author.
    CALIBRATION = "calibration"


class ReviewState(StrEnum):
    #: Handed out and not yet submitted; scores saved so far are a draft.
    LEASED = "leased"
    #: Submitted: final, never changed again.
    SUBMITTED = "submitted"
    #: The lease ran out before the review was submitted; the submission went back to the
    #: pool. The row stays so that a draft is not lost if the reviewer comes back.
    EXPIRED = "expired"
    #: A maintainer discarded it after a flag; it no longer counts.
    DISCARDED = "discarded"


class ReviewQueue(Model):
    """One row per submitted build log: what allocation orders by.

    ``completed`` counts submitted peer and staff reviews, ``leased`` live leases; the
    least loaded (completed + leased) log is handed out first, ties to the least
    ``certainty``, then the earliest ``first_submitted_at``. ``required`` is the
    assignment's ``must_be_reviewed`` unless a maintainer (or the flexible rule) lowered
    it for this log.
    """

    __tablename__ = "review_queue"
    __table_args__ = (
        Index(
            "ix_review_queue_allocation",
            "assignment_id",
            "load",
            "certainty",
            "first_submitted_at",
            "log_id",
        ),
        # The same order, only for logs that still need reviews: "the next needed log"
        # stays a short index read when most logs are done (otherwise it reads them all
        # before concluding that nothing is needed). Queries must say ``load < required``.
        Index(
            "ix_review_queue_needed",
            "assignment_id",
            "load",
            "certainty",
            "first_submitted_at",
            "log_id",
            sqlite_where=text("load < required"),
            postgresql_where=text("load < required"),
        ),
    )

    log_id: Mapped[int] = mapped_column(
        ForeignKey("build_logs.id", ondelete="CASCADE"), primary_key=True
    )
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The author's team when the course uses teams: teammates never review each other.
    team: Mapped[str | None] = mapped_column(String(60))
    first_submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    leased: Mapped[int] = mapped_column(Integer, default=0)
    #: completed + leased, kept as a column so one index serves the allocation query.
    load: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[int] = mapped_column(Integer)
    #: How sure the grade is, in thousandths: 1000 minus ``allocation.uncertainty`` of the
    #: submitted reviews' totals (0: nothing known), rewritten whenever a review is
    #: submitted or discarded. Stored as certainty so that both indexes stay ascending.
    certainty: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    log: Mapped[BuildLog] = relationship()


class Review(CreatedAtMixin, Model):
    """One reviewer's assessment of one build log (the latest submitted version when it
    was handed out; ``submission_id`` records which, and moves to a newer version while
    the review is still a lease: see ``resubmission.start_round``)."""

    __tablename__ = "reviews"
    __table_args__ = (
        # One review per *version*, reviewer and kind: with revise and resubmit an earlier
        # reviewer reviews the new version too (a new row; the old review stays as it was).
        UniqueConstraint("submission_id", "reviewer_id", "kind"),
        # A reviewer holds at most one live peer lease per assignment: two simultaneous
        # "give me something to review" clicks cannot both create one.
        Index(
            "uq_reviews_one_live_lease",
            "assignment_id",
            "reviewer_id",
            unique=True,
            sqlite_where=text("state = 'leased' AND kind = 'peer'"),
            postgresql_where=text("state = 'leased' AND kind = 'peer'"),
        ),
        Index("ix_reviews_lease_expiry", "assignment_id", "state", "lease_expires_at"),
        Index("ix_reviews_reviewer", "reviewer_id", "assignment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    #: None once the reviewer deleted their account: the review still counts for the
    #: author's grade, but no longer points to a person.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default=ReviewKind.PEER.value)
    state: Mapped[str] = mapped_column(String(16), default=ReviewState.LEASED.value)
    #: Handed out when nothing needed reviews: counts for the reviewer, marked as extra.
    extra: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Handed out after the reviewer had met their quota, while a log still needed it (the
    #: "one more review helps a classmate" invitation): beyond what was asked of them, so
    #: a grade for reviewing can credit it.
    invited: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    leased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Markdown, rendered only through peerlearn.markdown.
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    discard_reason: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[Assignment] = relationship()
    log: Mapped[BuildLog] = relationship()
    submission: Mapped[Submission] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewScore.id"
    )
    feedback: Mapped[ReviewFeedback | None] = relationship(back_populates="review")


class ReviewScore(Model):
    """The level chosen for one criterion (by its points) and the comment on it.

    ``points`` is None only in a draft; ``submit`` refuses a review with a criterion left
    open.
    """

    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    #: The rubric criterion's stable ``id``.
    criterion: Mapped[str] = mapped_column(String(64))
    points: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")


class CalibrationExample(CreatedAtMixin, Model):
    """A submission a maintainer graded as a reference, offered to learners as practice."""

    __tablename__ = "calibration_examples"
    __table_args__ = (UniqueConstraint("assignment_id", "log_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    reference_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    submission: Mapped[Submission] = relationship()
    reference_review: Mapped[Review | None] = relationship()


class ReviewFeedback(CreatedAtMixin, Model):
    """Feedback on feedback: the author rates how helpful a review was (1 to 5)."""

    __tablename__ = "review_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="feedback")


class ReviewFlag(CreatedAtMixin, Model):
    """An author's report of an inappropriate review, and the maintainer's decision."""

    __tablename__ = "review_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One report per review: the author reports once, a maintainer decides once.
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True
    )
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: "discarded" or "kept".
    resolution: Mapped[str] = mapped_column(String(16), default="")
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship()


class GradeOverride(CreatedAtMixin, Model):
    """A maintainer's grade for a build log; the latest one always wins over the peers'."""

    __tablename__ = "grade_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"), index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()


class RegradeRequest(CreatedAtMixin, Model):
    """An author asking a maintainer to look at their grade again, and the answer."""

    __tablename__ = "regrade_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(Text, default="")
    override_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_overrides.id", ondelete="SET NULL")
    )


class RequirementChange(CreatedAtMixin, Model):
    """A maintainer lowering (or restoring) the reviews one build log needs."""

    __tablename__ = "requirement_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"), index=True)
    required: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class StoredGradeSet(Model):
    """The grades of one assignment as the refresh job last computed them (issue #15).

    Pages read these instead of refitting the model on every view; the job
    (:mod:`peerlearn.review.grading.stored_grades`) recomputes them whenever what they depend on
    changes. ``inputs_read_at`` is when that computation began reading: a job that began
    earlier never replaces the rows of one that began later (it saw less).
    """

    __tablename__ = "stored_grade_sets"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    #: The assignment revision (rubric, method) the grades were computed with: another
    #: revision makes them stale.
    revision_id: Mapped[int | None] = mapped_column(Integer)
    inputs_read_at: Mapped[datetime] = mapped_column(UTCDateTime())
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    method: Mapped[str] = mapped_column(String(16))
    max_total: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True))
    #: JSON: the model's reviewer estimates, {reviewer id: [bias, reliability]}.
    reviewers: Mapped[str] = mapped_column(Text, default="{}")


class StoredGrade(Model):
    """One submitted build log's peer grade, kept (see :class:`StoredGradeSet`).

    What a maintainer sets (an override) is not in here: it is read with the page, so it
    shows at once, and it always wins over ``peer_final``.
    """

    __tablename__ = "stored_grades"
    __table_args__ = (UniqueConstraint("assignment_id", "log_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    log_id: Mapped[int] = mapped_column(ForeignKey("build_logs.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(Integer)
    peer_total: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))
    #: The final grade unless a maintainer overrides it: the peer grade blended with the
    #: author's reviewing grade by the assignment's ``reviewing_weight``.
    peer_final: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))
    #: The peer grade's interval is wider than the assignment allows.
    too_wide: Mapped[bool] = mapped_column(Boolean, default=False)
    #: JSON: per-criterion grades, reviews, interval, explanation, versions, reviewing.
    detail: Mapped[str] = mapped_column(Text, default="{}")
