"""Settings of the property tests: their example counts, cut down under mutation testing.

Mutation testing runs a module's tests once per mutant, hundreds of times; with
``HYPOTHESIS_PROFILE=mutation`` in the environment every property test tries at most
:data:`MUTATION_EXAMPLES` examples, enough to kill a mutant that changes behaviour in most
generated inputs. Imported by the test modules rather than set up in ``conftest.py``, so
the pure tests also run with ``pytest --noconftest`` (no app, no database), which is how
the mutation runs take seconds instead of minutes.
"""

from __future__ import annotations

import os

from hypothesis import settings

MUTATION_EXAMPLES = 10


def property_settings(max_examples: int) -> settings:
    """Settings for a property test: no deadline, no example database left behind, and
    the same examples every run (``derandomize``): a property that passes here passes in
    CI, and a rare counterexample is found by a deliberate, larger search (raise
    ``max_examples`` locally), not by a red build on an unrelated change."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "mutation":
        max_examples = min(max_examples, MUTATION_EXAMPLES)
    return settings(max_examples=max_examples, deadline=None, database=None, derandomize=True)
