"""The fixtures of tests/review/

They are defined in tests/fixtures/review.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.review import (  # noqa: F401  (fixtures)
    graded_class,
    review_class,
)
