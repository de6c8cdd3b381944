"""Imports every model so that metadata (migrations, create_all) sees all tables."""

from peerlearn.accounts.models import User
from peerlearn.assignments.models import (
    Assignment,
    AssignmentRevision,
    BuildLog,
    BuildLogEntry,
    EntryMeasurement,
    EntryPhoto,
    PhotoBlob,
    Submission,
)
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
    "Assignment",
    "AssignmentRevision",
    "BuildLog",
    "BuildLogEntry",
    "ChangeProposal",
    "Course",
    "CourseAuthor",
    "CourseEvent",
    "CourseMaintainer",
    "CourseMedia",
    "CourseTag",
    "Enrolment",
    "EntryMeasurement",
    "EntryPhoto",
    "Module",
    "ModuleContent",
    "ModuleProgress",
    "ModuleRevision",
    "PhotoBlob",
    "ProposalComment",
    "ProposalModule",
    "Submission",
    "User",
]
