"""Download my data: one zip with everything peerlearn keeps about a person.

``peerlearn-data.json`` holds the profile, enrolments, progress, build logs (entries,
measurements, submissions), reviews given (text and scores), reviews received (without
the reviewers' identities: double-blind review holds even here), proposals, comments,
revisions and translations they wrote, roles and notifications. ``photos/`` holds the
photos of their build logs, byte for byte as stored.

A fixed number of queries per section, whatever the amount of data; no state changes.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import (
    Assignment,
    AssignmentRevision,
    BuildLog,
    BuildLogEntry,
    EntryPhoto,
    PhotoBlob,
)
from peerlearn.authoring.proposal_models import ChangeProposal, ProposalComment
from peerlearn.catalog.models import Enrolment, ModuleProgress
from peerlearn.circles.models import Circle, CircleMember
from peerlearn.community_i18n.models import TranslationSuggestion, Translator
from peerlearn.content.models import Course, CourseMaintainer, Module, ModuleRevision
from peerlearn.discussions.models import Post, Thread
from peerlearn.extensions import db
from peerlearn.facilitation.models import CircleMessage
from peerlearn.notifications.models import Notification
from peerlearn.notifications.preferences import preferences_of
from peerlearn.recognition.models import Assertion, BadgeClass
from peerlearn.review.models import Review, ReviewFeedback, ReviewFlag

JSON_NAME = "peerlearn-data.json"
PHOTOS_DIR = "photos"
_EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp"}
#: Kinds of review that reach an author; practice reviews and references stay out of
#: "reviews received".
_RECEIVED_KINDS = ("peer", "self", "staff")


def _plain(value: Any) -> Any:
    """JSON for the few types our columns hold beyond str, int, bool and None."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _photo_name(blob: PhotoBlob) -> str:
    return f"{PHOTOS_DIR}/{blob.sha256}.{_EXTENSIONS.get(blob.content_type, 'bin')}"


def collect(user: User) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The person's data as a JSON-ready dict, and their photos by file name in the zip."""
    uid = user.id
    photos: dict[str, bytes] = {}
    data: dict[str, Any] = {
        "format": "peerlearn personal data export, version 1",
        "profile": {
            "username": user.username,
            "email": user.email,
            "language": user.locale,
            "time_zone": user.timezone,
            "member_since": _plain(user.created_at),
            "site_admin": bool(user.is_admin),
            "learning_activity_public": bool(user.activity_public),
        },
    }
    data["enrolments"] = [
        {"course": slug, "title": title, "enrolled_at": _plain(when), "team": team}
        for slug, title, when, team in db.session.execute(
            select(Course.slug, Course.title, Enrolment.created_at, Enrolment.team)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Enrolment.user_id == uid)
            .order_by(Enrolment.created_at, Enrolment.id)
        )
    ]
    data["circles"] = [
        {
            "circle": name,
            "course": slug,
            "role": role,
            "joined_at": _plain(joined),
            "left_at": _plain(left),
        }
        for name, slug, role, joined, left in db.session.execute(
            select(
                Circle.name, Course.slug, CircleMember.role, CircleMember.joined_at,
                CircleMember.left_at,
            )
            .join(Circle, Circle.id == CircleMember.circle_id)
            .join(Course, Course.id == Circle.course_id)
            .where(CircleMember.user_id == uid)
            .order_by(CircleMember.joined_at, CircleMember.id)
        )
    ]  # fmt: skip
    # The messages they wrote to their circles as a facilitator.
    data["circle_messages"] = [
        {"circle": name, "written_at": _plain(written), "text": body}
        for name, written, body in db.session.execute(
            select(Circle.name, CircleMessage.created_at, CircleMessage.body)
            .join(Circle, Circle.id == CircleMessage.circle_id)
            .where(CircleMessage.author_id == uid)
            .order_by(CircleMessage.created_at, CircleMessage.id)
        )
    ]
    data["progress"] = [
        {"course": slug, "module": key, "completed_at": _plain(when)}
        for slug, key, when in db.session.execute(
            select(Course.slug, Module.key, ModuleProgress.completed_at)
            .join(Module, Module.id == ModuleProgress.module_id)
            .join(Course, Course.id == Module.course_id)
            .where(ModuleProgress.user_id == uid)
            .order_by(ModuleProgress.completed_at, ModuleProgress.id)
        )
    ]
    data["maintains"] = list(
        db.session.scalars(
            select(Course.slug)
            .join(CourseMaintainer, CourseMaintainer.course_id == Course.id)
            .where(CourseMaintainer.user_id == uid)
            .order_by(Course.slug)
        )
    )
    data["translates"] = list(
        db.session.scalars(
            select(Translator.locale).where(Translator.user_id == uid).order_by(Translator.locale)
        )
    )
    data["badges"] = [
        {
            "badge": key,
            "course": slug,
            "public_id": public_id,
            "issued_at": _plain(issued),
            "revoked_at": _plain(revoked),
            "revocation_reason": reason,
        }
        for key, slug, public_id, issued, revoked, reason in db.session.execute(
            select(BadgeClass.key, Course.slug, Assertion.public_id, Assertion.issued_at,
                   Assertion.revoked_at, Assertion.revocation_reason)
            .join(BadgeClass, BadgeClass.id == Assertion.badge_class_id)
            .outerjoin(Course, Course.id == BadgeClass.course_id)
            .where(Assertion.user_id == uid)
            .order_by(Assertion.issued_at, Assertion.id)
        )
    ]  # fmt: skip
    data["build_logs"] = _build_logs(uid, photos)
    data["reviews_given"] = _reviews_given(uid)
    data["reviews_received"] = _reviews_received(uid)
    data.update(_writing(uid))
    data["notifications"] = [
        {
            "kind": n.kind,
            "params": json.loads(n.params or "{}"),
            "url": n.url,
            "created_at": _plain(n.created_at),
            "read_at": _plain(n.read_at),
            "emailed_at": _plain(n.sent_at),
        }
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == uid).order_by(Notification.id)
        )
    ]
    choices = preferences_of(uid)
    data["notification_settings"] = {
        "email": choices.email_mode.value,
        "turned_off": {kind: channel.value for kind, channel in sorted(choices.off.items())},
    }
    return data, photos


def _where(assignment: Assignment) -> dict[str, str]:
    return {"course": assignment.course.slug, "assignment": assignment.slug}


def _build_logs(uid: int, photos: dict[str, bytes]) -> list[dict[str, Any]]:
    logs = db.session.scalars(
        select(BuildLog)
        .where(BuildLog.user_id == uid)
        .order_by(BuildLog.id)
        .options(
            selectinload(BuildLog.assignment).selectinload(Assignment.course),
            selectinload(BuildLog.entries).selectinload(BuildLogEntry.photos)
            .selectinload(EntryPhoto.blob).undefer(PhotoBlob.display),  # the export holds them
            selectinload(BuildLog.entries).selectinload(BuildLogEntry.measurements),
            selectinload(BuildLog.submissions),
        )
    ).all()  # fmt: skip
    result = []
    for log in logs:
        entries = []
        for entry in log.entries:
            for photo in entry.photos:
                photos[_photo_name(photo.blob)] = photo.blob.display
            entries.append(
                {
                    "date": _plain(entry.entry_date),
                    "text": entry.text,
                    "photos": [
                        {"file": _photo_name(p.blob), "caption": p.caption} for p in entry.photos
                    ],
                    "measurements": [
                        {"name": m.name, "value": _plain(m.value), "unit": m.unit}
                        for m in entry.measurements
                    ],
                }
            )
        result.append(
            {
                **_where(log.assignment),
                "title": log.title,
                "summary": log.summary,
                "started_at": _plain(log.created_at),
                "updated_at": _plain(log.updated_at),
                "entries": entries,
                "submissions": [
                    {
                        "version": s.version,
                        "submitted_at": _plain(s.created_at),
                        "snapshot": json.loads(s.snapshot),
                    }
                    for s in log.submissions
                ],
            }
        )
    return result


def _review(review: Review) -> dict[str, Any]:
    return {
        **_where(review.assignment),
        "kind": review.kind,
        "state": review.state,
        "submitted_at": _plain(review.submitted_at),
        "overall_comment": review.overall_comment,
        "scores": [
            {"criterion": s.criterion, "points": s.points, "comment": s.comment}
            for s in review.scores
        ],
    }


_REVIEW_OPTIONS = (
    selectinload(Review.assignment).selectinload(Assignment.course),
    selectinload(Review.scores),
)


def _reviews_given(uid: int) -> list[dict[str, Any]]:
    """Their own words and scores; whose log it was is left out (it may be blind to them)."""
    reviews = db.session.scalars(
        select(Review)
        .where(Review.reviewer_id == uid)
        .order_by(Review.id)
        .options(*_REVIEW_OPTIONS)
    )
    return [_review(review) for review in reviews]


def _reviews_received(uid: int) -> list[dict[str, Any]]:
    """Submitted reviews of their build logs, numbered per log, never naming a reviewer."""
    reviews = db.session.scalars(
        select(Review)
        .join(BuildLog, BuildLog.id == Review.log_id)
        .where(
            BuildLog.user_id == uid,
            Review.kind.in_(_RECEIVED_KINDS),
            Review.state == "submitted",
        )
        .order_by(Review.log_id, Review.submitted_at, Review.id)
        .options(*_REVIEW_OPTIONS)
    ).all()
    ids = [review.id for review in reviews]
    feedback = {
        f.review_id: f
        for f in db.session.scalars(select(ReviewFeedback).where(ReviewFeedback.review_id.in_(ids)))
    }
    flags = {
        f.review_id: f
        for f in db.session.scalars(select(ReviewFlag).where(ReviewFlag.review_id.in_(ids)))
    }
    number: dict[int, int] = defaultdict(int)
    result = []
    for review in reviews:
        number[review.log_id] += 1
        item = _review(review)
        item["reviewer"] = f"Reviewer {number[review.log_id]}"
        item["discarded"] = review.discarded_at is not None
        if review.id in feedback:
            item["your_helpfulness_rating"] = {
                "rating": feedback[review.id].rating,
                "comment": feedback[review.id].comment,
            }
        if review.id in flags:
            item["your_report"] = {
                "reason": flags[review.id].reason,
                "resolution": flags[review.id].resolution,
            }
        result.append(item)
    return result


def _writing(uid: int) -> dict[str, Any]:
    """What they wrote for the commons: proposals, comments, discussion posts, revisions,
    translations."""
    proposals = db.session.scalars(
        select(ChangeProposal)
        .where(ChangeProposal.author_id == uid)
        .order_by(ChangeProposal.id)
        .options(
            selectinload(ChangeProposal.source_course),
            selectinload(ChangeProposal.target_course),
        )
    )
    comments = db.session.execute(
        select(ProposalComment.body, ProposalComment.created_at, ChangeProposal.title)
        .join(ChangeProposal, ChangeProposal.id == ProposalComment.proposal_id)
        .where(ProposalComment.author_id == uid)
        .order_by(ProposalComment.id)
    )
    posts = db.session.execute(
        select(Post.body, Post.created_at, Post.edited_at, Thread.title)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == uid, Post.deleted_at.is_(None))
        .order_by(Post.id)
    )
    module_revisions = db.session.execute(
        select(Course.slug, Module.key, ModuleRevision.title, ModuleRevision.kind,
               ModuleRevision.summary, ModuleRevision.created_at)
        .join(Module, Module.id == ModuleRevision.module_id)
        .join(Course, Course.id == Module.course_id)
        .where(ModuleRevision.author_id == uid)
        .order_by(ModuleRevision.id)
    )  # fmt: skip
    assignment_revisions = db.session.execute(
        select(Course.slug, Assignment.key, AssignmentRevision.kind, AssignmentRevision.summary,
               AssignmentRevision.created_at)
        .join(Assignment, Assignment.id == AssignmentRevision.assignment_id)
        .join(Course, Course.id == Assignment.course_id)
        .where(AssignmentRevision.author_id == uid)
        .order_by(AssignmentRevision.id)
    )  # fmt: skip
    suggestions = db.session.scalars(
        select(TranslationSuggestion)
        .where(TranslationSuggestion.author_id == uid)
        .order_by(TranslationSuggestion.id)
    )
    return {
        "proposals": [
            {
                "title": p.title,
                "description": p.description,
                "from_course": p.source_course.slug,
                "to_course": p.target_course.slug,
                "status": p.status,
                "created_at": _plain(p.created_at),
                "decision_reason": p.decision_reason,
            }
            for p in proposals
        ],
        "comments": [
            {"proposal": title, "body": body, "created_at": _plain(when)}
            for body, when, title in comments
        ],
        "discussion_posts": [
            {"thread": title, "body": body, "created_at": _plain(when), "edited_at": _plain(edited)}
            for body, when, edited, title in posts
        ],
        "module_revisions": [
            {
                "course": slug,
                "module": key,
                "title": title,
                "kind": kind,
                "summary": summary,
                "created_at": _plain(when),
            }
            for slug, key, title, kind, summary, when in module_revisions
        ],
        "assignment_revisions": [
            {
                "course": slug,
                "assignment": key,
                "kind": kind,
                "summary": summary,
                "created_at": _plain(when),
            }
            for slug, key, kind, summary, when in assignment_revisions
        ],
        "translation_suggestions": [
            {
                "language": s.locale,
                "message": s.msgid,
                "text": list(s.forms),
                "status": s.status,
                "created_at": _plain(s.created_at),
            }
            for s in suggestions
        ],
    }


def export_zip(user: User) -> bytes:
    """The zip a person downloads: the JSON file and their photos."""
    data, photos = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2))
        for name in sorted(photos):
            # Photos are already compressed; storing them saves the server's time.
            archive.writestr(name, photos[name], compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()
