"""The rubric of an assignment file: its criteria, their weights and levels.

Split from :mod:`assignment_reader` because the rubric has the most rules of any field. Fields
inside it are named by position, counted from 1 as a person counts list items
(``rubric[2].levels[1].points``). Pure: no Flask, no database.
"""

from __future__ import annotations

from decimal import Decimal

from peerlearn.bundles.assignment_fields import check_keys, read_identifier, read_text
from peerlearn.bundles.assignment_spec import (
    CRITERION_FIELDS,
    LEVEL_FIELDS,
    MAX_CRITERIA,
    MAX_DESCRIPTION,
    MAX_LEVELS,
    MAX_POINTS,
    MAX_WEIGHT,
    MIN_LEVELS,
    REQUIRED_CRITERION_FIELDS,
    WEIGHT_DECIMALS,
    Criterion,
    Level,
)
from peerlearn.bundles.format import MAX_TITLE, BundleError


def read_rubric(file: str, value: object) -> tuple[Criterion, ...]:
    """The ``rubric`` list; criterion ids must be unique, as reviews store scores by id."""
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
    check_keys(file, item, prefix, CRITERION_FIELDS, REQUIRED_CRITERION_FIELDS)
    return Criterion(
        id=read_identifier(file, item, "id", prefix),
        title=read_text(file, item, "title", MAX_TITLE, prefix),
        description=read_text(file, item, "description", MAX_DESCRIPTION, prefix),
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
        check_keys(file, item, prefix, LEVEL_FIELDS, LEVEL_FIELDS)
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
                title=read_text(file, item, "title", MAX_TITLE, prefix),
                description=read_text(file, item, "description", MAX_DESCRIPTION, prefix),
            )
        )
    return tuple(levels)
