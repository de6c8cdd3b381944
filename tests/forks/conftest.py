"""The fixtures of tests/forks/: defined in tests/fixtures/forks.py, where the tests of
other folders import them from too (never from another folder's conftest)."""

from tests.fixtures.forks import (  # noqa: F401  (fixtures)
    biogas,
    edit,
    fork,
)
