"""The assignment page: the prompt, the rubric's deadlines, the learner's build log and,
once it is submitted, their next step in peer review. It shows both features, so it lives
here above them (review imports assignments, never the reverse), on the ``reviewing``
blueprint (:mod:`peerlearn.review.reviewing.views`, endpoint
``review.reviewing.assignment``); its URL stays the assignments package's.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_login import current_user

from peerlearn import permissions
from peerlearn.assignments import buildlogs
from peerlearn.assignments.buildlogs import Phase
from peerlearn.assignments.deadlines import deadlines_of
from peerlearn.assignments.loading import viewable_assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.catalog import services as catalog
from peerlearn.catalog.reading import render_course_markdown
from peerlearn.i18n import when
from peerlearn.review.reviewing.progress import ReviewStep, review_progress
from peerlearn.web import current_actor


def assignment(slug: str, assignment_slug: str) -> str:
    course, assignment = viewable_assignment(slug, assignment_slug)
    spec = spec_of(assignment)
    # The learner's own dates: their circle's when they are in one, else the course's.
    dates = deadlines_of(current_user.id if current_user.is_authenticated else None, assignment)
    enrolled = catalog.is_enrolled(current_user, course)
    log = buildlogs.log_of(current_user, assignment)
    versions = buildlogs.submissions_of(log) if log is not None else []
    phase = buildlogs.phase_of(current_user, assignment, enrolled, log, bool(versions))
    progress = review_progress(current_user, assignment, log) if log and versions else None
    return render_template(
        "assignments/assignment.html",
        course=course,
        assignment=assignment,
        spec=spec,
        prompt=render_course_markdown(course, spec.prompt),
        submission_deadline=_when(dates.submit_by),
        review_deadline=_when(dates.review_by),
        deadlines_from=dates.source,
        phase=phase,
        Phase=Phase,
        log=log,
        latest=versions[-1] if versions else None,
        latest_at=_when(versions[-1].created_at) if versions else None,
        progress=progress,
        ReviewStep=ReviewStep,
        manages=permissions.can_manage_reviews(current_actor(), course),
        can_author=permissions.can_author_assignments(current_actor(), course),
    )


def _when(value: datetime | None) -> str | None:
    return when(value) if value is not None else None
