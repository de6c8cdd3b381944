"""The fixtures of tests/recognition/: defined in tests/fixtures/recognition.py, where the tests of
other folders import them from too (never from another folder's conftest)."""

from tests.fixtures.recognition import (  # noqa: F401  (fixtures)
    klass,
)
