"""The fixtures of tests/assignments/submissions/

They are defined in tests/fixtures/submissions.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.submissions import (  # noqa: F401  (fixtures)
    enrol,
    make_log,
    setting,
)
