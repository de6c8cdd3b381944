"""The fixtures of tests/recognition/

They are defined in tests/fixtures/recognition.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.recognition import (  # noqa: F401  (fixtures)
    klass,
)
