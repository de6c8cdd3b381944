"""The fixtures of tests/review/: defined in tests/fixtures/review.py, where the tests of
other folders import them from too (never from another folder's conftest)."""

from tests.fixtures.review import (  # noqa: F401  (fixtures)
    review_class,
)
