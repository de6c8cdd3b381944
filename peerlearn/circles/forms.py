"""The form a facilitator fills to start (or change) a circle."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from peerlearn.accounts.forms import language_choices, timezone_choices
from peerlearn.circles.services import MAX_CAPACITY, CircleDetails
from peerlearn.i18n import _l

MIN_CAPACITY = 2


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def weekday_choices() -> list[tuple[str, str]]:
    """Monday to Sunday in the reader's language (Babel's names), after "none"."""
    names = (get_locale() or _english()).days["format"]["wide"]
    return [("", str(_l("No regular meeting")))] + [
        (str(day), str(names[day]).capitalize()) for day in range(7)
    ]


def _english() -> Locale:
    return Locale.parse("en")


class CircleForm(FlaskForm):
    name = StringField(
        _l("Name of the circle"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the circle a name.")),
            Length(max=120, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("For example the place and the season: “Sorata library, spring”."),
    )
    language = SelectField(_l("Language the circle meets in"))
    starts_on = DateField(
        _l("First day"), validators=[DataRequired(_l("Enter the day the circle starts."))]
    )
    ends_on = DateField(
        _l("Last day (optional)"),
        validators=[Optional()],
        description=_l("After it the circle is finished; its page stays readable."),
    )
    meeting_place = StringField(
        _l("Where you meet"),
        filters=[_strip],
        validators=[Length(max=300, message=_l("Use at most %(max)d characters."))],
        description=_l("A place or a channel: “village hall”, “our WhatsApp group”."),
    )
    meeting_weekday = SelectField(_l("Meeting day each week"))
    meeting_time = TimeField(_l("Meeting time"), validators=[Optional()])
    timezone = SelectField(_l("Time zone of the meetings and deadlines"))
    capacity = IntegerField(
        _l("Seats"),
        default=12,
        validators=[
            DataRequired(_l("Enter how many people can join.")),
            NumberRange(MIN_CAPACITY, MAX_CAPACITY, _l("Between %(min)s and %(max)s people.")),
        ],
    )
    access = RadioField(
        _l("Who may join"),
        choices=[
            ("open", _l("Anyone signed in")),
            ("invitation", _l("Only people with the invitation link")),
        ],
        default="open",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.meeting_weekday.choices = weekday_choices()
        self.timezone.choices = timezone_choices()

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(str(_l("The last day comes after the first.")))

    def details(self) -> CircleDetails:
        weekday = self.meeting_weekday.data
        return CircleDetails(
            name=self.name.data or "",
            language=self.language.data,
            starts_on=self.starts_on.data or date.today(),
            meeting_place=self.meeting_place.data or "",
            meeting_weekday=int(weekday) if weekday not in (None, "") else None,
            meeting_time=self.meeting_time.data,
            timezone=self.timezone.data,
            capacity=self.capacity.data or 12,
            open=self.access.data != "invitation",
            ends_on=self.ends_on.data,
        )


class ConfirmForm(FlaskForm):
    """A button that changes something (join, leave, a new code): the CSRF token only."""
