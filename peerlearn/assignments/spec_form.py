"""The assignment file as a form: the fields of the structured editor and back.

The structured editor never validates on its own. It turns the form into the same mapping
the YAML would give (:func:`values_of`) and hands it to ``assignment_reader.read_assignment``,
so both editors apply one set of rules and the reader's error, which names a field
(``rubric[2].levels[1].points``), is shown next to the input it came from
(:func:`input_of`). Adding and removing criteria and levels are server round-trips on
this plain draft, so the editor works without JavaScript. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from peerlearn.bundles.assignment_spec import MAX_CRITERIA, MAX_LEVELS, AssignmentSpec

#: Settings shown as one input each, by their name in the YAML (and in the form).
SETTINGS = (
    "title", "module", "must_review", "must_be_reviewed", "calibration_examples",
    "anonymity", "grading", "flexible_after_days", "submission_deadline", "review_deadline",
    "days_to_submit", "days_to_review", "prompt",
)  # fmt: skip
_WHOLE = ("must_review", "must_be_reviewed", "calibration_examples")
_CRITERION_KEY = re.compile(r"^c(\d{1,2})-id$")
_LEVEL_KEY = re.compile(r"^c(\d{1,2})-l(\d{1,2})-points$")
_WHOLE_TEXT = re.compile(r"^-?\d{1,6}$")
_DECIMAL_TEXT = re.compile(r"^\d{1,6}([.,]\d{1,6})?$")
_RUBRIC_FIELD = re.compile(r"^rubric\[(\d+)\](?:\.(\w+)(?:\[(\d+)\](?:\.(\w+))?)?)?$")


@dataclass
class LevelDraft:
    points: str = ""
    title: str = ""
    description: str = ""


@dataclass
class CriterionDraft:
    id: str = ""
    title: str = ""
    description: str = ""
    weight: str = "1"
    levels: list[LevelDraft] = field(default_factory=list)


@dataclass
class AssignmentDraft:
    """What the form shows: every value as the text in its input, however wrong."""

    settings: dict[str, str]
    self_assessment: bool
    rubric: list[CriterionDraft]


def _unix(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _weight_text(weight: Decimal | int) -> str:
    if isinstance(weight, Decimal):
        return format(weight.normalize(), "f")
    return str(weight)


def draft_of(spec: AssignmentSpec) -> AssignmentDraft:
    """The form for a valid assignment."""
    settings = {
        "title": spec.title,
        "module": spec.module,
        "must_review": str(spec.must_review),
        "must_be_reviewed": str(spec.must_be_reviewed),
        "calibration_examples": str(spec.calibration_examples),
        "anonymity": str(spec.anonymity),
        "grading": str(spec.grading),
        "flexible_after_days": ""
        if spec.flexible_after_days is None
        else str(spec.flexible_after_days),
        "submission_deadline": spec.submission_deadline.isoformat()
        if spec.submission_deadline
        else "",
        "review_deadline": spec.review_deadline.isoformat() if spec.review_deadline else "",
        "days_to_submit": "" if spec.days_to_submit is None else str(spec.days_to_submit),
        "days_to_review": "" if spec.days_to_review is None else str(spec.days_to_review),
        "prompt": spec.prompt,
    }
    rubric = [
        CriterionDraft(
            id=c.id,
            title=c.title,
            description=c.description,
            weight=_weight_text(c.weight),
            levels=[LevelDraft(str(lv.points), lv.title, lv.description) for lv in c.levels],
        )
        for c in spec.rubric
    ]
    return AssignmentDraft(settings, spec.self_assessment, rubric)


def draft_from_form(form: Mapping[str, str]) -> AssignmentDraft:
    """The draft a submitted form describes. Criteria and levels are numbered by their
    inputs' names (``c0-id``, ``c0-l1-points``); gaps left by a removal are closed."""
    settings = {name: _unix(form.get(name, "")) for name in SETTINGS}
    criteria = sorted({int(m.group(1)) for key in form if (m := _CRITERION_KEY.match(key))})
    rubric = []
    for c in criteria:
        numbers = sorted(
            {
                int(m.group(2))
                for key in form
                if (m := _LEVEL_KEY.match(key)) and int(m.group(1)) == c
            }
        )
        rubric.append(
            CriterionDraft(
                id=form.get(f"c{c}-id", "").strip(),
                title=form.get(f"c{c}-title", ""),
                description=_unix(form.get(f"c{c}-description", "")),
                weight=form.get(f"c{c}-weight", "").strip(),
                levels=[
                    LevelDraft(
                        points=form.get(f"c{c}-l{n}-points", "").strip(),
                        title=form.get(f"c{c}-l{n}-title", ""),
                        description=_unix(form.get(f"c{c}-l{n}-description", "")),
                    )
                    for n in numbers
                ],
            )
        )
    return AssignmentDraft(settings, bool(form.get("self_assessment")), rubric)


def apply(draft: AssignmentDraft, action: str) -> bool:
    """Carry out an Add or Remove button (``add-criterion``, ``add-level-0``,
    ``remove-criterion-1``, ``remove-level-0-2``); False for any other button."""
    parts = action.split("-")
    numbers = [int(p) for p in parts[2:] if p.isdigit()]
    if action == "add-criterion" and len(draft.rubric) < MAX_CRITERIA:
        draft.rubric.append(_new_criterion(draft))
        return True
    if parts[:2] == ["add", "level"] and len(numbers) == 1 and numbers[0] < len(draft.rubric):
        levels = draft.rubric[numbers[0]].levels
        if len(levels) < MAX_LEVELS:
            levels.append(LevelDraft(points=str(_next_points(levels))))
        return True
    if parts[:2] == ["remove", "criterion"] and len(numbers) == 1:
        if numbers[0] < len(draft.rubric):
            del draft.rubric[numbers[0]]
        return True
    if parts[:2] == ["remove", "level"] and len(numbers) == 2:
        c, n = numbers
        if c < len(draft.rubric) and n < len(draft.rubric[c].levels):
            del draft.rubric[c].levels[n]
        return True
    return False


def _new_criterion(draft: AssignmentDraft) -> CriterionDraft:
    """A criterion with a free id and two levels to fill in: a rubric row needs both."""
    taken = {c.id for c in draft.rubric}
    number = len(draft.rubric) + 1
    while f"criterion-{number}" in taken:
        number += 1
    return CriterionDraft(
        id=f"criterion-{number}", levels=[LevelDraft(points="0"), LevelDraft(points="1")]
    )


def _next_points(levels: list[LevelDraft]) -> int:
    known = [int(lv.points) for lv in levels if lv.points.isdigit()]
    return max(known) + 1 if known else 0


def _whole(text: str) -> int | str:
    """A number when the text is one, else the text, so the reader names the problem."""
    text = text.strip()
    return int(text) if _WHOLE_TEXT.match(text) else text


def _decimal(text: str) -> Decimal | int | str:
    """Weights may be written with a decimal comma, as many of our languages do."""
    text = text.strip()
    if not _DECIMAL_TEXT.match(text):
        return text
    number = Decimal(text.replace(",", "."))
    return int(number) if number == number.to_integral_value() else number


def _optional(text: str) -> str | None:
    return text.strip() or None


def _optional_whole(text: str) -> Any:
    return _whole(text.strip()) if text.strip() else None


def values_of(draft: AssignmentDraft, key: str) -> dict[str, Any]:
    """The mapping the YAML of this draft would read as; ``key`` is the assignment's id,
    which the form does not show because an edit may not change it."""
    settings = draft.settings
    flexible = settings["flexible_after_days"].strip()
    return {
        "id": key,
        "title": settings["title"],
        "module": settings["module"].strip(),
        **{name: _whole(settings[name]) for name in _WHOLE},
        "self_assessment": draft.self_assessment,
        "anonymity": settings["anonymity"].strip(),
        "grading": settings["grading"].strip(),
        "flexible_after_days": _whole(flexible) if flexible else None,
        "submission_deadline": _optional(settings["submission_deadline"]),
        "review_deadline": _optional(settings["review_deadline"]),
        **{name: _optional_whole(settings[name]) for name in ("days_to_submit", "days_to_review")},
        "prompt": settings["prompt"],
        "rubric": [
            {
                "id": c.id,
                "title": c.title,
                "weight": _decimal(c.weight),
                "description": c.description,
                "levels": [
                    {"points": _whole(lv.points), "title": lv.title, "description": lv.description}
                    for lv in c.levels
                ],
            }
            for c in draft.rubric
        ],
    }


def input_of(field_path: str | None) -> str:
    """The name of the input a reader's error is about (``rubric[2].levels[1].points`` is
    ``c1-l0-points``); ``rubric`` or ``c1-levels`` for problems of a whole list."""
    if not field_path:
        return ""
    if field_path in SETTINGS or field_path == "self_assessment":
        return field_path
    match = _RUBRIC_FIELD.match(field_path)
    if match is None:
        return "rubric" if field_path.startswith("rubric") else ""
    criterion, name, level, level_name = match.groups()
    c = int(criterion) - 1
    if name is None:
        return f"c{c}-id"
    if name == "levels" and level is not None:
        return f"c{c}-l{int(level) - 1}-{level_name or 'points'}"
    return f"c{c}-{name}"
