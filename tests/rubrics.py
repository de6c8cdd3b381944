"""Rubric text the test assignments and the benches share (plain YAML, no fixtures).

The benches import it too, so it stays free of pytest and of the application.
"""

from __future__ import annotations

#: The "build" criterion every test assignment's rubric starts with: weight 1, a level worth
#: 0 points and one worth 2. Indented as an item of the spec's ``rubric:`` list; a test may
#: add a level or a criterion after it.
BUILD_CRITERION_YAML = """- id: build
  title: Build quality
  weight: 1
  description: Is it built well?
  levels:
  - points: 0
    title: Not shown
    description: Nothing to see.
  - points: 2
    title: Sound
    description: Built as described.
"""
