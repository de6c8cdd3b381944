"""The fixtures of tests/buildlogs/: defined in tests/fixtures/buildlogs.py, where the tests of
other folders import them from too (never from another folder's conftest)."""

from tests.fixtures.buildlogs import (  # noqa: F401  (fixtures)
    add_entry,
    assignment,
    course,
    learner,
    started,
)
