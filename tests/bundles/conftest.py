from __future__ import annotations

from pathlib import Path

import pytest

from tests.bundles.helpers import SLUG, write_bundle_folder


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A fresh copy of a small valid bundle that a test may break or change."""
    return write_bundle_folder(tmp_path / "src" / SLUG)
