"""Catalog queries and learner actions. Every list is loaded in a fixed number of queries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeVarTuple

from blinker import Namespace
from sqlalchemy import Integer, Select, and_, exists, func, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from peerlearn.accounts.models import User
from peerlearn.catalog.models import Enrolment, ModuleProgress
from peerlearn.catalog.search import like_pattern, query_terms
from peerlearn.content.models import Course, CourseTag, Module, ModuleRevision
from peerlearn.extensions import db
from peerlearn.web import course_by_slug as course_by_slug  # the loader's, for every feature

#: Sent as ``module_completed.send(module, user=user)`` when a learner marks a module done
#: (recognition issues course badges from it; catalog does not know who listens).
module_completed = Namespace().signal("module-completed")


class AlreadyEnrolled(Exception):
    pass


class NotEnrolled(Exception):
    pass


@dataclass(frozen=True)
class OutlineEntry:
    """A module as lists and navigation need it, without its body."""

    id: int
    slug: str
    position: int
    title: str


@dataclass(frozen=True)
class CourseCard:
    course: Course
    learners: int
    modules: int


@dataclass(frozen=True)
class SearchResult:
    cards: list[CourseCard]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class DashboardEntry:
    course: Course
    done: int
    total: int
    #: The first module not yet done, in course order; None when all are done.
    next_module: OutlineEntry | None
    outline: list[OutlineEntry] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


#: The columns a search statement selects: the filter keeps them.
_Row = TypeVarTuple("_Row")


def _search_filter(stmt: Select[*_Row], query: str, language: str, tag: str) -> Select[*_Row]:
    for term in query_terms(query):
        stmt = stmt.where(Course.search_text.like(like_pattern(term), escape="\\"))
    if language:
        stmt = stmt.where(Course.language == language)
    if tag:
        stmt = stmt.where(
            exists().where(and_(CourseTag.course_id == Course.id, CourseTag.name == tag))
        )
    return stmt


def search_courses(
    query: str = "", language: str = "", tag: str = "", page: int = 1, per_page: int = 10
) -> SearchResult:
    total = db.session.scalar(_search_filter(select(func.count(Course.id)), query, language, tag))
    if page > max(1, math.ceil((total or 0) / per_page)):
        return SearchResult(cards=[], total=total or 0, page=page, per_page=per_page)
    stmt = (
        _search_filter(select(Course), query, language, tag)
        .options(selectinload(Course.tags))
        .order_by(Course.title, Course.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    courses = list(db.session.scalars(stmt))
    ids = [course.id for course in courses]
    learners = learner_counts(ids)
    modules = module_counts(ids)
    cards = [CourseCard(c, learners.get(c.id, 0), modules.get(c.id, 0)) for c in courses]
    return SearchResult(cards=cards, total=total or 0, page=page, per_page=per_page)


def catalog_facets() -> tuple[list[str], list[tuple[str, int]]]:
    """Languages that have courses, and the most used tags with their counts."""
    languages = list(
        db.session.scalars(select(Course.language).distinct().order_by(Course.language))
    )
    tags = db.session.execute(
        select(CourseTag.name, func.count(CourseTag.id).label("n"))
        .group_by(CourseTag.name)
        .order_by(func.count(CourseTag.id).desc(), CourseTag.name)
        .limit(20)
    ).all()
    return languages, [(name, count) for name, count in tags]


def learner_counts(course_ids: list[int]) -> dict[int, int]:
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.course_id, func.count(Enrolment.id))
        .where(Enrolment.course_id.in_(course_ids))
        .group_by(Enrolment.course_id)
    )
    return {course_id: count for course_id, count in rows}


def module_counts(course_ids: list[int]) -> dict[int, int]:
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Module.course_id, func.count(Module.id))
        .where(Module.course_id.in_(course_ids), Module.removed_at.is_(None))
        .group_by(Module.course_id)
    )
    return {course_id: count for course_id, count in rows}


def course_by_key(key: str | None) -> Course | None:
    if not key:
        return None
    return db.session.scalar(select(Course).where(Course.key == key))


def outlines(course_ids: list[int]) -> dict[int, list[OutlineEntry]]:
    """Each course's modules in order, titles only, in one query."""
    rows = db.session.execute(
        select(Module.course_id, Module.id, Module.slug, Module.position, ModuleRevision.title)
        .join(ModuleRevision, ModuleRevision.id == Module.current_revision_id)
        .where(Module.course_id.in_(course_ids), Module.removed_at.is_(None))
        .order_by(Module.course_id, Module.position)
    )
    result: dict[int, list[OutlineEntry]] = {course_id: [] for course_id in course_ids}
    for course_id, module_id, slug, position, title in rows:
        result[course_id].append(OutlineEntry(module_id, slug, position, title))
    return result


def module_in_course(course_slug: str, module_slug: str) -> Module | None:
    """A module page's module with its current revision and its course (with the course's
    authors and tags), in one query: :func:`course_by_slug` and :func:`module_by_slug`
    together. None when either is unknown (or the module was removed)."""
    course = joinedload(Module.course)
    return (
        db.session.scalars(
            select(Module)
            .join(Course, Course.id == Module.course_id)
            .where(
                Course.slug == course_slug,
                Module.slug == module_slug,
                Module.removed_at.is_(None),
            )
            .options(
                joinedload(Module.current),
                course.joinedload(Course.authors),
                course.joinedload(Course.tags),
            )
        )
        .unique()
        .first()
    )


def module_by_slug(course: Course, slug: str) -> Module | None:
    return db.session.scalar(
        select(Module)
        .where(Module.course_id == course.id, Module.slug == slug, Module.removed_at.is_(None))
        .options(joinedload(Module.current))
    )


def is_enrolled(user: User, course: Course) -> bool:
    if not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == user.id, Enrolment.course_id == course.id
            )
        )
        is not None
    )


def done_module_ids(user: User, module_ids: list[int]) -> set[int]:
    if not user.is_authenticated or not module_ids:
        return set()
    return set(
        db.session.scalars(
            select(ModuleProgress.module_id).where(
                ModuleProgress.user_id == user.id, ModuleProgress.module_id.in_(module_ids)
            )
        )
    )


#: The tag column of :func:`reader_state`'s rows: which lookup a row answers.
_LEARNERS, _ENROLLED, _DONE = 0, 1, 2


@dataclass(frozen=True)
class ReaderState:
    """What a course or module page shows about its reader: enrolled or not, the modules
    they marked as done, and (when asked) how many learners the course has."""

    enrolled: bool
    done: set[int]
    learners: int = 0


def reader_state(
    user: User, course: Course, module_ids: list[int], count_learners: bool = False
) -> ReaderState:
    """:func:`is_enrolled`, :func:`done_module_ids` and the course's learner count in one
    query (a UNION ALL of the three small lookups, told apart by a tag column); none for
    a visitor on a module page."""
    parts: list[Select[int, int]] = []
    if count_learners:
        parts.append(
            select(literal_column(str(_LEARNERS), Integer), func.count(Enrolment.id)).where(
                Enrolment.course_id == course.id
            )
        )
    if user.is_authenticated:
        parts.append(
            select(literal_column(str(_ENROLLED), Integer), Enrolment.id).where(
                Enrolment.user_id == user.id, Enrolment.course_id == course.id
            )
        )
        if module_ids:
            parts.append(
                select(literal_column(str(_DONE), Integer), ModuleProgress.module_id).where(
                    ModuleProgress.user_id == user.id, ModuleProgress.module_id.in_(module_ids)
                )
            )
    if not parts:
        return ReaderState(enrolled=False, done=set())
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    enrolled, done, learners = False, set(), 0
    for tag, value in db.session.execute(query):
        if tag == _LEARNERS:
            learners = int(value or 0)
        elif tag == _ENROLLED:
            enrolled = True
        else:
            done.add(int(value))
    return ReaderState(enrolled=enrolled, done=done, learners=learners)


def enrol(user: User, course: Course) -> Enrolment:
    if is_enrolled(user, course):
        raise AlreadyEnrolled
    enrolment = Enrolment(user_id=user.id, course_id=course.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:  # a double click that raced past the check above
        raise AlreadyEnrolled from None
    return enrolment


def leave(user: User, course: Course) -> None:
    """Leave a course. Progress is kept, so enrolling again picks up where one left off."""
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )
    if enrolment is None:
        raise NotEnrolled
    db.session.delete(enrolment)
    db.session.flush()


def set_module_done(user: User, module: Module, done: bool) -> None:
    existing = db.session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id
        )
    )
    if done and existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(ModuleProgress(user_id=user.id, module_id=module.id))
        except IntegrityError:
            pass  # already marked by a concurrent request: the outcome is the same
    elif not done and existing is not None:
        db.session.delete(existing)
    db.session.flush()
    if done:
        module_completed.send(module, user=user)


def enrolled_courses(user: User) -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(Enrolment.user_id == user.id)
            .order_by(Enrolment.created_at.desc(), Course.id)
        )
    )


def maintained_courses(user: User) -> list[Course]:
    from peerlearn.content.models import CourseMaintainer

    return list(
        db.session.scalars(
            select(Course)
            .join(CourseMaintainer, CourseMaintainer.course_id == Course.id)
            .where(CourseMaintainer.user_id == user.id)
            .order_by(Course.title, Course.id)
        )
    )


def dashboard(user: User) -> list[DashboardEntry]:
    """Enrolled courses with progress and where to continue, in three queries."""
    courses = enrolled_courses(user)
    course_outlines = outlines([course.id for course in courses])
    all_ids = [entry.id for outline in course_outlines.values() for entry in outline]
    done = done_module_ids(user, all_ids)
    entries = []
    for course in courses:
        outline = course_outlines[course.id]
        next_module = next((entry for entry in outline if entry.id not in done), None)
        done_count = sum(1 for entry in outline if entry.id in done)
        entries.append(DashboardEntry(course, done_count, len(outline), next_module, outline))
    return entries
