"""The build-log fixtures, for the tests of removed photos."""

from tests.buildlogs.conftest import add_entry, assignment, course, learner, started  # noqa: F401
from tests.core.test_migrations import empty_database  # noqa: F401
