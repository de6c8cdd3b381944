"""One field of an assignment file, checked: the rules that the assignment's settings
and its rubric share.

Each function takes the file's path and the mapping the field sits in, returns the value
in the type the spec wants, or raises :class:`BundleError` with a ``code`` that
``assignment_messages`` translates. ``prefix`` names where a nested mapping sits in the file
(``rubric[2].``), so the message points at the exact field. Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from peerlearn.bundles.assignment_spec import DEADLINE_EXAMPLE
from peerlearn.bundles.format import ID_PATTERN, BundleError

#: A setting whose YAML value names a member of a string enum (anonymity, grading).
_Choice = TypeVar("_Choice", bound=StrEnum)


def check_keys(
    file: str,
    data: dict[Any, Any],
    prefix: str,
    allowed: tuple[str, ...],
    required: tuple[str, ...],
) -> None:
    unknown = sorted(set(map(str, data)) - set(allowed))
    if unknown:
        raise BundleError(
            file,
            f"unknown field; allowed: {', '.join(allowed)}",
            prefix + unknown[0],
            code="unknown_field",
            params={"allowed": ", ".join(allowed)},
        )
    missing = [name for name in required if name not in data]
    if missing:
        raise BundleError(file, "is required", prefix + missing[0], code="required")


def read_text(file: str, data: dict[str, Any], name: str, max_length: int, prefix: str = "") -> str:
    value = data.get(name)
    if isinstance(value, bool | int | float | Decimal | date):
        # YAML 1.1 reads `title: No` as false and `title: 2024` as a number.
        raise BundleError(
            file,
            "must be text; put it in quotes (title: 'No') because YAML reads yes, no, on, "
            "off, true, false, numbers and dates as something else",
            prefix + name,
            code="text_needs_quotes",
        )
    if not isinstance(value, str) or not value.strip():
        raise BundleError(file, "must be non-empty text", prefix + name, code="empty_text")
    if len(value) > max_length:
        raise BundleError(
            file,
            f"is longer than {max_length} characters",
            prefix + name,
            code="too_long",
            params={"max": max_length},
        )
    return value


def read_identifier(file: str, data: dict[str, Any], name: str, prefix: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise BundleError(
            file,
            "must be 1-64 letters, digits, '.', '_' or '-' (a UUID is best)",
            prefix + name,
            code="identifier",
        )
    return value


def read_whole(
    file: str, data: dict[str, Any], name: str, default: int, low: int, high: int
) -> int:
    value = data.get(name, default)
    # bool is an int in Python; `must_review: yes` is a mistake, not the number 1.
    if type(value) is not int or not low <= value <= high:
        raise BundleError(
            file,
            f"must be a whole number from {low} to {high}",
            name,
            code="whole_number",
            params={"low": low, "high": high},
        )
    return value


def read_flag(file: str, data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise BundleError(file, "must be true or false", name, code="true_or_false")
    return value


def read_choice(file: str, data: dict[str, Any], name: str, default: _Choice) -> _Choice:
    """The setting ``name`` as a member of ``default``'s enum (``default`` when absent)."""
    choices = type(default)
    value = data.get(name, default.value)
    allowed = [member.value for member in choices]
    if value not in allowed:
        raise BundleError(
            file,
            f"must be one of {', '.join(allowed)}",
            name,
            code="one_of",
            params={"allowed": ", ".join(allowed)},
        )
    return choices(value)


def read_optional_whole(
    file: str, data: dict[str, Any], name: str, low: int, high: int
) -> int | None:
    if data.get(name) is None:
        return None
    return read_whole(file, data, name, low, low, high)


def read_deadline(file: str, data: dict[str, Any], name: str) -> datetime | None:
    """A timezone-aware deadline from an ISO 8601 string or a YAML timestamp.

    Unquoted timestamps arrive from YAML as ``datetime`` (or ``date``) objects; both
    forms must carry an explicit UTC offset.
    """
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise BundleError(
                file,
                f"must be a date and time in ISO 8601 with a UTC offset, e.g. '{DEADLINE_EXAMPLE}'",
                name,
                code="deadline_format",
                params={"example": DEADLINE_EXAMPLE},
            ) from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        raise BundleError(
            file,
            f"needs a time and a UTC offset, e.g. '{DEADLINE_EXAMPLE}'",
            name,
            code="deadline_without_time",
            params={"example": DEADLINE_EXAMPLE},
        )
    if not isinstance(value, datetime):
        raise BundleError(
            file,
            f"must be a date and time in ISO 8601 with a UTC offset, e.g. '{DEADLINE_EXAMPLE}'",
            name,
            code="deadline_format",
            params={"example": DEADLINE_EXAMPLE},
        )
    if value.utcoffset() is None:
        raise BundleError(
            file,
            f"needs a UTC offset, e.g. '{DEADLINE_EXAMPLE}': without one the deadline "
            "would be a different moment in every time zone",
            name,
            code="deadline_without_offset",
            params={"example": DEADLINE_EXAMPLE},
        )
    return value
