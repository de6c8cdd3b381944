"""Forms of the build-log editor, and the translated messages for refused photos and values.

The pure modules (photos, measurements) report problems as short codes; this is where a
code becomes a sentence in the learner's language that says what to do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from peerlearn.assignments.buildlogs import MAX_PHOTOS_PER_ENTRY, RefusalCode
from peerlearn.assignments.measurements import Measurement, MeasurementError, parse_measurement
from peerlearn.assignments.models import BuildLog
from peerlearn.assignments.photos import PhotoErrorCode
from peerlearn.i18n import _, _l

PHOTO_MESSAGES: dict[PhotoErrorCode, LazyString] = {
    "too_large": _l("The photo is larger than 10 MB. Send a smaller photo, or resize it."),
    "not_an_image": _l("This file is not a JPEG, PNG or WebP photo. Choose a photo file."),
    "truncated": _l("The photo arrived incomplete or damaged. Please send it again."),
    "too_many_pixels": _l(
        "The photo has too many pixels (more than 32 megapixels). Take it at your camera's "
        "normal size, or make it smaller, and try again."
    ),
    "unreadable": _l("The photo could not be read; its data is damaged. Try another photo."),
}
#: HTTP status for each refusal: "too large" is 413, the rest are well-formed but refused.
PHOTO_STATUS: dict[PhotoErrorCode, int] = {
    "too_large": 413,
    "not_an_image": 422,
    "truncated": 422,
    "too_many_pixels": 422,
    "unreadable": 422,
}
MEASUREMENT_MESSAGES: dict[str, LazyString] = {
    "empty": _l("Fill this in."),
    "not_a_number": _l("Enter a number, written as in your language (for example 0,8 or 0.8)."),
    "out_of_range": _l("This number is too big or has too many decimal places."),
    "too_long": _l("This is too long."),
    "invalid_character": _l("Remove the invisible control characters."),
}
CAPTION_REQUIRED = _l(
    "Describe the photo in a few words: the caption is read to people who cannot see it."
)


#: A hint for the file picker only; the server checks the bytes themselves.
_ACCEPT = {"accept": "image/jpeg,image/png,image/webp"}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LogForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give your build log a title.")),
            Length(max=200, message=_l("Use at most %(max)d characters.")),
        ],
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=[_strip],
        validators=[Length(max=5000, message=_l("Use at most %(max)d characters."))],
        description=_l("What you built and what you learned, in a few sentences."),
    )


class EntryForm(FlaskForm):
    """A dated entry; when adding one, an optional first photo may come with it."""

    entry_date = DateField(
        _l("Date"), validators=[DataRequired(_l("Enter the date of this work."))]
    )
    text = TextAreaField(
        _l("What you did"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Write what you did.")),
            Length(max=20000, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("Markdown: **bold**, lists with -, links."),
    )
    photo = FileField(_l("Photo (optional)"), validators=[Optional()], render_kw=_ACCEPT)
    caption = StringField(
        _l("Caption"),
        filters=[_strip],
        validators=[Length(max=300, message=_l("Use at most %(max)d characters."))],
    )

    def validate_caption(self, field: StringField) -> None:
        if self.photo.data and not field.data:
            raise ValidationError(str(CAPTION_REQUIRED))


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo"),
        validators=[FileRequired(_l("Choose a photo to upload."))],
        render_kw=_ACCEPT,
    )
    caption = StringField(
        _l("Caption"),
        filters=[_strip],
        validators=[
            DataRequired(CAPTION_REQUIRED),
            Length(max=300, message=_l("Use at most %(max)d characters.")),
        ],
    )


class MeasurementForm(FlaskForm):
    name = StringField(_l("Measurement"), filters=[_strip])
    value = StringField(_l("Value"), filters=[_strip])
    unit = StringField(_l("Unit"), filters=[_strip])

    def measurement(self, locale: str) -> Measurement | None:
        """The parsed measurement, or None with the error put on the field to fix."""
        try:
            return parse_measurement(
                self.name.data or "", self.value.data or "", self.unit.data or "", locale
            )
        except MeasurementError as error:
            field = getattr(self, error.field)
            field.errors = [*field.errors, str(MEASUREMENT_MESSAGES[error.code])]
            return None


def refusal_message(code: RefusalCode) -> str:
    """What to tell a learner whose change the build-log rules refused (a 409 page)."""
    if code == "too_many_photos":
        return _(
            "An entry holds at most %(n)s photos. Remove one to add another.",
            n=MAX_PHOTOS_PER_ENTRY,
        )
    return str(
        {
            "no_title": _l("Give your build log a title before you submit it."),
            "no_entries": _l("Add at least one entry before you submit your build log."),
            "closed": _l("Submissions for this assignment are closed: the deadline has passed."),
            "already_started": _l("You have already started a build log for this assignment."),
        }[code]
    )


def editor_forms(log: BuildLog, today: date, active: dict[str, Any]) -> dict[str, Any]:
    """Every form of the editor page, filled from the log; ``active`` holds the one form
    just sent back with its errors (``log_form``, ``new_entry``, or ``entry_forms`` keyed by
    ``(kind, entry_id)``), so the learner keeps what they typed. The others get no formdata,
    so a failed post on one entry never spills into the forms of another."""
    entry_forms: dict[int, dict[str, Any]] = {}
    for entry in log.entries:
        entry_forms[entry.id] = {
            "edit": EntryForm(
                formdata=None,
                prefix=f"e{entry.id}",
                data={"entry_date": entry.entry_date, "text": entry.text},
            ),
            "photo": PhotoForm(formdata=None, prefix=f"p{entry.id}"),
            "measure": MeasurementForm(formdata=None, prefix=f"m{entry.id}"),
        }
    for (kind, entry_id), form in active.get("entry_forms", {}).items():
        entry_forms[entry_id][kind] = form
    return {
        "log_form": active.get("log_form") or LogForm(formdata=None, obj=log),
        "new_entry": active.get("new_entry")
        or EntryForm(formdata=None, prefix="new", data={"entry_date": today}),
        "entry_forms": entry_forms,
    }
