"""The fixtures of tests/assignments/buildlogs/

They are defined in tests/fixtures/buildlogs.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.buildlogs import (  # noqa: F401  (fixtures)
    add_entry,
    assignment,
    course,
    learner,
    started,
)
