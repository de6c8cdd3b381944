"""The fixtures of tests/authoring/forks/

They are defined in tests/fixtures/forks.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.forks import (  # noqa: F401  (fixtures)
    biogas,
    edit,
    fork,
)
