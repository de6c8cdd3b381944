"""The browser tests' fixtures: Chromium, the served app, pages (``tests/fixtures/browser.py``)."""

from tests.fixtures.browser import chromium, page_without_js, server  # noqa: F401
