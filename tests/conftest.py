"""The suite's shared fixtures come from plugin modules in ``tests/fixtures/``.

``tests/fixtures/app.py`` holds the app, the database, the test client and the factories;
the others hold what several folders share. Tests import helpers from those modules, never
from a conftest.
"""

from __future__ import annotations

import os

from hypothesis import settings

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.databases",
    "tests.fixtures.world",
    "tests.fixtures.notices",
]

# Property tests take their number of examples from the active profile: hypothesis's own
# default, or "mutation" (HYPOTHESIS_PROFILE=mutation, set by tests/mutation/run.py): few,
# always the same examples, so that each of hundreds of mutants is tested quickly and the
# same way twice.
settings.register_profile("mutation", max_examples=15, derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
