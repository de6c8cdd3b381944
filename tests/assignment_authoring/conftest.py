"""Helpers for assignment authoring tests: a bundle with an assignment, and the text of
an assignment file that a test can change one line of."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.extensions import db
from tests.bundles.helpers import MODULE_2, SLUG, write_bundle_folder
from tests.conftest import ASSIGNMENT_YAML

ASSIGNMENT_ID = "6f1d2c3b-0a9e-4b8c-9d7e-5f4a3b2c1d0e"
ASSIGNMENT_FILE = "assignments/tank-build.yml"


def assignment_text(module: str = MODULE_2[1], key: str = ASSIGNMENT_ID, **changes: Any) -> str:
    """A valid assignment file in canonical form; ``changes`` override single settings."""
    values: dict[str, Any] = {
        "key": key, "title": "Build your rain tank", "module": module, "must_review": 4,
        "must_be_reviewed": 3, "submission_deadline": "null", "review_deadline": "null",
        "self_assessment": "false", "calibration_examples": 0, "anonymity": "double-blind",
        "grading": "model", "flexible_after_days": "null",
    }  # fmt: skip
    values.update(changes)
    return ASSIGNMENT_YAML.format(**values)


@pytest.fixture
def bundle_with_assignment(tmp_path: Path) -> Path:
    root = write_bundle_folder(tmp_path / "src" / SLUG)
    (root / "assignments").mkdir()
    (root / ASSIGNMENT_FILE).write_bytes(assignment_text().encode())
    return root


def assignments(course_id: int | None = None) -> list[Assignment]:
    db.session.expire_all()
    query = select(Assignment).order_by(Assignment.course_id, Assignment.key)
    if course_id is not None:
        query = query.where(Assignment.course_id == course_id)
    return list(db.session.scalars(query))


def revisions(assignment: Assignment) -> list[AssignmentRevision]:
    return list(
        db.session.scalars(
            select(AssignmentRevision)
            .where(AssignmentRevision.assignment_id == assignment.id)
            .order_by(AssignmentRevision.id)
        )
    )


def textarea_of(page: str, name: str = "text") -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


def hidden_of(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no field {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""
