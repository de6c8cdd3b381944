"""Imports every model so that metadata (migrations, create_all) sees all tables."""

from peerlearn.accounts.models import User
from peerlearn.authoring.models import (
    CourseEvent,
    CourseMaintainer,
    CourseMedia,
    Module,
    ModuleContent,
    ModuleRevision,
)
from peerlearn.authoring.proposal_models import ChangeProposal, ProposalComment, ProposalModule
from peerlearn.catalog.models import Course, CourseAuthor, CourseTag, Enrolment, ModuleProgress

__all__ = [
    "ChangeProposal",
    "Course",
    "CourseAuthor",
    "CourseEvent",
    "CourseMaintainer",
    "CourseMedia",
    "CourseTag",
    "Enrolment",
    "Module",
    "ModuleContent",
    "ModuleProgress",
    "ModuleRevision",
    "ProposalComment",
    "ProposalModule",
    "User",
]
