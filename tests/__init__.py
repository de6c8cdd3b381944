"""peerlearn's test suite (docs/testing.md)."""

import pytest

# The helpers folders share (tests/fixtures/) are imported by conftests and tests rather
# than loaded as plugins: rewrite their asserts too, so a failing helper explains itself.
pytest.register_assert_rewrite("tests.fixtures")
