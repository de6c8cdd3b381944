"""Imports every model so that metadata (migrations, create_all) sees all tables."""

from peerlearn.accounts.models import User
from peerlearn.authoring.models import CourseMedia, Module, ModuleRevision
from peerlearn.catalog.models import Course, CourseAuthor, CourseTag, Enrolment, ModuleProgress

__all__ = [
    "Course",
    "CourseAuthor",
    "CourseMedia",
    "CourseTag",
    "Enrolment",
    "Module",
    "ModuleProgress",
    "ModuleRevision",
    "User",
]
