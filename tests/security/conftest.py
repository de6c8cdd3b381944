"""Fixtures of the security tests: the mailbox, and the build-log fixtures for the tests
of removed photos."""

from tests.fixtures.buildlogs import add_entry, assignment, course, learner, started  # noqa: F401
from tests.fixtures.mailbox import mailbox  # noqa: F401  (a fixture)
