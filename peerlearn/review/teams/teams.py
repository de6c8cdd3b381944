"""Teams: learners of one course who work together and so never review each other.

A team is a short label on the enrolment, set by a maintainer. The review queue keeps a
copy of the author's team on each submitted build log (allocation filters on it without a
join), so changing a team updates those copies in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.review.models import ReviewQueue

MAX_TEAM = 60


def roster(course: Course) -> list[tuple[Enrolment, str]]:
    """Enrolments of the course with usernames, by username (one query)."""
    rows = db.session.execute(
        select(Enrolment, User.username)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course.id)
        .order_by(User.username)
    )
    return [(enrolment, username) for enrolment, username in rows]


def set_teams(actor: User, course: Course, teams: Mapping[int, str]) -> int:
    """Set the team of each enrolment id given (blank: no team); returns how many changed.

    Ids of other courses' enrolments are ignored. Spaces around a name are dropped and
    names are compared as typed, so "Blue" and "blue" are two teams.
    """
    changed = 0
    for enrolment, _username in roster(course):
        if enrolment.id not in teams:
            continue
        team = teams[enrolment.id].strip()[:MAX_TEAM] or None
        if team == enrolment.team:
            continue
        enrolment.team = team
        changed += 1
        db.session.execute(
            update(ReviewQueue)
            .where(
                ReviewQueue.author_id == enrolment.user_id,
                ReviewQueue.log_id.in_(
                    select(BuildLog.id)
                    .join(Assignment, Assignment.id == BuildLog.assignment_id)
                    .where(Assignment.course_id == course.id)
                ),
            )
            .values(team=team)
        )
    db.session.flush()
    return changed
