"""Write an :class:`AssignmentSpec` in the one canonical form the reader gives back
byte for byte, so assignments diff and round-trip like the rest of a course bundle."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import yaml

from peerlearn.bundles.assignment_spec import ASSIGNMENT_FIELDS, AssignmentSpec

# --- writing ---------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """The bundle writer's style: multi-line text as ``|`` blocks, otherwise plain."""


class _Quoted(str):
    """Text written in single quotes, so YAML keeps a timestamp as text."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_quoted(dumper: yaml.SafeDumper, value: _Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="'")


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    # Fixed notation: str() may give '1E+1', which YAML would read back as text.
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Quoted, _represent_quoted)
_Dumper.add_representer(Decimal, _represent_decimal)


def _canonical_weight(weight: Decimal | int) -> Decimal | int:
    if isinstance(weight, Decimal) and weight == weight.to_integral_value():
        return int(weight)
    return weight


def _deadline_text(value: datetime | None) -> _Quoted | None:
    return None if value is None else _Quoted(value.isoformat())


def dump_assignment(spec: AssignmentSpec) -> str:
    """The canonical YAML of an assignment: fixed key order, every default written out.

    Defaults are written so a file documents every setting a facilitator can change;
    deadlines that are not set are written as ``null``. The suggested durations for
    circles (``days_to_submit``, ``days_to_review``) are written only when set, so that
    files written before they existed read back to the same bytes. Weights are written in their
    shortest form (``2``, ``1.5``). The slug is the file name and is not written.
    """
    values: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "module": spec.module,
        "must_review": spec.must_review,
        "must_be_reviewed": spec.must_be_reviewed,
        "self_assessment": spec.self_assessment,
        "calibration_examples": spec.calibration_examples,
        "anonymity": str(spec.anonymity),
        "grading": str(spec.grading),
        "flexible_after_days": spec.flexible_after_days,
        "submission_deadline": _deadline_text(spec.submission_deadline),
        "review_deadline": _deadline_text(spec.review_deadline),
        # Written only when set: files from before circles keep their exact bytes.
        **({"days_to_submit": spec.days_to_submit} if spec.days_to_submit else {}),
        **({"days_to_review": spec.days_to_review} if spec.days_to_review else {}),
        "prompt": spec.prompt,
        "rubric": [
            {
                "id": criterion.id,
                "title": criterion.title,
                "weight": _canonical_weight(criterion.weight),
                "description": criterion.description,
                "levels": [
                    {"points": level.points, "title": level.title, "description": level.description}
                    for level in criterion.levels
                ],
            }
            for criterion in spec.rubric
        ],
    }
    return dump_values(values)


def dump_values(values: dict[str, Any]) -> str:
    """``values`` (fields of an assignment file, not yet valid) in the writer's style and
    key order, so a half-finished form can still be shown as the YAML it would be."""
    return yaml.dump(
        {key: values[key] for key in ASSIGNMENT_FIELDS if key in values},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
    )
