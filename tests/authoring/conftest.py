"""The fixtures of tests/authoring/

They are defined in tests/fixtures/authoring.py, where the tests of other folders
import them from too: no test imports another folder's conftest.
"""

from tests.fixtures.authoring import (  # noqa: F401  (fixtures)
    editor,
    events,
    revisions,
)
