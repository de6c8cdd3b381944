"""Who may do what. Every view asks here, so this file is the one place to audit access.

Each function takes the acting user (possibly anonymous) and the object, and answers
yes or no; views turn a "no" into a 403 or a login redirect. A fact that lives in a
feature's own tables (enrolled? a translator of this language?) is looked up by the view
through that feature's services and passed in, so this module imports no feature: every
feature may import it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from peerlearn.content.models import Course, CourseMaintainer
from peerlearn.db import session_memo
from peerlearn.extensions import db


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


# --- Authoring: maintainers edit; anyone signed in may create, fork and comment. ---


def is_maintainer(user: Any, course: Course) -> bool:
    """One query per user and course for a whole request, however many parts of the page
    ask (its tool links, its proposal box, its lineage box): see :func:`session_memo`."""
    if not is_signed_in(user):
        return False
    key = (user.id, course.id)
    answers = session_memo(db.session(), "maintainers") if None not in key else None
    if answers is not None and key in answers:
        return bool(answers[key])
    answer = (
        db.session.scalar(
            select(CourseMaintainer.id).where(
                CourseMaintainer.course_id == course.id, CourseMaintainer.user_id == user.id
            )
        )
        is not None
    )
    if answers is not None:
        # Asked again after the query: its autoflush may have emptied the memo.
        answers = session_memo(db.session(), "maintainers")
        if answers is not None:
            answers[key] = answer
    return answer


def can_create_course(user: Any) -> bool:
    return is_signed_in(user)


def can_edit_course(user: Any, course: Course) -> bool:
    """Maintainers edit modules and metadata; site admins may step in on any course."""
    return is_signed_in(user) and (bool(user.is_admin) or is_maintainer(user, course))


def can_manage_maintainers(user: Any, course: Course) -> bool:
    return can_edit_course(user, course)


def can_view_history(user: Any, course: Course) -> bool:
    return can_view_course(user, course)


def can_fork(user: Any, course: Course) -> bool:
    return is_signed_in(user)


def can_sync_from_upstream(user: Any, fork: Course) -> bool:
    return can_edit_course(user, fork)


def can_propose(user: Any, fork: Course) -> bool:
    """A fork's maintainers offer its changes back to the course it came from."""
    return bool(fork.forked_from or fork.translation_of) and can_edit_course(user, fork)


def can_decide_proposal(user: Any, proposal: Any) -> bool:
    return can_edit_course(user, proposal.target_course)


def can_comment_on_proposal(user: Any, proposal: Any) -> bool:
    return is_signed_in(user)


# --- Assignments and build logs: open to read, a log is written by its owner only. ---


def can_view_assignment(user: Any, assignment: Any) -> bool:
    """An assignment is part of an open course: anyone may read its prompt and rubric."""
    return assignment.removed_at is None and can_view_course(user, assignment.course)


def can_keep_log(user: Any, assignment: Any, enrolled: bool) -> bool:
    """Only enrolled learners start and edit a build log for a course's assignment."""
    return is_signed_in(user) and enrolled


def can_edit_log(user: Any, log: Any) -> bool:
    """A build log is written by its owner alone; not maintainers, not admins."""
    return is_signed_in(user) and log.user_id == user.id


# --- Assignments as course content: written, changed and read back by maintainers. ---


def can_author_assignments(user: Any, course: Course) -> bool:
    """Whoever may edit the course writes its assignments and reads their history.

    The authoring pages show drafts and past rubrics side by side with the tools that
    change them, so they are for the course's maintainers (and site admins), not learners.
    """
    return can_edit_course(user, course)


# --- Peer review: learners review classmates; maintainers run the review and see names. ---


def can_request_review(user: Any, enrolled: bool) -> bool:
    """Enrolled learners review their classmates' build logs (the service decides whether
    they must submit their own first)."""
    return is_signed_in(user) and enrolled


def can_write_review(user: Any, review: Any) -> bool:
    """A review is written by its reviewer alone; nobody else can change their words."""
    return is_signed_in(user) and review.reviewer_id == user.id


def can_manage_reviews(user: Any, course: Course) -> bool:
    """The course's maintainers run its peer review: gradebook, overrides, flags, regrades,
    calibration examples, stuck submissions."""
    return can_edit_course(user, course)


def can_see_reviewer_identities(user: Any, course: Course) -> bool:
    """Only maintainers see who reviewed whom; learners see "Reviewer 1, 2, 3"."""
    return can_manage_reviews(user, course)


def can_read_review_of(user: Any, log: Any) -> bool:
    """The author of a build log reads the reviews it received; maintainers read all."""
    return is_signed_in(user) and (
        log.user_id == user.id or can_manage_reviews(user, log.assignment.course)
    )


def can_request_regrade(user: Any, log: Any) -> bool:
    """Only the author of a build log asks for it to be regraded (the service decides
    whether there is a grade to look at again and no request already open)."""
    return is_signed_in(user) and log.user_id == user.id


def can_flag_review(user: Any, review: Any) -> bool:
    """Only the author of the build log reports a review of it as inappropriate (the
    service decides whether this review can be reported, and only once)."""
    return is_signed_in(user) and review.log.user_id == user.id


def can_see_practice_result(user: Any, review: Any) -> bool:
    """A practice (calibration) review's comparison with the reference is for the learner
    who wrote it alone."""
    return is_signed_in(user) and review.reviewer_id == user.id


# --- Circles' facilitators: their own circle's learners, never more. ---
# ``facilitator``: whether ``user`` is a current facilitator of the circle in question
# (``circles.membership.is_facilitator``); ``member``: whether they are a current member.


def can_see_circle_progress(user: Any, course: Course, facilitator: bool) -> bool:
    """The facilitator's view of a circle (progress, who is stuck, the CSV) is for its
    facilitators, and for the course's maintainers, who run peer review for every circle."""
    return is_signed_in(user) and (facilitator or can_manage_reviews(user, course))


def can_message_circle(user: Any, facilitator: bool) -> bool:
    """Only a circle's facilitators write to all its members."""
    return is_signed_in(user) and facilitator


def can_read_circle_messages(user: Any, course: Course, member: bool) -> bool:
    """A circle's messages are for its members (and the course's maintainers)."""
    return is_signed_in(user) and (member or can_manage_reviews(user, course))


def can_run_circle_reviews(user: Any, facilitator: bool) -> bool:
    """A circle's facilitators use the gradebook and the waiting list for their own
    circle's learners (without reviewers' names; maintainers see the whole course)."""
    return is_signed_in(user) and facilitator


def can_manage_facilitators(user: Any, facilitator: bool) -> bool:
    """A facilitator names co-facilitators and steps down (the service keeps one)."""
    return is_signed_in(user) and facilitator


# --- Accounts ---


def can_sign_out_everywhere(user: Any, target: Any) -> bool:
    """Site admins end every session of an account (a stolen phone, a shared computer);
    everyone else does it for themselves by changing their password."""
    return is_signed_in(user) and bool(user.is_admin)


# --- Interface translation: admins name translators; translators decide for a language. ---


def can_manage_translators(user: Any) -> bool:
    """Only site admins name and revoke the translators of the interface languages."""
    return is_signed_in(user) and bool(user.is_admin)


def can_suggest_translation(user: Any, locale: str) -> bool:
    """Anyone signed in may suggest a translation; it waits for a translator."""
    return is_signed_in(user)


def can_review_translations(user: Any, locale: str, translator: bool) -> bool:
    """Approving, rejecting and saving texts directly is for the language's translators
    (a site admin names themself translator first). ``translator``: whether ``user``
    translates ``locale`` (``community_i18n.services.is_translator``)."""
    return is_signed_in(user) and translator


def can_export_translations(user: Any, locale: str, translator: bool) -> bool:
    """The language's translators and site admins download its ``.po`` file."""
    return is_signed_in(user) and (bool(user.is_admin) or translator)


# --- Accounts: people control their own; site admins lock accounts and fix maintainers. ---


def is_site_admin(user: Any) -> bool:
    return is_signed_in(user) and bool(user.is_admin)


def can_lock_account(user: Any, other: Any) -> bool:
    """Site admins lock and unlock accounts, never their own (someone must stay able to)."""
    return is_site_admin(user) and other.id != user.id and other.deleted_at is None


def can_remove_maintainer(user: Any, course: Course) -> bool:
    """Removing someone else's maintainership is a site admin's call alone."""
    return is_site_admin(user)


def can_see_learning_activity(user: Any, person: Any) -> bool:
    """Courses and progress on a profile are private unless the person made them public;
    they always see their own."""
    return bool(person.activity_public) or (is_signed_in(user) and user.id == person.id)


def can_revoke_badge(user: Any, course: Course | None) -> bool:
    """A course's badge: its maintainers (and site admins, who may step in anywhere); a
    site-wide badge (helpful reviewer, contributor): site admins only."""
    if course is None:
        return is_site_admin(user)
    return can_edit_course(user, course)


# --- Discussions: open where the course is open; a build log's thread only for its few. ---


def can_moderate_discussion(
    user: Any, course: Course, facilitator: bool, open_thread: bool
) -> bool:
    """Hide, lock and pin: the course's maintainers (and site admins) in a course's or
    module's thread; the circle's facilitators (``facilitator``) in a circle's or build
    log's, which maintainers do not moderate (``open_thread`` False: they may not read a
    build log's thread either)."""
    if not is_signed_in(user):
        return False
    return facilitator or (open_thread and can_edit_course(user, course))


def can_view_thread(user: Any, audience: Any, hidden: bool, moderator: bool) -> bool:
    """``audience``: the ids of everyone who may read the thread, or None when anyone may
    (a course's or a module's). A hidden thread is for its moderators only."""
    if moderator:
        return True
    if hidden:
        return False
    return audience is None or (is_signed_in(user) and user.id in audience)


def can_post_in_thread(user: Any, can_view: bool, locked: bool, moderator: bool) -> bool:
    """Whoever reads a thread may reply, unless it is locked (its moderators still may)."""
    return is_signed_in(user) and can_view and (moderator or not locked)


def can_start_thread(user: Any, can_view: bool) -> bool:
    return is_signed_in(user) and can_view


def can_change_post(user: Any, post: Any) -> bool:
    """A post is edited or deleted by its author alone, until it is deleted or hidden."""
    return (
        is_signed_in(user)
        and post.author_id == user.id
        and post.deleted_at is None
        and post.hidden_at is None
    )


def can_report(user: Any) -> bool:
    """Anyone signed in reports a post, a course or a module to maintainers and admins."""
    return is_signed_in(user)


def can_see_reports(user: Any, maintains_any: bool) -> bool:
    """The moderation queue: site admins (every course) and maintainers (their courses)."""
    return is_signed_in(user) and (bool(user.is_admin) or maintains_any)


def can_resolve_report(user: Any, course: Course) -> bool:
    return can_edit_course(user, course)


def can_link_proposal(user: Any, course: Course) -> bool:
    """A module's maintainers say which change proposal fixes what its thread reported."""
    return can_edit_course(user, course)


# --- Learning circles: anyone signed in starts one; its facilitators run it. ---
# ``member`` and ``facilitator`` are facts the view looks up (``circles.membership``) about
# the acting user's *current* membership of the circle.


def can_start_circle(user: Any, course: Course) -> bool:
    """Anyone signed in may gather a circle for any course: courses are open resources."""
    return is_signed_in(user)


def can_view_circle(user: Any, circle: Any, member: bool) -> bool:
    """An open circle's page is public (people find it from the course page); one by
    invitation is for its members, the course's maintainers and site admins. Someone with
    the invitation link sees the invitation page instead."""
    return bool(circle.open) or member or can_edit_course(user, circle.course)


def can_see_circle_members(user: Any, circle: Any, member: bool) -> bool:
    """Who is in a circle (names) is for its members, the course's maintainers and admins."""
    return is_signed_in(user) and (member or can_edit_course(user, circle.course))


def can_see_meeting_place(user: Any, circle: Any, member: bool) -> bool:
    """An open circle says where it meets, so people can decide to join; one by
    invitation tells its members (a home or a phone group is not for everyone)."""
    return bool(circle.open) or member or can_edit_course(user, circle.course)


def can_join_circle(user: Any, circle: Any) -> bool:
    """Anyone signed in asks to join; the service decides (open or code, seats, dates)."""
    return is_signed_in(user)


def can_facilitate(user: Any, circle: Any, facilitator: bool) -> bool:
    """A circle's facilitators change its details and dates, see its invitation and code;
    site admins may step in. Course maintainers do not run other people's circles."""
    return is_signed_in(user) and (facilitator or bool(user.is_admin))


def can_view_own_calendar(user: Any) -> bool:
    return is_signed_in(user)
