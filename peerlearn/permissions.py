"""Who may do what. Every view asks here, so this file is the one place to audit access.

Each check is a pure function of the acting :class:`Actor` (who they are, whether a site
admin, which courses they maintain, which interface languages they translate) and of the
object in question; views turn a "no" into a 403 or a login redirect. The actor is read
once a request (``peerlearn.web.current_actor``), with the signed-in user, so a page that
asks twenty questions about maintainers costs no query, and a check can be tested
without a database.

A fact that lives in a feature's own tables about one object (enrolled? a facilitator of
this circle?) is looked up by the view through that feature's services and passed in,
so this module imports no feature: every feature may import it. The objects of features
above this module are typed by what the checks read of them (the protocols below).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ScalarSelect, String, cast, func, select

from peerlearn.accounts.models import User
from peerlearn.content.models import Course, CourseMaintainer

# --- The acting user ---------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """The person a request acts for, as the checks see them: anonymous when ``id`` is
    None. Frozen, so one read serves every check of the request unchanged."""

    id: int | None = None
    is_admin: bool = False
    #: The ids of the courses they maintain.
    maintained_course_ids: frozenset[int] = frozenset()
    #: The interface languages ("es", "sw", ...) they translate.
    translator_locales: frozenset[str] = frozenset()

    @property
    def is_signed_in(self) -> bool:
        return self.id is not None


#: Nobody signed in.
ANONYMOUS = Actor()

#: The :data:`peerlearn.accounts.sessions.USER_FACTS` names the actor is built from.
MAINTAINED = "maintained_course_ids"
TRANSLATED = "translator_locales"


def maintained_subquery(user_id: Any) -> ScalarSelect[Any]:
    """The ids of the courses the user whose id is ``user_id`` (a column) maintains, comma
    separated: read with the signed-in user (``USER_FACTS``)."""
    return (
        select(func.aggregate_strings(cast(CourseMaintainer.course_id, String), ","))
        .where(CourseMaintainer.user_id == user_id)
        .scalar_subquery()
    )


def actor_of(user: Any, facts: Mapping[str, str]) -> Actor:
    """The :class:`Actor` for ``user`` (a :class:`User`, or Flask-Login's anonymous user)
    from their facts (:func:`maintained_subquery` and the like, by name)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return Actor(
        id=user.id,
        is_admin=bool(user.is_admin),
        maintained_course_ids=frozenset(
            int(part) for part in facts.get(MAINTAINED, "").split(",") if part
        ),
        translator_locales=frozenset(part for part in facts.get(TRANSLATED, "").split(",") if part),
    )


# --- What the checks read of the objects of features above this module --------------------


class _InCourse(Protocol):
    @property
    def course(self) -> Course: ...


class _Assignment(_InCourse, Protocol):
    @property
    def removed_at(self) -> datetime | None: ...


class _Log(Protocol):
    """A build log."""

    @property
    def user_id(self) -> int: ...

    @property
    def assignment(self) -> _InCourse: ...


class _Review(Protocol):
    @property
    def reviewer_id(self) -> int | None: ...

    @property
    def log(self) -> _Log: ...


class _Proposal(Protocol):
    @property
    def target_course(self) -> Course: ...


class _Circle(_InCourse, Protocol):
    @property
    def open(self) -> bool: ...


class _Post(Protocol):
    @property
    def author_id(self) -> int | None: ...

    @property
    def deleted_at(self) -> datetime | None: ...

    @property
    def hidden_at(self) -> datetime | None: ...


# --- The checks ----------------------------------------------------------------------------


def is_signed_in(actor: Actor) -> bool:
    return actor.is_signed_in


def can_view_course(actor: Actor, course: Course) -> bool:
    """Courses are open resources: anyone, signed in or not, may read them."""
    return True


def can_enrol(actor: Actor, course: Course) -> bool:
    return is_signed_in(actor)


def can_track_progress(actor: Actor, course: Course, enrolled: bool) -> bool:
    """Marking modules done is for learners enrolled in the course."""
    return is_signed_in(actor) and enrolled


def can_view_dashboard(actor: Actor) -> bool:
    return is_signed_in(actor)


# --- Authoring: maintainers edit; anyone signed in may create, fork and comment. ---


def is_maintainer(actor: Actor, course: Course) -> bool:
    return is_signed_in(actor) and course.id in actor.maintained_course_ids


def can_create_course(actor: Actor) -> bool:
    return is_signed_in(actor)


def can_edit_course(actor: Actor, course: Course) -> bool:
    """Maintainers edit modules and metadata; site admins may step in on any course."""
    return is_signed_in(actor) and (actor.is_admin or is_maintainer(actor, course))


def can_manage_maintainers(actor: Actor, course: Course) -> bool:
    return can_edit_course(actor, course)


def can_view_history(actor: Actor, course: Course) -> bool:
    return can_view_course(actor, course)


def can_fork(actor: Actor, course: Course) -> bool:
    return is_signed_in(actor)


def can_sync_from_upstream(actor: Actor, fork: Course) -> bool:
    return can_edit_course(actor, fork)


def can_propose(actor: Actor, fork: Course) -> bool:
    """A fork's maintainers offer its changes back to the course it came from."""
    return bool(fork.forked_from or fork.translation_of) and can_edit_course(actor, fork)


def can_decide_proposal(actor: Actor, proposal: _Proposal) -> bool:
    return can_edit_course(actor, proposal.target_course)


def can_comment_on_proposal(actor: Actor, proposal: _Proposal) -> bool:
    return is_signed_in(actor)


# --- Assignments and build logs: open to read, a log is written by its owner only. ---


def can_view_assignment(actor: Actor, assignment: _Assignment) -> bool:
    """An assignment is part of an open course: anyone may read its prompt and rubric."""
    return assignment.removed_at is None and can_view_course(actor, assignment.course)


def can_keep_log(actor: Actor, assignment: _Assignment, enrolled: bool) -> bool:
    """Only enrolled learners start and edit a build log for a course's assignment."""
    return is_signed_in(actor) and enrolled


def can_edit_log(actor: Actor, log: _Log) -> bool:
    """A build log is written by its owner alone; not maintainers, not admins."""
    return is_signed_in(actor) and log.user_id == actor.id


# --- Assignments as course content: written, changed and read back by maintainers. ---


def can_author_assignments(actor: Actor, course: Course) -> bool:
    """Whoever may edit the course writes its assignments and reads their history.

    The authoring pages show drafts and past rubrics side by side with the tools that
    change them, so they are for the course's maintainers (and site admins), not learners.
    """
    return can_edit_course(actor, course)


# --- Peer review: learners review classmates; maintainers run the review and see names. ---


def can_request_review(actor: Actor, enrolled: bool) -> bool:
    """Enrolled learners review their classmates' build logs (the service decides whether
    they must submit their own first)."""
    return is_signed_in(actor) and enrolled


def can_write_review(actor: Actor, review: _Review) -> bool:
    """A review is written by its reviewer alone; nobody else can change their words."""
    return is_signed_in(actor) and review.reviewer_id == actor.id


def can_manage_reviews(actor: Actor, course: Course) -> bool:
    """The course's maintainers run its peer review: gradebook, overrides, flags, regrades,
    calibration examples, stuck submissions."""
    return can_edit_course(actor, course)


def can_see_reviewer_identities(actor: Actor, course: Course) -> bool:
    """Only maintainers see who reviewed whom; learners see "Reviewer 1, 2, 3"."""
    return can_manage_reviews(actor, course)


def can_read_review_of(actor: Actor, log: _Log) -> bool:
    """The author of a build log reads the reviews it received; maintainers read all."""
    return is_signed_in(actor) and (
        log.user_id == actor.id or can_manage_reviews(actor, log.assignment.course)
    )


def can_request_regrade(actor: Actor, log: _Log) -> bool:
    """Only the author of a build log asks for it to be regraded (the service decides
    whether there is a grade to look at again and no request already open)."""
    return is_signed_in(actor) and log.user_id == actor.id


def can_flag_review(actor: Actor, review: _Review) -> bool:
    """Only the author of the build log reports a review of it as inappropriate (the
    service decides whether this review can be reported, and only once)."""
    return is_signed_in(actor) and review.log.user_id == actor.id


def can_see_practice_result(actor: Actor, review: _Review) -> bool:
    """A practice (calibration) review's comparison with the reference is for the learner
    who wrote it alone."""
    return is_signed_in(actor) and review.reviewer_id == actor.id


# --- Circles' facilitators: their own circle's learners, never more. ---
# ``facilitator``: whether the actor is a current facilitator of the circle in question
# (``circles.membership.is_facilitator``); ``member``: whether they are a current member.


def can_see_circle_progress(actor: Actor, course: Course, facilitator: bool) -> bool:
    """The facilitator's view of a circle (progress, who is stuck, the CSV) is for its
    facilitators, and for the course's maintainers, who run peer review for every circle."""
    return is_signed_in(actor) and (facilitator or can_manage_reviews(actor, course))


def can_message_circle(actor: Actor, facilitator: bool) -> bool:
    """Only a circle's facilitators write to all its members."""
    return is_signed_in(actor) and facilitator


def can_read_circle_messages(actor: Actor, course: Course, member: bool) -> bool:
    """A circle's messages are for its members (and the course's maintainers)."""
    return is_signed_in(actor) and (member or can_manage_reviews(actor, course))


def can_run_circle_reviews(actor: Actor, facilitator: bool) -> bool:
    """A circle's facilitators use the gradebook and the waiting list for their own
    circle's learners (without reviewers' names; maintainers see the whole course)."""
    return is_signed_in(actor) and facilitator


def can_manage_facilitators(actor: Actor, facilitator: bool) -> bool:
    """A facilitator names co-facilitators and steps down (the service keeps one)."""
    return is_signed_in(actor) and facilitator


# --- Accounts ---


def can_sign_out_everywhere(actor: Actor, target: User) -> bool:
    """Site admins end every session of an account (a stolen phone, a shared computer);
    everyone else does it for themselves by changing their password."""
    return is_signed_in(actor) and actor.is_admin


# --- Interface translation: admins name translators; translators decide for a language. ---


def can_manage_translators(actor: Actor) -> bool:
    """Only site admins name and revoke the translators of the interface languages."""
    return is_signed_in(actor) and actor.is_admin


def can_suggest_translation(actor: Actor, locale: str) -> bool:
    """Anyone signed in may suggest a translation; it waits for a translator."""
    return is_signed_in(actor)


def is_translator(actor: Actor, locale: str) -> bool:
    return is_signed_in(actor) and locale in actor.translator_locales


def can_review_translations(actor: Actor, locale: str) -> bool:
    """Approving, rejecting and saving texts directly is for the language's translators
    (a site admin names themself translator first)."""
    return is_translator(actor, locale)


def can_export_translations(actor: Actor, locale: str) -> bool:
    """The language's translators and site admins download its ``.po`` file."""
    return is_signed_in(actor) and (actor.is_admin or is_translator(actor, locale))


# --- Accounts: people control their own; site admins lock accounts and fix maintainers. ---


def is_site_admin(actor: Actor) -> bool:
    return is_signed_in(actor) and actor.is_admin


def can_lock_account(actor: Actor, other: User) -> bool:
    """Site admins lock and unlock accounts, never their own (someone must stay able to)."""
    return is_site_admin(actor) and other.id != actor.id and other.deleted_at is None


def can_remove_maintainer(actor: Actor, course: Course) -> bool:
    """Removing someone else's maintainership is a site admin's call alone."""
    return is_site_admin(actor)


def can_see_learning_activity(actor: Actor, person: User) -> bool:
    """Courses and progress on a profile are private unless the person made them public;
    they always see their own."""
    return bool(person.activity_public) or (is_signed_in(actor) and actor.id == person.id)


def can_revoke_badge(actor: Actor, course: Course | None) -> bool:
    """A course's badge: its maintainers (and site admins, who may step in anywhere); a
    site-wide badge (helpful reviewer, contributor): site admins only."""
    if course is None:
        return is_site_admin(actor)
    return can_edit_course(actor, course)


# --- Discussions: open where the course is open; a build log's thread only for its few. ---


def can_moderate_discussion(
    actor: Actor, course: Course, facilitator: bool, open_thread: bool
) -> bool:
    """Hide, lock and pin: the course's maintainers (and site admins) in a course's or
    module's thread; the circle's facilitators (``facilitator``) in a circle's or build
    log's, which maintainers do not moderate (``open_thread`` False: they may not read a
    build log's thread either)."""
    if not is_signed_in(actor):
        return False
    return facilitator or (open_thread and can_edit_course(actor, course))


def can_view_thread(
    actor: Actor, audience: Collection[int] | None, hidden: bool, moderator: bool
) -> bool:
    """``audience``: the ids of everyone who may read the thread, or None when anyone may
    (a course's or a module's). A hidden thread is for its moderators only."""
    if moderator:
        return True
    if hidden:
        return False
    return audience is None or (actor.id is not None and actor.id in audience)


def can_post_in_thread(actor: Actor, can_view: bool, locked: bool, moderator: bool) -> bool:
    """Whoever reads a thread may reply, unless it is locked (its moderators still may)."""
    return is_signed_in(actor) and can_view and (moderator or not locked)


def can_start_thread(actor: Actor, can_view: bool) -> bool:
    return is_signed_in(actor) and can_view


def can_change_post(actor: Actor, post: _Post) -> bool:
    """A post is edited or deleted by its author alone, until it is deleted or hidden."""
    return (
        is_signed_in(actor)
        and post.author_id == actor.id
        and post.deleted_at is None
        and post.hidden_at is None
    )


def can_report(actor: Actor) -> bool:
    """Anyone signed in reports a post, a course or a module to maintainers and admins."""
    return is_signed_in(actor)


def can_see_reports(actor: Actor) -> bool:
    """The moderation queue: site admins (every course) and maintainers (their courses)."""
    return is_signed_in(actor) and (actor.is_admin or bool(actor.maintained_course_ids))


def can_resolve_report(actor: Actor, course: Course) -> bool:
    return can_edit_course(actor, course)


def can_link_proposal(actor: Actor, course: Course) -> bool:
    """A module's maintainers say which change proposal fixes what its thread reported."""
    return can_edit_course(actor, course)


# --- Learning circles: anyone signed in starts one; its facilitators run it. ---
# ``member`` and ``facilitator`` are facts the view looks up (``circles.membership``) about
# the actor's *current* membership of the circle.


def can_start_circle(actor: Actor, course: Course) -> bool:
    """Anyone signed in may gather a circle for any course: courses are open resources."""
    return is_signed_in(actor)


def can_view_circle(actor: Actor, circle: _Circle, member: bool) -> bool:
    """An open circle's page is public (people find it from the course page); one by
    invitation is for its members, the course's maintainers and site admins. Someone with
    the invitation link sees the invitation page instead."""
    return bool(circle.open) or member or can_edit_course(actor, circle.course)


def can_see_circle_members(actor: Actor, circle: _Circle, member: bool) -> bool:
    """Who is in a circle (names) is for its members, the course's maintainers and admins."""
    return is_signed_in(actor) and (member or can_edit_course(actor, circle.course))


def can_see_meeting_place(actor: Actor, circle: _Circle, member: bool) -> bool:
    """An open circle says where it meets, so people can decide to join; one by
    invitation tells its members (a home or a phone group is not for everyone)."""
    return bool(circle.open) or member or can_edit_course(actor, circle.course)


def can_join_circle(actor: Actor, circle: _Circle) -> bool:
    """Anyone signed in asks to join; the service decides (open or code, seats, dates)."""
    return is_signed_in(actor)


def can_facilitate(actor: Actor, circle: _Circle, facilitator: bool) -> bool:
    """A circle's facilitators change its details and dates, see its invitation and code;
    site admins may step in. Course maintainers do not run other people's circles."""
    return is_signed_in(actor) and (facilitator or actor.is_admin)


def can_view_own_calendar(actor: Actor) -> bool:
    return is_signed_in(actor)
