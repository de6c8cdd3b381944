"""Fixtures of the security tests."""

from tests.accounts.mailbox import mailbox  # noqa: F401  (a fixture)
