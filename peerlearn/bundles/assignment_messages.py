"""The assignment reader's errors as sentences in the maintainer's language.

``assignment_reader`` is pure and speaks English, because the command line and bundle import show
its messages to operators as they are. Each of its errors also carries a stable ``code`` and
the ``params`` of its sentence; this module turns those into the sentence a maintainer reads
in the browser. Every sentence is the second half of a sentence such as "The assignment could
not be saved: …", so it starts in lowercase and names the field as written in the YAML
(``must_review``, ``rubric[2].levels[1].points``), which is not translated.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import LazyString, format_decimal

from peerlearn.bundles.format import BundleError
from peerlearn.i18n import _, _l

#: One sentence per code that the reader raises (``assignment_reader``, ``assignment_fields`` and
#: ``assignment_rubric``). A sentence that names a field has a ``%(field)s`` placeholder; the others
#: are about the whole text.
MESSAGES: dict[str, LazyString] = {
    "file_name": _l(
        "the file name must be the assignment's slug: lowercase letters, digits and single "
        "hyphens, at most %(max)s characters."
    ),
    # The problem is the YAML parser's own description, which is only in English.
    "yaml_at_line": _l("invalid YAML at line %(line)s: %(problem)s."),
    "yaml": _l("invalid YAML: %(problem)s."),
    "yaml_unreadable": _l("invalid YAML: the text cannot be parsed."),
    "yaml_too_long": _l("the text is longer than %(max)s characters."),
    "yaml_too_deep": _l(
        "the YAML is nested more than %(max)s levels deep (at line %(line)s); an assignment "
        "needs at most five levels."
    ),
    "yaml_too_many_values": _l(
        "the YAML holds more than %(max)s values (at line %(line)s), counting each alias "
        "(*name) as all the values it repeats."
    ),
    "yaml_alias_loop": _l(
        "the alias *%(alias)s at line %(line)s is inside the value it names, which would "
        "make a value that contains itself."
    ),
    "not_a_mapping": _l("the text must be a YAML mapping: one “field: value” per line."),
    "written_twice": _l("field '%(field)s': written twice (again at line %(line)s)."),
    "unknown_field": _l("field '%(field)s': there is no such field; the fields are %(allowed)s."),
    "required": _l("field '%(field)s': this field is required."),
    "text_needs_quotes": _l(
        "field '%(field)s': must be text. Put it in quotes (title: 'No'), because YAML reads "
        "yes, no, on, off, true, false, numbers and dates as something else."
    ),
    "empty_text": _l("field '%(field)s': must not be empty."),
    "too_long": _l("field '%(field)s': is longer than %(max)s characters."),
    "identifier": _l(
        "field '%(field)s': must be 1 to 64 letters, digits, '.', '_' or '-' (a UUID is best)."
    ),
    "whole_number": _l("field '%(field)s': must be a whole number from %(low)s to %(high)s."),
    "true_or_false": _l("field '%(field)s': must be true or false."),
    "one_of": _l("field '%(field)s': must be one of %(allowed)s."),
    "fewer_than_must_be_reviewed": _l(
        "field '%(field)s': must be at least must_be_reviewed (%(minimum)s)."
    ),
    "deadline_format": _l(
        "field '%(field)s': must be a date and time in ISO 8601 with a UTC offset, "
        "for example '%(example)s'."
    ),
    "deadline_without_time": _l(
        "field '%(field)s': needs a time and a UTC offset, for example '%(example)s'."
    ),
    "deadline_without_offset": _l(
        "field '%(field)s': needs a UTC offset, for example '%(example)s'. Without one the "
        "deadline would be a different moment in every time zone."
    ),
    "not_after_submission_deadline": _l(
        "field '%(field)s': must be after submission_deadline (%(submission_deadline)s)."
    ),
    "no_criteria": _l("field '%(field)s': must be a list with at least one criterion."),
    "too_many_criteria": _l("field '%(field)s': a rubric has at most %(max)s criteria."),
    "criterion_id_taken": _l(
        "field '%(field)s': the id '%(id)s' is also used by criterion %(number)s."
    ),
    "criterion_mapping": _l(
        "field '%(field)s': each criterion must be a mapping of “field: value” lines."
    ),
    "weight_number": _l("field '%(field)s': must be a number greater than 0."),
    "weight_range": _l("field '%(field)s': must be greater than 0 and at most %(max)s."),
    "weight_decimals": _l("field '%(field)s': use at most %(places)s decimal places."),
    "too_few_levels": _l("field '%(field)s': must be a list of at least %(min)s levels."),
    "too_many_levels": _l("field '%(field)s': a criterion has at most %(max)s levels."),
    "level_mapping": _l("field '%(field)s': each level must be a mapping of “field: value” lines."),
    "points_taken": _l(
        "field '%(field)s': level %(number)s already gives the same number of points (%(points)s)."
    ),
    "points_order": _l(
        "field '%(field)s': levels are written from fewest to most points (%(points)s comes "
        "after %(previous)s)."
    ),
}

#: Numbers a person counts in the text rather than reads as amounts: never grouped.
_PLAIN_NUMBERS = frozenset({"line"})


def describe(error: BundleError) -> str:
    """The reader's ``error`` as a sentence in the current language, without the file name.

    An error without a known code (one a newer reader raises before its sentence is
    written here) falls back to the reader's English message, still naming the field.
    """
    message = MESSAGES.get(error.code or "")
    if message is not None:
        values = {name: _value(name, value) for name, value in error.params.items()}
        if error.field is not None:
            values["field"] = error.field
        try:
            return str(message) % values
        except (KeyError, TypeError, ValueError):
            pass  # a code raised without the params its sentence needs: say it in English
    if error.field is None:
        return error.message
    return _("field '%(field)s': %(problem)s", field=error.field, problem=error.message)


def _value(name: str, value: object) -> object:
    if name in _PLAIN_NUMBERS or isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        return format_decimal(value)
    return value
