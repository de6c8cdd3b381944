"""SVG figures: accepted as drawings, never as documents that run something.

Every way a hostile SVG can run script or reach out is tried: ``<script>``, event
handlers, ``javascript:`` links, an animation that rewrites a link, embedded HTML, external
images and stylesheets, and entity tricks. What is stored, served and packaged holds none of
them; a clean drawing is kept byte for byte so export gives the same bytes back.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from peerlearn.bundles.svg import SvgRefused, clean_svg
from tests.bundles.helpers import SLUG, edit, folder_files, run_export, run_import

CLEAN = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40" role="img" '
    b'aria-label="A tube digester">'
    b'<title>Tube digester</title><defs><linearGradient id="g"><stop offset="0" '
    b'stop-color="#0b5d3b"/></linearGradient></defs>'
    b'<rect x="2" y="2" width="96" height="36" rx="18" fill="url(#g)" stroke="#333"/>'
    b'<text x="50" y="24" text-anchor="middle" font-size="8">Gas</text></svg>'
)

HOSTILE = (
    b'<?xml version="1.0"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    b'onload="alert(1)" viewBox="0 0 10 10" inkscape:version="1.2">'
    b"<script>alert(2)</script>"
    b'<script xlink:href="https://evil.example/x.js"/>'
    b"<style>@import url(https://evil.example/x.css); rect{fill:red}</style>"
    b'<a href="javascript:alert(3)"><rect width="5" height="5"/></a>'
    b'<rect width="5" height="5" onclick="alert(4)" style="fill:url(https://evil.example/p)"/>'
    b'<animate attributeName="href" to="javascript:alert(5)"/>'
    b'<set attributeName="onmouseover" to="alert(6)"/>'
    b'<foreignObject><body xmlns="http://www.w3.org/1999/xhtml">'
    b'<img src="x" onerror="alert(7)"/></body></foreignObject>'
    b'<image href="https://evil.example/track.png" width="1" height="1"/>'
    b'<use xlink:href="https://evil.example/sprite.svg#x"/>'
    b'<use href="#local"/>'
    b"<inkscape:namedview/>"
    b'<circle cx="5" cy="5" r="2" fill="#0b5d3b"/>'
    b"</svg>"
)


def test_a_clean_drawing_is_kept_byte_for_byte():
    assert clean_svg(CLEAN) == CLEAN


def test_everything_that_could_run_or_reach_out_is_removed():
    cleaned = clean_svg(HOSTILE).decode()
    assert "<circle" in cleaned and 'fill="#0b5d3b"' in cleaned  # the drawing stays
    assert 'href="#local"' in cleaned
    for gone in ("script", "alert", "javascript", "evil.example", "onload", "onclick",
                 "foreignObject", "animate", "<set", "<a ", "<image", "@import", "inkscape",
                 "<style"):  # fmt: skip
        assert gone not in cleaned, gone
    assert clean_svg(clean_svg(HOSTILE)) == clean_svg(HOSTILE)  # a second pass changes nothing


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE"),
        (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg"/>',
         "DOCTYPE"),
        (b"<svg><rect></svg>", "well-formed"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
         "root is not <svg>"),
        (b"GIF89a not an svg", "well-formed"),
    ],
)  # fmt: skip
def test_documents_that_are_not_plain_svg_are_refused(content, reason):
    with pytest.raises(SvgRefused) as refused:
        clean_svg(content)
    assert reason in refused.value.reason


def test_import_stores_the_drawing_and_serves_it_sandboxed(runner, client, bundle: Path):
    (bundle / "media" / "digester.svg").write_bytes(HOSTILE)
    (bundle / "media" / "clean.svg").write_bytes(CLEAN)
    edit(bundle / "modules" / "01-why-store-rain.md", "## Rain is free",
         "![Digester](media/digester.svg)\n\n## Rain is free")  # fmt: skip
    result = run_import(runner, bundle.parent)
    assert result.exit_code == 0, result.output
    page = client.get(f"/courses/{SLUG}/m/why-store-rain").get_data(as_text=True)
    src = re.search(r'<img src="([^"]+digester\.svg\?v=[0-9a-f]+)"', page)
    assert src, page
    served = client.get(src.group(1))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    body = served.get_data(as_text=True)
    assert "<circle" in body and "script" not in body and "alert" not in body
    clean = client.get(f"/courses/{SLUG}/media/clean.svg")
    assert clean.data == CLEAN

    offline = client.get(f"/courses/{SLUG}/offline.zip")
    with zipfile.ZipFile(io.BytesIO(offline.data)) as package:
        packaged = package.read(f"{SLUG}/media/digester.svg").decode()
    assert "<circle" in packaged and "script" not in packaged and "alert" not in packaged


def test_a_clean_svg_exports_the_same_bytes(runner, bundle: Path, tmp_path: Path):
    (bundle / "media" / "clean.svg").write_bytes(CLEAN)
    assert run_import(runner, bundle.parent).exit_code == 0
    out = tmp_path / "out"
    result = run_export(runner, SLUG, out)
    assert result.exit_code == 0, result.output
    assert folder_files(out / SLUG)["media/clean.svg"] == CLEAN


def test_an_svg_with_entities_is_refused_with_the_file_named(runner, bundle: Path):
    (bundle / "media" / "bomb.svg").write_bytes(
        b'<!DOCTYPE svg [<!ENTITY a "x">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    )
    result = run_import(runner, bundle.parent)
    assert result.exit_code != 0
    assert "bomb.svg" in result.output and "DOCTYPE" in result.output
