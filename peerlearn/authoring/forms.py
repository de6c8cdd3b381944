"""Forms for creating and changing courses and modules.

Validation that needs no database lives here (shapes, lengths, allowed values); whether a
slug or username is free is the services' job, so that a race between check and insert
is answered by the same code that inserts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from peerlearn.bundles.format import MAX_TITLE, SLUG_PATTERN, TAG_PATTERN
from peerlearn.i18n import _, _l, language_name
from peerlearn.licences import DEFAULT_LICENCE, LICENCES

#: Course languages offered when creating a course: the languages of the communities the
#: platform is built for. An imported course may carry another; its settings keep it.
COURSE_LANGUAGES = ("en", "es", "fr", "rw", "sw", "qu", "pt")
#: Slugs that would collide with fixed URLs under /courses/.
RESERVED_SLUGS = frozenset({"new"})
MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_BODY = 200_000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _unix_newlines(value: Any) -> Any:
    """Browsers send textarea text with CRLF; stored text uses LF so that diffs and
    three-way merges compare lines, not line endings."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, lowercased, stripped, blanks and repeats dropped."""
    seen: list[str] = []
    for part in text.split(","):
        tag = part.strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def language_choices(current: str | None = None) -> list[tuple[str, str]]:
    codes = list(COURSE_LANGUAGES)
    if current and current not in codes:
        codes.append(current)
    return [(code, language_name(code)) for code in codes]


def licence_choices(allowed: Iterable[str]) -> list[tuple[str, str]]:
    return [(spdx, f"{spdx} — {LICENCES[spdx].name}") for spdx in allowed if spdx in LICENCES]


def _slug_validators() -> list[Any]:
    return [
        Length(max=80, message=_l("A slug has at most 80 characters.")),
        Regexp(
            SLUG_PATTERN,
            message=_l("Use lowercase letters a-z, digits and single hyphens, like solar-basics."),
        ),
    ]


def _title_validators() -> list[Any]:
    return [
        DataRequired(_l("Give it a title.")),
        Length(max=MAX_TITLE, message=_l("A title has at most %(max)d characters.")),
    ]


class CourseSettingsForm(FlaskForm):
    """Title, summary, language, tags and licence: what a course says about itself."""

    title = StringField(_l("Title"), filters=[_strip], validators=_title_validators())
    summary = TextAreaField(
        _l("Summary"),
        filters=[_strip, _unix_newlines],
        validators=[
            DataRequired(_l("Say in a sentence or two what learners will build.")),
            Length(max=2000, message=_l("A summary has at most %(max)d characters.")),
        ],
    )
    language = SelectField(_l("Course language"))
    tags = StringField(
        _l("Topics"),
        filters=[_strip],
        description=_l("Separate topics with commas, for example: biogas, cooking, energy."),
    )
    licence = SelectField(
        _l("Licence"),
        default=DEFAULT_LICENCE,
        description=_l("Others may copy and adapt the course under this licence."),
    )
    #: ``editing.settings_version`` when the form was loaded, so a stale save is refused.
    base_version = HiddenField()

    def __init__(
        self,
        *args: Any,
        allowed_licences: Iterable[str] = tuple(LICENCES),
        current_language: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(current_language)
        self.licence.choices = licence_choices(allowed_licences)

    @property
    def tag_list(self) -> list[str]:
        return parse_tags(self.tags.data or "")

    def validate_tags(self, field: StringField) -> None:
        tags = self.tag_list
        if len(tags) > MAX_TAGS:
            raise ValidationError(_("Use at most %(max)d topics.", max=MAX_TAGS))
        for tag in tags:
            if len(tag) > MAX_TAG_LENGTH or not TAG_PATTERN.match(tag):
                raise ValidationError(
                    _(
                        "“%(tag)s” is not a valid topic: use letters and digits, joined by "
                        "single hyphens, up to %(max)d characters.",
                        tag=tag,
                        max=MAX_TAG_LENGTH,
                    )
                )


class NewCourseForm(CourseSettingsForm):
    base_version = None  # a new course has no settings to be stale against
    slug = StringField(
        _l("Web address"),
        filters=[_strip, _lower],
        validators=[DataRequired(_l("Choose a web address for the course.")), *_slug_validators()],
        description=_l("Part of the course's link: lowercase letters, digits and hyphens."),
    )

    def validate_slug(self, field: StringField) -> None:
        if field.data in RESERVED_SLUGS:
            raise ValidationError(_("This address is reserved. Please choose another."))


class MaintainerForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[_strip, _lower],
        validators=[
            DataRequired(_l("Enter the username of the person to add.")),
            Length(max=40, message=_l("A username has at most 40 characters.")),
        ],
    )


class ModuleForm(FlaskForm):
    """A module's title and text, as both the new-module and the edit page ask for them."""

    title = StringField(_l("Title"), filters=[_strip], validators=_title_validators())
    body = TextAreaField(
        _l("Text"),
        filters=[_unix_newlines],
        validators=[Length(max=MAX_BODY, message=_l("The text is too long."))],
        description=_l("Markdown: ## for headings, - for lists, ![photo](media/name.jpg)."),
    )
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class NewModuleForm(ModuleForm):
    slug = StringField(
        _l("Web address"),
        filters=[_strip, _lower],
        validators=[Optional(), *_slug_validators()],
        description=_l("Leave empty to make one from the title."),
    )


class EditModuleForm(ModuleForm):
    summary = StringField(
        _l("Edit summary"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("A summary has at most %(max)d characters."))],
        description=_l("Briefly say what you changed and why."),
    )
    #: The revision the text was loaded from, so a stale save is merged, not lost.
    base_revision_id = HiddenField()
