"""Who may do what. Every view asks here, so this file is the one place to audit access.

Each function takes the acting user (possibly anonymous) and the object, and answers
yes or no; views turn a "no" into a 403 or a login redirect.
"""

from __future__ import annotations

from typing import Any

from peerlearn.catalog.models import Course


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def can_view_course(user: Any, course: Course) -> bool:
    """Courses are open resources: anyone, signed in or not, may read them."""
    return True


def can_enrol(user: Any, course: Course) -> bool:
    return is_signed_in(user)


def can_track_progress(user: Any, course: Course, enrolled: bool) -> bool:
    """Marking modules done is for learners enrolled in the course."""
    return is_signed_in(user) and enrolled


def can_view_dashboard(user: Any) -> bool:
    return is_signed_in(user)
