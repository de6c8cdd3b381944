"""What a badge is called and what it asks for, in a given language.

The hosted JSON documents speak one language per badge class — the course's own language
when the interface has it, else the site's default — so that a badge class reads the same
to every verifier; the pages speak the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app

from peerlearn.i18n import _, ngettext
from peerlearn.recognition.models import BadgeClass, BadgeKind


@dataclass(frozen=True)
class BadgeText:
    name: str
    description: str
    criteria: str


def document_locale(badge: BadgeClass) -> str:
    """The language of the badge class's hosted JSON (see the module doc)."""
    languages = current_app.config["LANGUAGES"]
    if badge.course is not None and badge.course.language in languages:
        return str(badge.course.language)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def badge_text(badge: BadgeClass) -> BadgeText:
    """Name, description and criteria in the current locale (plain text, never HTML)."""
    if badge.kind == BadgeKind.HELPFUL_REVIEWER.value:
        return BadgeText(
            _("Helpful reviewer"),
            _("Wrote peer reviews that the learners who received them rated as helpful."),
            ngettext(
                "Write %(num)d peer review that its author rates 4 or 5 out of 5 for helpfulness.",
                "Write %(num)d peer reviews that their authors rate 4 or 5 out of 5 for "
                "helpfulness.",
                badge.threshold,
            ),
        )
    if badge.kind == BadgeKind.CONTRIBUTOR.value:
        return BadgeText(
            _("Contributor"),
            _(
                "Improved a course for everyone: changes they wrote were accepted into "
                "the course they were proposed to."
            ),
            ngettext(
                "Have %(num)d change accepted into the course it was proposed to.",
                "Have %(num)d changes accepted into the courses they were proposed to.",
                badge.threshold,
            ),
        )
    title = badge.course.title if badge.course is not None else ""
    percent = int((Decimal(badge.pass_share) * 100).to_integral_value())
    return BadgeText(
        _("Completed: %(course)s", course=title),
        _(
            "Did every module of the course %(course)s and passed its assignments.",
            course=title,
        ),
        _(
            "Mark every module of %(course)s as done, and pass each of its assignments "
            "with at least %(percent)s%% of the points, graded by peer review or a "
            "maintainer.",
            course=title,
            percent=percent,
        ),
    )
