"""Forms for forking a course and for resolving a sync from upstream.

The licence and language choices are set per parent course, so the select only offers
what the parent's licence allows, and WTForms refuses anything else the browser sends.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from peerlearn.content.models import Course
from peerlearn.db import as_id
from peerlearn.i18n import _, _l, language_name
from peerlearn.licences import LICENCES, fork_licences

#: Languages a course may be translated into: those of the communities the platform
#: serves first, then widely used ones. Codes are BCP 47 / ISO 639-1 or -3.
COURSE_LANGUAGES = (
    "en", "es", "fr", "pt", "rw", "sw", "qu", "ay", "gn", "ln", "lg", "am", "ha", "yo",
    "ig", "zu", "xh", "so", "mg", "ny", "ar", "hi", "bn", "ur", "id", "tl", "ne", "de",
)  # fmt: skip


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class ForkForm(FlaskForm):
    """Fork ``parent``: a new address and title, a compatible licence, maybe a language."""

    slug = StringField(
        _l("Address"),
        filters=[_strip, _lower],
        validators=[
            DataRequired(_l("Choose an address for your copy.")),
            Length(3, 80, _l("An address has 3 to 80 characters.")),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use only letters a-z, digits and single hyphens between them."),
            ),
        ],
        description=_l("Part of the web address of your copy: letters a-z, digits, hyphens."),
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give your copy a title.")),
            Length(max=200, message=_l("A title has at most 200 characters.")),
        ],
    )
    licence = SelectField(
        _l("Licence"),
        description=_l("Only licences that the original's licence allows are offered."),
    )
    as_translation = BooleanField(_l("This copy is a translation"))
    language = SelectField(
        _l("Language of the translation"),
        description=_l("Only used for a translation; it must differ from the original's."),
        validate_choice=False,  # checked in validate_language, only for a translation
    )

    def __init__(self, parent: Course, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.licence.choices = [
            (spdx, LICENCES[spdx].name if spdx in LICENCES else spdx)
            for spdx in fork_licences(parent.licence)
        ]
        codes = [c for c in COURSE_LANGUAGES if c != parent.language]
        self.language.choices = sorted(
            ((code, language_name(code)) for code in codes), key=lambda item: item[1].casefold()
        )

    def validate_licence(self, field: SelectField) -> None:
        # The select already refuses unknown values; this says *why* in the user's terms.
        if field.data not in fork_licences(self.parent.licence):
            raise ValidationError(_("The original's licence does not allow this licence."))

    def validate_language(self, field: SelectField) -> None:
        if not self.as_translation.data:
            return
        if field.data == self.parent.language:
            raise ValidationError(_("A translation must be in another language."))
        if field.data not in {code for code, _name in field.choices or []}:
            raise ValidationError(_("Choose the language of the translation from the list."))


class SyncForm(FlaskForm):
    """The sync page's form: CSRF, the preview token and the per-module fields.

    Conflicted modules have ``title-<id>`` and ``body-<id>`` fields and upstream additions
    are ``add`` checkboxes; their names depend on the plan, so they are read with
    :func:`resolutions_from`.
    """

    token = HiddenField()


def resolutions_from(
    data: MultiDict[str, str], module_ids: list[int]
) -> dict[int, tuple[str, str]]:
    """The (title, body) a maintainer settled on for each conflicted module.

    Browsers send textarea line endings as CRLF; module text is stored with LF. A module
    whose fields are missing is left out (the service then keeps the merged text).
    """
    out: dict[int, tuple[str, str]] = {}
    for module_id in module_ids:
        title = (data.get(f"title-{module_id}") or "").strip()[:200]
        body = data.get(f"body-{module_id}")
        if body is None or not title:
            continue
        out[module_id] = (title, body.replace("\r\n", "\n"))
    return out


def chosen_ids(data: MultiDict[str, str], name: str = "add") -> set[int]:
    """Integer ids ticked in a group of checkboxes; anything else is ignored."""
    return {number for v in data.getlist(name) if (number := as_id(v)) is not None}
