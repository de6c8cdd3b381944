"""Compression at the edge (peerlearn/edge.py, through Flask-Compress): brotli or gzip only
when the client accepts it, only where it helps, and never in a way that confuses a cache
or a byte range."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator

import brotli
import pytest
from flask import Flask, Response, request, send_file

from peerlearn.edge import COMPRESSIBLE, MIN_BYTES, compress

TEXT = ("<p>A tube digester makes gas from cow dung and water.</p>\n" * 40).encode()
GZIP = {"Accept-Encoding": "gzip, deflate"}
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def run(
    app: Flask,
    response: Response,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> Response:
    with app.test_request_context("/somewhere", method=method, headers=headers or GZIP):
        return compress(response)


def decoded(response: Response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    assert encoding is None
    return body


@pytest.mark.parametrize(
    ("header", "encoding"),
    [
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate, br, zstd", "br"),
        ("br", "br"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("GZIP;Q=0.5", "gzip"),
        ("x-gzip", "gzip"),
        ("*", "br"),
        ("br, *;q=0.1", "br"),
        (None, None),
        ("", None),
        ("identity", None),
        ("deflate", None),
        ("zstd", None),
        ("gzip;q=0", None),
        ("gzip;q=0.000, deflate", None),
        ("*;q=0", None),
        ("gzip;q=0, *", "br"),  # an explicit refusal wins over the wildcard
        ("br;q=0, gzip", "gzip"),
        ("*;q=0, gzip", "gzip"),
    ],
)
def test_the_encoding_is_the_one_the_client_prefers_as_rfc_9110_reads_it(app, header, encoding):
    headers = {"Accept-Encoding": header} if header is not None else {}
    with app.test_request_context("/somewhere", headers=headers):
        response = compress(Response(TEXT, mimetype="text/html"))

    assert response.headers.get("Content-Encoding") == encoding
    assert decoded(response) == TEXT
    assert "Accept-Encoding" in response.vary  # a cache must not hand it another variant


def test_a_page_is_gzipped_with_its_length_and_vary(app):
    response = run(app, Response(TEXT, mimetype="text/html"))

    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    assert "Accept-Encoding" in response.vary
    assert gzip.decompress(response.get_data()) == TEXT
    assert len(response.get_data()) < len(TEXT) // 3


def test_a_browser_gets_brotli_smaller_than_gzip(app):
    gzipped = run(app, Response(TEXT, mimetype="text/html"))
    response = run(app, Response(TEXT, mimetype="text/html"), headers=BROWSER)

    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    assert brotli.decompress(response.get_data()) == TEXT
    assert len(response.get_data()) <= len(gzipped.get_data())


@pytest.mark.parametrize("mimetype", sorted(COMPRESSIBLE))
def test_every_text_type_is_compressed(app, mimetype):
    response = run(app, Response(TEXT, mimetype=mimetype))

    assert response.headers.get("Content-Encoding") == "gzip"


def test_an_error_page_goes_as_it_is(app):
    # Flask-Compress compresses successful responses only; error pages are small.
    response = run(app, Response(TEXT, status=404, mimetype="text/html"))

    assert "Content-Encoding" not in response.headers
    assert response.get_data() == TEXT
    assert "Accept-Encoding" in response.vary


@pytest.mark.parametrize("mimetype", ["image/jpeg", "image/png", "application/zip", "text/x-c"])
def test_other_types_are_left_alone(app, mimetype):
    response = run(app, Response(TEXT, mimetype=mimetype), headers=BROWSER)

    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.vary
    assert response.get_data() == TEXT


def test_the_request_keeps_the_header_it_came_with(app):
    with app.test_request_context("/somewhere", headers={"Accept-Encoding": "gzip;q=0, *"}):
        compress(Response(TEXT, mimetype="text/html"))
        assert request.headers["Accept-Encoding"] == "gzip;q=0, *"
    with app.test_request_context("/somewhere"):
        compress(Response(TEXT, mimetype="text/html"))
        assert "Accept-Encoding" not in request.headers


def test_a_small_response_is_not_worth_compressing(app):
    small = b"x" * (MIN_BYTES - 1)

    response = run(app, Response(small, mimetype="application/json"))

    assert "Content-Encoding" not in response.headers
    assert response.get_data() == small


def test_an_encoded_response_is_not_encoded_twice(app):
    already = Response(gzip.compress(TEXT), mimetype="text/html")
    already.headers["Content-Encoding"] = "gzip"

    response = run(app, already, headers=BROWSER)

    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == TEXT


def test_a_streamed_response_is_left_to_stream(app):
    def rows() -> Iterator[bytes]:
        yield from (b"a,b,c\n" for _ in range(200))

    response = run(app, Response(rows(), mimetype="text/csv"))

    assert response.is_streamed
    assert "Content-Encoding" not in response.headers


def test_a_sent_file_is_passed_through(app):
    with app.test_request_context("/export.csv", headers=GZIP):
        sent = send_file(io.BytesIO(TEXT), mimetype="text/csv", download_name="export.csv")
        response = compress(sent)
        assert response.direct_passthrough
        assert "Content-Encoding" not in response.headers
        response.close()


@pytest.mark.parametrize("status", [204, 206, 304])
def test_partial_empty_and_not_modified_responses_are_left_alone(app, status):
    response = run(app, Response(TEXT, status=status, mimetype="text/html"))

    assert "Content-Encoding" not in response.headers


def test_a_head_request_is_left_alone(app):
    response = run(app, Response(TEXT, mimetype="text/html"), method="HEAD")

    assert "Content-Encoding" not in response.headers


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_each_encoding_has_its_own_etag(app, encoding):
    original = Response(TEXT, mimetype="image/svg+xml")
    original.set_etag("abc123")

    response = run(app, original, headers={"Accept-Encoding": encoding})

    assert response.get_etag() == (f"abc123:{encoding}", False)


@pytest.mark.parametrize("headers", [GZIP, BROWSER])
def test_a_revalidation_of_the_compressed_variant_keeps_its_etag_and_vary(app, headers):
    client = app.test_client()
    css_url = "/static/style.css"

    first = client.get(css_url, headers=headers)
    again = client.get(css_url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    plain = client.get(css_url)

    encoding = first.headers["Content-Encoding"]
    assert first.headers["ETag"].endswith(f':{encoding}"')
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "Accept-Encoding" in again.vary
    assert plain.headers["ETag"] != first.headers["ETag"]
    assert "Content-Encoding" not in plain.headers
    assert client.get(css_url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("headers", [GZIP, BROWSER])
def test_the_stylesheet_is_compressed_but_not_for_head_or_a_byte_range(app, headers):
    client = app.test_client()
    css = (app.static_folder or "") + "/style.css"
    with open(css, "rb") as file:
        content = file.read()

    full = client.get("/static/style.css", headers=headers)
    head = client.head("/static/style.css", headers=headers)
    part = client.get("/static/style.css", headers={**headers, "Range": "bytes=0-99"})

    assert decoded(full) == content
    assert int(full.headers["Content-Length"]) == len(full.data)
    assert "Accept-Ranges" not in full.headers
    assert "Content-Encoding" not in head.headers
    assert part.status_code == 206
    assert part.data == content[:100]
    assert "Content-Encoding" not in part.headers
