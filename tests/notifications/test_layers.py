"""Notifications and jobs are shared services: features import them, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.settings import ROOT

#: The feature packages (docs: DESIGN "Layout"), which sit above the shared services.
FEATURES = {
    "accounts", "assignments", "authoring", "bundles", "catalog", "community_i18n",
    "offline", "personal_data", "review",
}  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.pure
@pytest.mark.parametrize("package", ["notifications", "jobs"])
def test_a_shared_service_imports_no_feature(package):
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "peerlearn" / package).rglob("*.py"))
        for name in imported_modules(path)
        if name.startswith("peerlearn.") and name.split(".")[1] in FEATURES
    }
    assert found == set()
