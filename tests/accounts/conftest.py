"""Fixtures for the account tests: a class of reviewers and graded reviews (borrowed from
the review tests), and a helper that deletes an account through the confirmation page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.app import PASSWORD
from tests.fixtures.buildlogs import (  # noqa: F401  (fixtures)
    add_entry,
    assignment,
    course,
    learner,
    started,
)
from tests.fixtures.forks import biogas, edit, fork  # noqa: F401  (fixtures)
from tests.fixtures.mailbox import mailbox  # noqa: F401  (a fixture)
from tests.fixtures.review import (
    graded_class,  # noqa: F401  (fixture)
    review_class,  # noqa: F401  (fixture)
)


@pytest.fixture
def delete_via_page(client: Any, login: Callable[..., Any]) -> Callable[..., Any]:
    """Log ``user`` in and delete their account as they would: the confirmation page."""

    def delete(user: Any, **form: Any) -> Any:
        login(user)
        data = {"password": PASSWORD, "credit": "former", **form}
        return client.submit("/settings/delete", data)

    return delete
