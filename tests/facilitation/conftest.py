"""The fixtures of tests/facilitation/: defined in tests/fixtures/facilitation.py,
where the tests of other folders import them from too (never from another folder's conftest)."""

from tests.fixtures.facilitation import (  # noqa: F401  (fixtures)
    circle_scene,
)
