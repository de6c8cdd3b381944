"""Issuing badges when something happens below: the lower packages send signals, and
these receivers run the idempotent checks in the same transaction.

An award is a side effect of someone else's action (marking a module done, rating a
review): a failure here is logged and rolled back to its savepoint, and never turns that
action into an error page. The backfill command (``peerlearn badges award-all``) catches
up on anything missed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from peerlearn.accounts.models import User
from peerlearn.assignments.models import BuildLog
from peerlearn.authoring.proposal_decisions import proposal_accepted
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.catalog.services import module_completed
from peerlearn.content.models import Module, ModuleRevision
from peerlearn.extensions import db
from peerlearn.recognition import awarding
from peerlearn.review.models import Review
from peerlearn.review.signals import grade_overridden, review_rated, review_submitted


def _safely(check: Callable[[], Any]) -> None:
    try:
        with db.session.begin_nested():
            check()
    except SQLAlchemyError:
        current_app.logger.exception("badge check failed; the backfill will retry it")


def _on_module_completed(module: Module, user: User, **_extra: Any) -> None:
    _safely(lambda: awarding.check_course(user, module.course))


def _on_log_graded(log: BuildLog) -> None:
    _safely(lambda: awarding.check_course(log.user, log.assignment.course))


def _on_review_submitted(review: Review, **_extra: Any) -> None:
    _on_log_graded(review.log)


def _on_grade_overridden(log: BuildLog, **_extra: Any) -> None:
    _on_log_graded(log)


def _on_review_rated(review: Review, **_extra: Any) -> None:
    reviewer = review.reviewer
    if reviewer is not None:
        _safely(lambda: awarding.check_reviewer(reviewer))


def _on_proposal_accepted(
    proposal: ChangeProposal, revisions: list[Any] | None = None, **_extra: Any
) -> None:
    people = {proposal.author} if proposal.author is not None else set()
    for revision in revisions or ():
        if isinstance(revision, ModuleRevision) and revision.author is not None:
            people.add(revision.author)
    for person in sorted(people, key=lambda one: one.id):
        _safely(lambda person=person: awarding.check_contributor(person))  # type: ignore[misc]


def connect() -> None:
    """Connect every receiver (idempotent: blinker keeps one connection per receiver)."""
    module_completed.connect(_on_module_completed)
    review_submitted.connect(_on_review_submitted)
    grade_overridden.connect(_on_grade_overridden)
    review_rated.connect(_on_review_rated)
    proposal_accepted.connect(_on_proposal_accepted)
