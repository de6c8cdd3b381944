"""Change proposals: a fork's maintainer offers chosen modules and assignments back upstream."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peerlearn.db import CreatedAtMixin, UTCDateTime
from peerlearn.extensions import Model

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.assignments.models import Assignment, AssignmentRevision
    from peerlearn.content.models import Course, Module, ModuleRevision


class ChangeProposal(CreatedAtMixin, Model):
    """``status`` is open, accepted or declined; a decision is never undone."""

    __tablename__ = "change_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    target_course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    source_course: Mapped[Course] = relationship(foreign_keys=[source_course_id])
    target_course: Mapped[Course] = relationship(foreign_keys=[target_course_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    modules: Mapped[list[ProposalModule]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalModule.id"
    )
    assignments: Mapped[list[ProposalAssignment]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalAssignment.id"
    )
    comments: Mapped[list[ProposalComment]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalComment.id"
    )


class ProposalModule(Model):
    """One module offered: the fork's revision, and the upstream revision it was based on."""

    __tablename__ = "proposal_modules"
    __table_args__ = (UniqueConstraint("proposal_id", "source_module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("change_proposals.id", ondelete="CASCADE"))
    source_module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    #: The upstream module it changes; None when the fork added the module.
    target_module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL")
    )
    proposed_revision_id: Mapped[int] = mapped_column(ForeignKey("module_revisions.id"))
    #: The upstream revision the fork's text was based on (merge base); None for new modules.
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("module_revisions.id"))

    proposal: Mapped[ChangeProposal] = relationship(back_populates="modules")
    source_module: Mapped[Module] = relationship(foreign_keys=[source_module_id])
    target_module: Mapped[Module | None] = relationship(foreign_keys=[target_module_id])
    proposed_revision: Mapped[ModuleRevision] = relationship(foreign_keys=[proposed_revision_id])
    base_revision: Mapped[ModuleRevision | None] = relationship(foreign_keys=[base_revision_id])


class ProposalAssignment(Model):
    """One assignment offered: the fork's revision, and the upstream revision it was based on.

    The same shape as :class:`ProposalModule`; the text is the assignment's YAML.
    """

    __tablename__ = "proposal_assignments"
    __table_args__ = (UniqueConstraint("proposal_id", "source_assignment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("change_proposals.id", ondelete="CASCADE"))
    source_assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE")
    )
    #: The upstream assignment it changes; None when the fork added the assignment.
    target_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL")
    )
    proposed_revision_id: Mapped[int] = mapped_column(ForeignKey("assignment_revisions.id"))
    #: The upstream revision the fork's text was based on (merge base); None for new ones.
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_revisions.id"))

    proposal: Mapped[ChangeProposal] = relationship(back_populates="assignments")
    source_assignment: Mapped[Assignment] = relationship(foreign_keys=[source_assignment_id])
    target_assignment: Mapped[Assignment | None] = relationship(foreign_keys=[target_assignment_id])
    proposed_revision: Mapped[AssignmentRevision] = relationship(
        foreign_keys=[proposed_revision_id]
    )
    base_revision: Mapped[AssignmentRevision | None] = relationship(foreign_keys=[base_revision_id])


class ProposalComment(CreatedAtMixin, Model):
    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("change_proposals.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Markdown, rendered only through peerlearn.markdown.
    body: Mapped[str] = mapped_column(Text)

    proposal: Mapped[ChangeProposal] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
