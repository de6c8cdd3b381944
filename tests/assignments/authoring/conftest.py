"""The fixtures of tests/assignments/authoring/

They are defined in tests/fixtures/assignment_authoring.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.assignment_authoring import (  # noqa: F401  (fixtures)
    bundle_with_assignment,
)
