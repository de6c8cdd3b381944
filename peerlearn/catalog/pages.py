"""What the features above the catalog add to its pages: the course page shows its
lineage, circles, assignments, tools and proposals; the dashboard the learner's circles.

The catalog cannot import those features (they sit above it), and a template global that
queries is a query nobody sees in the view. So each feature registers a function here
when its views are imported, and the catalog's view calls them all before it renders: the
template receives plain data (issue #12). Each gives a dict of template variables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from peerlearn.content.models import Course, Module

#: A part of the course page (``module`` None) or of a module page.
CoursePart = Callable[[Course, Module | None], Mapping[str, Any]]
#: A part of the dashboard.
DashboardPart = Callable[[], Mapping[str, Any]]

COURSE_PAGE: list[CoursePart] = []
MODULE_PAGE: list[CoursePart] = []
DASHBOARD: list[DashboardPart] = []


def add_course_part(part: CoursePart, course: bool = True, module: bool = True) -> None:
    """Show ``part`` on the course page, on every module page, or both."""
    for wanted, parts in ((course, COURSE_PAGE), (module, MODULE_PAGE)):
        if wanted and part not in parts:
            parts.append(part)


def add_dashboard_part(part: DashboardPart) -> None:
    if part not in DASHBOARD:
        DASHBOARD.append(part)


def course_parts(course: Course, module: Module | None = None) -> dict[str, Any]:
    """The template variables every feature adds to the course page, or to ``module``'s."""
    found: dict[str, Any] = {}
    for part in MODULE_PAGE if module is not None else COURSE_PAGE:
        found.update(part(course, module))
    return found


def dashboard_parts() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in DASHBOARD:
        found.update(part())
    return found
