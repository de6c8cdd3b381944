"""Read and validate ``assignments/<slug>.yml`` into an :class:`AssignmentSpec`.

Like the bundle reader, the first problem is raised as a :class:`BundleError` naming the
file and the field, so a course author knows exactly what to fix. The message is English
(the command line and bundle import show it as is); each error also carries a stable
``code`` and the ``params`` of its sentence, which ``spec_messages.describe`` turns into
the maintainer's language in the browser. A new rule needs a new code there too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

import yaml

from peerlearn.assignments.spec import (
    ASSIGNMENT_FIELDS,
    CRITERION_FIELDS,
    DEADLINE_EXAMPLE,
    LEVEL_FIELDS,
    MAX_CALIBRATION_EXAMPLES,
    MAX_CRITERIA,
    MAX_DESCRIPTION,
    MAX_FLEXIBLE_DAYS,
    MAX_LEVELS,
    MAX_POINTS,
    MAX_PROMPT,
    MAX_REVIEWS,
    MAX_WEIGHT,
    MIN_LEVELS,
    REQUIRED_ASSIGNMENT_FIELDS,
    REQUIRED_CRITERION_FIELDS,
    WEIGHT_DECIMALS,
    Anonymity,
    AssignmentSpec,
    Criterion,
    Grading,
    Level,
)
from peerlearn.bundles.format import ID_PATTERN, MAX_SLUG, MAX_TITLE, SLUG_PATTERN, BundleError

#: A setting whose YAML value names a member of a string enum (anonymity, grading).
_Choice = TypeVar("_Choice", bound=StrEnum)

# --- parsing ---------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps decimals exact and refuses a key written twice.

    Floats become :class:`Decimal` so a weight of ``0.1`` stays 0.1 in totals. PyYAML
    silently keeps the last of two equal keys, which would hide half of a hand edit.
    """

    file = ""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise BundleError(
                    self.file,
                    f"written twice (again at line {line})",
                    str(key),
                    code="written_twice",
                    params={"line": line},
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | float:
    text = str(loader.construct_scalar(node))
    try:
        return Decimal(text)
    except InvalidOperation:
        # .inf, .nan and YAML 1.1 base-60 numbers: left as floats, which no field accepts.
        return loader.construct_yaml_float(node)


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def parse_assignment(text: str, file: str, slug: str) -> AssignmentSpec:
    """Validate an assignment file; raise :class:`BundleError` on the first problem.

    ``file`` is the path shown in messages (``assignments/gas-test.yml``) and ``slug``
    the file name without ``.yml``. Fields inside the rubric are named by position,
    counted from 1 as a person counts list items: ``rubric[2].levels[1].points``.
    """
    if len(slug) > MAX_SLUG or not SLUG_PATTERN.match(slug):
        raise BundleError(
            file,
            "assignment files are named <slug>.yml, the slug in lowercase letters, "
            f"digits and single hyphens (at most {MAX_SLUG} characters)",
            code="file_name",
            params={"max": MAX_SLUG},
        )
    data = _load_yaml(file, text.removeprefix("\ufeff").replace("\r\n", "\n"))
    _check_keys(file, data, "", ASSIGNMENT_FIELDS, REQUIRED_ASSIGNMENT_FIELDS)

    must_be_reviewed = _whole(file, data, "must_be_reviewed", 3, 1, MAX_REVIEWS)
    must_review = _whole(file, data, "must_review", 4, 1, MAX_REVIEWS)
    if must_review < must_be_reviewed:
        # Otherwise the group cannot give every submission its reviews even when every
        # learner does their share.
        raise BundleError(
            file,
            f"must be at least must_be_reviewed ({must_be_reviewed})",
            "must_review",
            code="fewer_than_must_be_reviewed",
            params={"minimum": must_be_reviewed},
        )
    submission_deadline = _deadline(file, data, "submission_deadline")
    review_deadline = _deadline(file, data, "review_deadline")
    if submission_deadline and review_deadline and review_deadline <= submission_deadline:
        raise BundleError(
            file,
            f"must be after submission_deadline ({submission_deadline.isoformat()})",
            "review_deadline",
            code="not_after_submission_deadline",
            params={"submission_deadline": submission_deadline.isoformat()},
        )
    return AssignmentSpec(
        id=_identifier(file, data, "id"),
        slug=slug,
        title=_text(file, data, "title", MAX_TITLE),
        module=_identifier(file, data, "module"),
        prompt=_text(file, data, "prompt", MAX_PROMPT),
        rubric=_rubric(file, data.get("rubric")),
        must_review=must_review,
        must_be_reviewed=must_be_reviewed,
        self_assessment=_flag(file, data, "self_assessment"),
        calibration_examples=_whole(
            file, data, "calibration_examples", 0, 0, MAX_CALIBRATION_EXAMPLES
        ),
        anonymity=_one_of(file, data, "anonymity", Anonymity.DOUBLE_BLIND),
        grading=_one_of(file, data, "grading", Grading.MODEL),
        flexible_after_days=_optional_whole(
            file, data, "flexible_after_days", 1, MAX_FLEXIBLE_DAYS
        ),
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
    )


def _load_yaml(file: str, text: str) -> dict[str, Any]:
    loader = _Loader(text)
    loader.file = file
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        # The parser's own words stay English (PyYAML has no translations); the sentence
        # around them is translated in the browser.
        problem = getattr(error, "problem", None)
        if not problem:
            raise BundleError(
                file, f"invalid YAML{where}: cannot be parsed", code="yaml_unreadable"
            ) from None
        if mark is None:
            raise BundleError(
                file, f"invalid YAML: {problem}", code="yaml", params={"problem": problem}
            ) from None
        raise BundleError(
            file,
            f"invalid YAML{where}: {problem}",
            code="yaml_at_line",
            params={"line": mark.line + 1, "problem": problem},
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise BundleError(file, "must be a YAML mapping of field: value", code="not_a_mapping")
    return data


def _check_keys(
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


def _text(file: str, data: dict[str, Any], name: str, max_length: int, prefix: str = "") -> str:
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


def _identifier(file: str, data: dict[str, Any], name: str, prefix: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise BundleError(
            file,
            "must be 1-64 letters, digits, '.', '_' or '-' (a UUID is best)",
            prefix + name,
            code="identifier",
        )
    return value


def _whole(file: str, data: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
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


def _flag(file: str, data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise BundleError(file, "must be true or false", name, code="true_or_false")
    return value


def _one_of(file: str, data: dict[str, Any], name: str, default: _Choice) -> _Choice:
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


def _optional_whole(file: str, data: dict[str, Any], name: str, low: int, high: int) -> int | None:
    if data.get(name) is None:
        return None
    return _whole(file, data, name, low, low, high)


def _deadline(file: str, data: dict[str, Any], name: str) -> datetime | None:
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


def _rubric(file: str, value: object) -> tuple[Criterion, ...]:
    if not isinstance(value, list) or not value:
        raise BundleError(
            file, "must be a list with at least one criterion", "rubric", code="no_criteria"
        )
    if len(value) > MAX_CRITERIA:
        raise BundleError(
            file,
            f"at most {MAX_CRITERIA} criteria",
            "rubric",
            code="too_many_criteria",
            params={"max": MAX_CRITERIA},
        )
    criteria: list[Criterion] = []
    first_use: dict[str, int] = {}
    for number, item in enumerate(value, start=1):
        criterion = _criterion(file, item, f"rubric[{number}]")
        if criterion.id in first_use:
            raise BundleError(
                file,
                f"id '{criterion.id}' is also used by criterion {first_use[criterion.id]}",
                f"rubric[{number}].id",
                code="criterion_id_taken",
                params={"id": criterion.id, "number": first_use[criterion.id]},
            )
        first_use[criterion.id] = number
        criteria.append(criterion)
    return tuple(criteria)


def _criterion(file: str, item: object, where: str) -> Criterion:
    if not isinstance(item, dict):
        raise BundleError(
            file,
            "each criterion must be a mapping of field: value",
            where,
            code="criterion_mapping",
        )
    prefix = where + "."
    _check_keys(file, item, prefix, CRITERION_FIELDS, REQUIRED_CRITERION_FIELDS)
    return Criterion(
        id=_identifier(file, item, "id", prefix),
        title=_text(file, item, "title", MAX_TITLE, prefix),
        description=_text(file, item, "description", MAX_DESCRIPTION, prefix),
        weight=_weight(file, item.get("weight", 1), prefix + "weight"),
        levels=_levels(file, item.get("levels"), prefix + "levels"),
    )


def _weight(file: str, value: object, field: str) -> Decimal | int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise BundleError(file, "must be a number greater than 0", field, code="weight_number")
    if not 0 < value <= MAX_WEIGHT:
        raise BundleError(
            file,
            f"must be greater than 0 and at most {MAX_WEIGHT}",
            field,
            code="weight_range",
            params={"max": MAX_WEIGHT},
        )
    scaled = value * 10**WEIGHT_DECIMALS
    if scaled != int(scaled):
        raise BundleError(
            file,
            f"use at most {WEIGHT_DECIMALS} decimal places",
            field,
            code="weight_decimals",
            params={"places": WEIGHT_DECIMALS},
        )
    return value


def _levels(file: str, value: object, field: str) -> tuple[Level, ...]:
    if not isinstance(value, list) or len(value) < MIN_LEVELS:
        raise BundleError(
            file,
            f"must be a list of at least {MIN_LEVELS} levels",
            field,
            code="too_few_levels",
            params={"min": MIN_LEVELS},
        )
    if len(value) > MAX_LEVELS:
        raise BundleError(
            file,
            f"at most {MAX_LEVELS} levels",
            field,
            code="too_many_levels",
            params={"max": MAX_LEVELS},
        )
    levels: list[Level] = []
    for number, item in enumerate(value, start=1):
        where = f"{field}[{number}]"
        if not isinstance(item, dict):
            raise BundleError(
                file, "each level must be a mapping of field: value", where, code="level_mapping"
            )
        prefix = where + "."
        _check_keys(file, item, prefix, LEVEL_FIELDS, LEVEL_FIELDS)
        points = item["points"]
        if type(points) is not int or not 0 <= points <= MAX_POINTS:
            raise BundleError(
                file,
                f"must be a whole number from 0 to {MAX_POINTS}",
                prefix + "points",
                code="whole_number",
                params={"low": 0, "high": MAX_POINTS},
            )
        for earlier_number, earlier in enumerate(levels, start=1):
            if earlier.points == points:
                raise BundleError(
                    file,
                    f"{points} points are also given by level {earlier_number}",
                    prefix + "points",
                    code="points_taken",
                    params={"points": points, "number": earlier_number},
                )
        if levels and points < levels[-1].points:
            # One order for every rubric, so reviewers read each row the same way.
            raise BundleError(
                file,
                f"levels are written from fewest to most points ({points} comes after "
                f"{levels[-1].points})",
                prefix + "points",
                code="points_order",
                params={"points": points, "previous": levels[-1].points},
            )
        levels.append(
            Level(
                points=points,
                title=_text(file, item, "title", MAX_TITLE, prefix),
                description=_text(file, item, "description", MAX_DESCRIPTION, prefix),
            )
        )
    return tuple(levels)
