"""The page budget of issue 6: every page a learner opens, in English and in Spanish, fits
in 30 KB of HTML and CSS (10 KB gzipped), needs no JavaScript, links one stylesheet and
comes back compressed to a browser that accepts gzip (brotli when it accepts that).

The class and the pages are described in ``tests/fixtures/pages.py``;
``bench/page_weight.py`` prints the same figures as a table for docs/performance.md.
"""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli
import pytest

from peerlearn.edge import GZIP_LEVEL
from tests.fixtures.pages import (
    GZIP_BUDGET,
    LANGUAGES,
    RAW_BUDGET,
    SIGNED_OUT,
    STYLESHEET,
    Page,
    ask_for_review,
    build_class,
    key_urls,
    render_pages,
    table,
)
from tests.settings import ROOT

CSS = ROOT / "peerlearn" / "static" / "style.css"
#: A script element, an inline event handler or a javascript: URL.
SCRIPT = re.compile(rb"<script|<[^>]+\son[a-z]+\s*=|javascript:", re.IGNORECASE)


@pytest.fixture
def scene(client, sample_courses):
    """Amina's class, amina signed in on ``client`` with a classmate's log to review."""
    return ask_for_review(client, build_class())


@pytest.fixture
def anonymous(app):
    return app.test_client()


@pytest.fixture
def pages_in(client, anonymous, scene):
    """``pages_in(language)``: every key page rendered for amina and her class."""
    return lambda language: render_pages(client, anonymous, scene, language)


def _over_budget(page: Page) -> str:
    return (
        f"{page.name} {page.url}: HTML {len(page.html):,} + CSS {len(page.css):,} = "
        f"{page.raw:,} bytes (budget {RAW_BUDGET:,}); gzip {page.html_gzip:,} + "
        f"{page.css_gzip:,} = {page.gzip:,} bytes (budget {GZIP_BUDGET:,})"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_page_fits_the_budget(pages_in, language):
    pages = pages_in(language)

    over = [_over_budget(page) for page in pages if not page.within_budget]
    assert not over, "over the page budget:\n" + "\n".join(over) + "\n\n" + table(pages)


def test_no_key_page_needs_javascript_and_each_links_only_the_one_stylesheet(pages_in):
    css = CSS.read_bytes()
    fingerprint = hashlib.sha256(css).hexdigest()[:12]

    for page in pages_in("en") + pages_in("es"):
        html = page.html.decode()
        assert not SCRIPT.search(page.html), f"{page.name} {page.url} has a script"
        assert STYLESHEET.findall(html) == [f"/static/style.css?v={fingerprint}"], page.name
        assert html.count("<link") == 1, f"{page.name}: another <link> than the stylesheet"
        assert "<style" not in html and "@import" not in html, page.name
        assert page.css == css


@pytest.mark.parametrize(
    ("accept", "encoding", "decompress"),
    [("gzip, deflate", "gzip", gzip.decompress), ("gzip, deflate, br", "br", brotli.decompress)],
)
def test_key_pages_and_the_stylesheet_come_back_compressed(
    client, anonymous, scene, accept, encoding, decompress
):
    css = CSS.read_bytes()
    fingerprint = hashlib.sha256(css).hexdigest()[:12]
    please = {"Accept-Encoding": accept}

    for name, url in [*key_urls(scene), ("stylesheet", f"/static/style.css?v={fingerprint}")]:
        response = (anonymous if url in SIGNED_OUT else client).get(url, headers=please)
        assert response.status_code == 200, name
        assert response.headers.get("Content-Encoding") == encoding, name
        assert "accept-encoding" in response.vary, name
        assert int(response.headers["Content-Length"]) == len(response.data), name
        body = decompress(response.data)
        assert body == css if name == "stylesheet" else body.startswith(b"<!doctype html>"), name
        if encoding == "br":  # never more than the gzip the budget counts
            assert len(response.data) <= len(gzip.compress(body, compresslevel=GZIP_LEVEL)), name


def test_the_stylesheet_is_cached_for_a_year_only_under_its_fingerprint(client):
    css_url = STYLESHEET.findall(client.get("/login").get_data(as_text=True))[0]

    fingerprinted = client.get(css_url, headers={"Accept-Encoding": "gzip"})
    plain = client.get("/static/style.css")
    again = client.get(
        css_url, headers={"Accept-Encoding": "gzip", "If-None-Match": fingerprinted.headers["ETag"]}
    )

    assert fingerprinted.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain.headers["Cache-Control"] == "no-cache"
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert again.headers["ETag"] == fingerprinted.headers["ETag"]
