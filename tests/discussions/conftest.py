"""The fixtures of tests/discussions/

They are defined in tests/fixtures/discussions.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.discussions import (  # noqa: F401  (fixtures)
    as_user,
    place,
)
