"""Forms for writing assignments in the browser, and the rubric a new one starts from.

The assignment itself is its YAML file, exactly as in a course bundle, so a maintainer
who edits in the browser and one who edits a checkout write the same thing; the forms
only carry that text, the module it belongs to and the revision it was edited from.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from peerlearn.bundles.assignment_spec import AssignmentSpec, Criterion, Level
from peerlearn.bundles.assignment_writer import dump_assignment
from peerlearn.bundles.format import MAX_SLUG, SLUG_PATTERN
from peerlearn.content.models import Module
from peerlearn.i18n import _, _l

#: Slugs that would collide with fixed URLs under /courses/<slug>/assignments/.
RESERVED_SLUGS = frozenset({"new"})
#: Far above any real assignment (a 20,000-character prompt and a full rubric), low enough
#: that a pasted mistake is refused before it is parsed.
MAX_TEXT = 200_000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _unix_newlines(value: Any) -> Any:
    """Browsers send CRLF; stored text uses LF, like a bundle file after import, so that
    diffs and three-way merges compare lines, not line endings."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class AssignmentTextForm(FlaskForm):
    """The assignment file, with Preview (shows it, saves nothing) and Save."""

    text = TextAreaField(
        _l("Assignment file"),
        filters=[_unix_newlines],
        validators=[
            DataRequired(_l("The assignment file is empty.")),
            Length(max=MAX_TEXT, message=_l("The assignment file is too long.")),
        ],
        description=_l(
            "YAML, as in assignments/<slug>.yml of a course bundle: the prompt in Markdown, "
            "the rubric, review settings and deadlines with a UTC offset."
        ),
    )
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class NewAssignmentForm(AssignmentTextForm):
    module = SelectField(_l("Module"), description=_l("Learners do the assignment in this module."))
    slug = StringField(
        _l("Web address"),
        filters=[_strip, _lower],
        validators=[
            DataRequired(_l("Choose a web address for the assignment.")),
            Length(max=MAX_SLUG, message=_l("A slug has at most 80 characters.")),
            Regexp(
                SLUG_PATTERN,
                message=_l("Use lowercase letters a-z, digits and single hyphens, like gas-test."),
            ),
        ],
        description=_l("Also the file name in the course bundle: assignments/<slug>.yml."),
    )
    #: The module the text's ``module:`` line was last written for, so the view can tell
    #: a change of the menu (the line follows it) from a hand edit of the line that
    #: disagrees with the menu (a form error, never a silent override).
    written_for = HiddenField()

    def __init__(self, *args: Any, modules: list[Module], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.module.choices = [(module.key, module.title) for module in modules]

    def validate_slug(self, field: StringField) -> None:
        if field.data in RESERVED_SLUGS:
            raise ValidationError(_("This address is reserved. Please choose another."))


class EditAssignmentForm(AssignmentTextForm):
    summary = StringField(
        _l("Edit summary"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("A summary has at most %(max)d characters."))],
        description=_l("Briefly say what you changed and why."),
    )
    #: The revision the text was loaded from, so a stale save is merged, not lost.
    base_revision_id = HiddenField()


class AssignmentFieldsForm(FlaskForm):
    """The structured editor's fixed part: CSRF, the base revision and the edit summary.

    Its other inputs (settings, criteria, levels) vary in number, so the view reads them
    with ``spec_form.draft_from_form`` and the assignment reader checks them.
    """

    summary = EditAssignmentForm.summary
    base_revision_id = HiddenField()


def template_text(module: Module) -> str:
    """A complete, valid assignment for ``module`` to start from, in canonical form.

    A working rubric teaches the format better than a blank page: the author changes the
    words and keeps the shape. The id is a fresh UUID, as the format recommends.
    """
    spec = AssignmentSpec(
        id=str(uuid.uuid4()),
        slug="new",
        title=_("Build log: %(module)s", module=module.title[:150]),
        module=module.key,
        prompt=_(
            "Do the practical work of this module and document it in your build log:\n\n"
            "1. What you built, with dated entries.\n"
            "2. Photos of each step.\n"
            "3. Your measurements, with units.\n"
        ),
        rubric=(
            Criterion(
                id="work",
                title=_("Quality of the work"),
                description=_("Is the work done as the module describes, and safely?"),
                levels=(
                    Level(0, _("Not shown"), _("The log does not show the work.")),
                    Level(1, _("Partly"), _("Some steps are done or shown.")),
                    Level(2, _("Complete"), _("Every step is done and shown in photos.")),
                ),
            ),
            Criterion(
                id="documentation",
                title=_("Documentation"),
                description=_("Could another learner repeat the work from the log alone?"),
                levels=(
                    Level(0, _("Hard to follow"), _("Entries are undated or unclear.")),
                    Level(1, _("Clear"), _("Dated entries, captioned photos and measurements.")),
                ),
            ),
        ),
    )
    return dump_assignment(spec)


def replace_text(field: Any, value: str) -> None:
    """Show ``value`` in a form field instead of what was submitted."""
    field.data = value
    field.raw_data = [value]
