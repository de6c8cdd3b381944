"""The fixtures of tests/discussions/: defined in tests/fixtures/discussions.py, where the tests of
other folders import them from too (never from another folder's conftest)."""

from tests.fixtures.discussions import (  # noqa: F401  (fixtures)
    as_user,
    place,
)
