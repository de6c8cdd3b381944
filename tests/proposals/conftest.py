"""The fixtures of tests/proposals/: defined in tests/fixtures/proposals.py, where the tests of
other folders import them from too (never from another folder's conftest)."""

from tests.fixtures.proposals import (  # noqa: F401  (fixtures)
    assignment_world,
    propose,
    propose_items,
    world,
)
