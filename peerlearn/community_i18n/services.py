"""Naming translators, suggesting, approving and rejecting translations.

Services take the acting user, check what the data must satisfy (placeholders kept, no
markup, a form for every plural form, no approving twice) and flush; the view checks
permission and commits. Approving moves the language's override pointer and changes its
version in the same transaction, so every app instance sees the new text from its next
request on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ScalarSelect, Update, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.community_i18n import markup, placeholders
from peerlearn.community_i18n.catalog import Entry
from peerlearn.community_i18n.models import (
    SuggestionStatus,
    TranslationOverride,
    TranslationSuggestion,
    TranslationVersion,
    Translator,
    encode_forms,
)
from peerlearn.db import rowcount, utcnow
from peerlearn.extensions import db

#: How many earlier suggestions a message page shows.
HISTORY_SHOWN = 50
#: The longest text one form may have (the longest interface message is far shorter).
MAX_FORM_LENGTH = 5000


@dataclass(frozen=True)
class FormProblem:
    """What is wrong with one form of a submitted text."""

    #: Which form (0 for a simple message; the plural form's index otherwise).
    index: int
    #: "empty", "too_long", "markup" (``tokens``: the tags or references found), or a
    #: ``placeholders.Problem`` value.
    code: str
    tokens: tuple[str, ...] = ()


@dataclass
class TranslationError(Exception):
    """A change refused; ``code`` says why, ``problems`` which form and what to fix.

    Codes: unknown_user, already_translator, form_count, invalid (see ``problems``),
    unchanged, not_pending, markup (a suggestion sent before markup was refused).
    """

    code: str
    problems: list[FormProblem] = field(default_factory=list)


# --- Translators ------------------------------------------------------------------------


def locales_subquery(user_id: Any) -> ScalarSelect[Any]:
    """The languages the user whose id is ``user_id`` (a column) translates, comma
    separated: read with the signed-in user (``accounts.sessions.USER_FACTS``), for the
    permission checks (``peerlearn.permissions.Actor.translator_locales``)."""
    return (
        select(func.aggregate_strings(Translator.locale, ","))
        .where(Translator.user_id == user_id)
        .scalar_subquery()
    )


def translators() -> list[Translator]:
    """Everyone named translator, by language then username (users loaded with them)."""
    return list(
        db.session.scalars(
            select(Translator)
            .join(User, User.id == Translator.user_id)
            .options(selectinload(Translator.user), selectinload(Translator.granted_by))
            .order_by(Translator.locale, User.username)
        )
    )


def grant_translator(actor: User | None, username: str, locale: str) -> Translator:
    """Name ``username`` translator of ``locale`` (``actor`` None: from the command line).

    The caller makes sure ``locale`` is one of the site's languages.
    """
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or user.deleted_at is not None:  # a deleted account is no one
        raise TranslationError("unknown_user")
    exists = db.session.scalar(
        select(Translator.id).where(Translator.user_id == user.id, Translator.locale == locale)
    )
    if exists is not None:
        raise TranslationError("already_translator")
    translator = Translator(
        user_id=user.id, locale=locale, granted_by_id=actor.id if actor is not None else None
    )
    db.session.add(translator)
    db.session.flush()
    return translator


def revoke_translator(actor: User, translator: Translator) -> None:
    """Take the role away; what they approved stays approved, with their name on it."""
    db.session.delete(translator)
    db.session.flush()


def translator_locales(user: User) -> set[str]:
    return set(db.session.scalars(select(Translator.locale).where(Translator.user_id == user.id)))


# --- Suggestions ------------------------------------------------------------------------


def suggest(
    actor: User, locale: str, entry: Entry, forms: Sequence[str], current: Sequence[str]
) -> TranslationSuggestion:
    """Record ``actor``'s text for ``entry``, waiting for a translator's approval.

    ``current`` is the text in use (the override or the catalog's); suggesting exactly
    that is refused as "unchanged".
    """
    texts = checked_forms(entry, forms, current)
    suggestion = _new_suggestion(actor, locale, entry, texts)
    db.session.flush()
    return suggestion


def save_translation(
    actor: User, locale: str, entry: Entry, forms: Sequence[str], current: Sequence[str]
) -> TranslationSuggestion:
    """A translator's own text: recorded like a suggestion, approved at once and in use.

    The caller has checked that ``actor`` translates ``locale``.
    """
    texts = checked_forms(entry, forms, current)
    suggestion = _new_suggestion(actor, locale, entry, texts)
    suggestion.status = SuggestionStatus.APPROVED.value
    suggestion.reviewed_by_id = actor.id
    suggestion.reviewed_at = utcnow()
    db.session.flush()
    _make_current(suggestion)
    return suggestion


def approve(actor: User, suggestion: TranslationSuggestion) -> None:
    """Approve a pending suggestion: its text is in use from the next request on.

    A suggestion with markup (one recorded before such texts were refused) cannot be
    approved: pages would show its tags as text. It can still be rejected or edited."""
    if suggestion_markup(suggestion):
        raise TranslationError("markup")
    _review(actor, suggestion, SuggestionStatus.APPROVED)
    _make_current(suggestion)


def reject(actor: User, suggestion: TranslationSuggestion) -> None:
    """Decline a pending suggestion; it stays on the message's page as rejected."""
    _review(actor, suggestion, SuggestionStatus.REJECTED)


def checked_forms(entry: Entry, forms: Sequence[str], current: Sequence[str]) -> tuple[str, ...]:
    """The submitted forms, tidied (line ends, surrounding space), or TranslationError."""
    expected = len(entry.translation)
    if len(forms) != expected:
        raise TranslationError("form_count")
    texts = tuple(_tidy(entry, form) for form in forms)
    problems: list[FormProblem] = []
    for index, text in enumerate(texts):
        if not text:
            problems.append(FormProblem(index, "empty"))
        elif len(text) > MAX_FORM_LENGTH:
            problems.append(FormProblem(index, "too_long"))
        else:
            problems.extend(
                FormProblem(index, found.problem.value, found.tokens)
                for found in placeholders.check(entry.sources, text)
            )
            if tags := markup.check(entry.sources, text):
                problems.append(FormProblem(index, "markup", tags))
    if problems:
        raise TranslationError("invalid", problems)
    if texts == tuple(current):
        raise TranslationError("unchanged")
    return texts


def suggestion_markup(suggestion: TranslationSuggestion) -> tuple[str, ...]:
    """The markup in a suggestion's forms that its English message does not have."""
    sources = [suggestion.msgid]
    if suggestion.msgid_plural is not None:
        sources.append(suggestion.msgid_plural)
    found: dict[str, None] = {}
    for text in suggestion.forms:
        found.update(dict.fromkeys(markup.check(sources, text)))
    return tuple(found)


def _tidy(entry: Entry, text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Browsers add and people type stray spaces and newlines around a text; keep them
    # only where the English message itself has them.
    return text if entry.msgid != entry.msgid.strip() else text.strip()


def _new_suggestion(
    actor: User, locale: str, entry: Entry, texts: tuple[str, ...]
) -> TranslationSuggestion:
    suggestion = TranslationSuggestion(
        locale=locale,
        msg_key=entry.key,
        msgid=entry.msgid,
        msgid_plural=entry.msgid_plural,
        context=entry.context,
        text=encode_forms(texts),
        author_id=actor.id,
        status=SuggestionStatus.PENDING.value,
    )
    db.session.add(suggestion)
    return suggestion


def _review(actor: User, suggestion: TranslationSuggestion, status: SuggestionStatus) -> None:
    # Conditional, so that two translators deciding at the same moment cannot both do it.
    now = utcnow()
    result = db.session.execute(
        update(TranslationSuggestion)
        .where(
            TranslationSuggestion.id == suggestion.id,
            TranslationSuggestion.status == SuggestionStatus.PENDING.value,
        )
        .values(status=status.value, reviewed_by_id=actor.id, reviewed_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise TranslationError("not_pending")
    db.session.refresh(suggestion)


def _make_current(suggestion: TranslationSuggestion) -> None:
    """Point the message's override at ``suggestion`` and change the language's version."""
    now = utcnow()
    moved = db.session.execute(
        update(TranslationOverride)
        .where(
            TranslationOverride.locale == suggestion.locale,
            TranslationOverride.msg_key == suggestion.msg_key,
        )
        .values(suggestion_id=suggestion.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(moved) == 0:
        _insert_or_update(
            TranslationOverride(
                locale=suggestion.locale,
                msg_key=suggestion.msg_key,
                suggestion_id=suggestion.id,
                updated_at=now,
            ),
            update(TranslationOverride)
            .where(
                TranslationOverride.locale == suggestion.locale,
                TranslationOverride.msg_key == suggestion.msg_key,
            )
            .values(suggestion_id=suggestion.id, updated_at=now),
        )
    version = uuid.uuid4().hex
    bumped = db.session.execute(
        update(TranslationVersion)
        .where(TranslationVersion.locale == suggestion.locale)
        .values(version=version, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(bumped) == 0:
        _insert_or_update(
            TranslationVersion(locale=suggestion.locale, version=version, changed_at=now),
            update(TranslationVersion)
            .where(TranslationVersion.locale == suggestion.locale)
            .values(version=version, changed_at=now),
        )


def _insert_or_update(row: object, fallback: Update) -> None:
    """Insert ``row``; if another transaction inserted it first, run ``fallback``."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        db.session.execute(fallback)


# --- Reading ----------------------------------------------------------------------------


def pending_counts(locale: str) -> dict[str, int]:
    """How many suggestions wait for review, by message key (one query)."""
    rows = db.session.execute(
        select(TranslationSuggestion.msg_key, func.count())
        .where(
            TranslationSuggestion.locale == locale,
            TranslationSuggestion.status == SuggestionStatus.PENDING.value,
        )
        .group_by(TranslationSuggestion.msg_key)
    )
    return {key: int(count) for key, count in rows}


def message_suggestions(locale: str, key: str) -> list[TranslationSuggestion]:
    """A message's suggestions, newest first (authors and reviewers loaded with them)."""
    return list(
        db.session.scalars(
            select(TranslationSuggestion)
            .where(TranslationSuggestion.locale == locale, TranslationSuggestion.msg_key == key)
            .options(
                selectinload(TranslationSuggestion.author),
                selectinload(TranslationSuggestion.reviewed_by),
            )
            .order_by(TranslationSuggestion.id.desc())
            .limit(HISTORY_SHOWN)
        )
    )


def suggestion_in(locale: str, suggestion_id: int) -> TranslationSuggestion | None:
    suggestion = db.session.get(TranslationSuggestion, suggestion_id)
    if suggestion is None or suggestion.locale != locale:
        return None
    return suggestion
