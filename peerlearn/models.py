"""Imports every model so that metadata (migrations, create_all) sees all tables."""

from peerlearn.accounts.models import AccountToken, User, UserSession
from peerlearn.assignments.models import (
    Assignment,
    AssignmentRevision,
    BuildLog,
    BuildLogEntry,
    EntryMeasurement,
    EntryPhoto,
    PhotoBlob,
    Submission,
    SubmissionPhoto,
)
from peerlearn.authoring.proposal_models import ChangeProposal, ProposalComment, ProposalModule
from peerlearn.catalog.models import Enrolment, ModuleProgress
from peerlearn.circles.models import Circle, CircleDeadline, CircleMember
from peerlearn.community_i18n.models import (
    TranslationOverride,
    TranslationSuggestion,
    TranslationVersion,
    Translator,
)
from peerlearn.content.models import (
    Course,
    CourseAuthor,
    CourseEvent,
    CourseMaintainer,
    CourseMedia,
    CourseTag,
    Module,
    ModuleContent,
    ModuleRevision,
)
from peerlearn.discussions.models import Follower, Post, PostEdit, Report, Thread
from peerlearn.facilitation.models import CircleMessage
from peerlearn.notifications.models import (
    Notification,
    NotificationOptOut,
    NotificationSettings,
)
from peerlearn.offline.models import OfflinePackage
from peerlearn.recognition.models import Assertion, BadgeClass
from peerlearn.review.models import (
    CalibrationExample,
    GradeOverride,
    RegradeRequest,
    RequirementChange,
    Review,
    ReviewFeedback,
    ReviewFlag,
    ReviewQueue,
    ReviewScore,
)

__all__ = [
    "AccountToken",
    "Assertion",
    "Assignment",
    "AssignmentRevision",
    "BadgeClass",
    "BuildLog",
    "BuildLogEntry",
    "CalibrationExample",
    "ChangeProposal",
    "Circle",
    "CircleDeadline",
    "CircleMember",
    "CircleMessage",
    "Course",
    "CourseAuthor",
    "CourseEvent",
    "CourseMaintainer",
    "CourseMedia",
    "CourseTag",
    "Enrolment",
    "EntryMeasurement",
    "EntryPhoto",
    "Follower",
    "GradeOverride",
    "Module",
    "ModuleContent",
    "ModuleProgress",
    "ModuleRevision",
    "Notification",
    "NotificationOptOut",
    "NotificationSettings",
    "OfflinePackage",
    "PhotoBlob",
    "Post",
    "PostEdit",
    "ProposalComment",
    "ProposalModule",
    "RegradeRequest",
    "Report",
    "RequirementChange",
    "Review",
    "ReviewFeedback",
    "ReviewFlag",
    "ReviewQueue",
    "ReviewScore",
    "Submission",
    "SubmissionPhoto",
    "Thread",
    "TranslationOverride",
    "TranslationSuggestion",
    "TranslationVersion",
    "Translator",
    "User",
    "UserSession",
]
