"""The fixtures of tests/facilitation/

They are defined in tests/fixtures/facilitation.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.facilitation import (  # noqa: F401  (fixtures)
    circle_scene,
)
