"""Fixtures of the account tests."""

from tests.accounts.mailbox import mailbox  # noqa: F401  (a fixture)
