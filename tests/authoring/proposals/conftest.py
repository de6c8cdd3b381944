"""The fixtures of tests/authoring/proposals/

They are defined in tests/fixtures/proposals.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.proposals import (  # noqa: F401  (fixtures)
    assignment_world,
    propose,
    propose_items,
    world,
)
