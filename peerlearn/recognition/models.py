"""Badge classes (what can be earned) and assertions (who earned it, when, and whether a
maintainer took it back).

An assertion is never deleted by the system (house rule 3): revoking sets ``revoked_at``
and the reason, so the hosted assertion can answer 410 with that reason for as long as a
copy of the badge exists somewhere. Its public id is random, so nobody can walk the list
of issued badges by counting.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime, utcnow
from peerlearn.extensions import db

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.content.models import Course


class BadgeKind(StrEnum):
    #: Every module of the course done and every assignment passed.
    COURSE = "course"
    #: Reviews that their authors rated helpful (4 or 5 out of 5), site-wide.
    HELPFUL_REVIEWER = "helpful-reviewer"
    #: Proposals accepted upstream: the learner's revisions now live in another course.
    CONTRIBUTOR = "contributor"


class BadgeClass(CreatedAtMixin, db.Model):  # type: ignore[name-defined]
    """One badge that can be earned. ``key`` says which, once: ``course-<id>`` for a
    course's badge, the kind's name for the site-wide ones."""

    __tablename__ = "badge_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    #: How many helpful reviews or accepted proposals earn it (site-wide kinds).
    threshold: Mapped[int] = mapped_column(Integer, default=1)
    #: The share of an assignment's points that passes it (course kind).
    pass_share: Mapped[Decimal] = mapped_column(
        Numeric(4, 3, asdecimal=True), default=Decimal("0.5")
    )

    course: Mapped[Course | None] = relationship()


class Assertion(db.Model):  # type: ignore[name-defined]
    """One badge issued to one person. One per person and badge class: a revoked badge
    stays revoked, and is not issued again automatically."""

    __tablename__ = "badge_assertions"
    __table_args__ = (UniqueConstraint("badge_class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The id in every public URL: random, never the row id.
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    badge_class_id: Mapped[int] = mapped_column(ForeignKey("badge_classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The recipient as Open Badges hashes it, fixed at issue time: ``sha256$`` and the hex
    #: digest of the email address followed by ``salt``. A later email change must not
    #: change what a baked copy says.
    identity_hash: Mapped[str] = mapped_column(String(80))
    salt: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str] = mapped_column(Text, default="")

    badge_class: Mapped[BadgeClass] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
