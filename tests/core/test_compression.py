"""Gzip for text responses (peerlearn/compression.py): only when the client accepts it,
only where it helps, and never in a way that confuses a cache or a byte range."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator

import pytest
from flask import Flask, Response, send_file

from peerlearn.compression import COMPRESSIBLE, MIN_BYTES, accepts_gzip, compress

TEXT = ("<p>A tube digester makes gas from cow dung and water.</p>\n" * 40).encode()
GZIP = {"Accept-Encoding": "gzip, deflate"}


def run(
    app: Flask,
    response: Response,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> Response:
    with app.test_request_context("/somewhere", method=method, headers=headers or GZIP):
        return compress(response)


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;Q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        (None, False),
        ("", False),
        ("identity", False),
        ("deflate, br", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000, deflate", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),  # an explicit refusal wins over the wildcard
        ("*;q=0, gzip", True),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(header, accepted):
    assert accepts_gzip(header) is accepted


def test_a_page_is_gzipped_with_its_length_and_vary(app):
    response = run(app, Response(TEXT, mimetype="text/html"))

    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    assert "Accept-Encoding" in response.vary
    assert gzip.decompress(response.get_data()) == TEXT
    assert len(response.get_data()) < len(TEXT) // 3


@pytest.mark.parametrize("mimetype", sorted(COMPRESSIBLE))
def test_every_text_type_is_compressed(app, mimetype):
    response = run(app, Response(TEXT, mimetype=mimetype))

    assert response.headers.get("Content-Encoding") == "gzip"


def test_an_error_page_is_compressed_too(app):
    response = run(app, Response(TEXT, status=404, mimetype="text/html"))

    assert response.headers.get("Content-Encoding") == "gzip"


@pytest.mark.parametrize("mimetype", ["image/jpeg", "image/png", "application/zip", "text/x-c"])
def test_other_types_are_left_alone(app, mimetype):
    response = run(app, Response(TEXT, mimetype=mimetype))

    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.vary
    assert response.get_data() == TEXT


@pytest.mark.parametrize(
    "header", [None, "identity", "deflate, br", "gzip;q=0", "gzip;q=0, *;q=1", "*;q=0"]
)
def test_a_client_that_does_not_accept_gzip_gets_the_page_as_it_is(app, header):
    response = run(
        app, Response(TEXT, mimetype="text/html"), headers={"Accept-Encoding": header or ""}
    )

    assert "Content-Encoding" not in response.headers
    assert response.get_data() == TEXT
    assert "Accept-Encoding" in response.vary  # a cache must not hand it the gzipped one


def test_a_small_response_is_not_worth_compressing(app):
    small = b"x" * (MIN_BYTES - 1)

    response = run(app, Response(small, mimetype="application/json"))

    assert "Content-Encoding" not in response.headers
    assert response.get_data() == small


def test_an_encoded_response_is_not_encoded_twice(app):
    already = Response(gzip.compress(TEXT), mimetype="text/html")
    already.headers["Content-Encoding"] = "gzip"

    response = run(app, already)

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


@pytest.mark.parametrize("weak", [False, True])
def test_the_compressed_variant_has_a_weak_etag(app, weak):
    original = Response(TEXT, mimetype="image/svg+xml")
    original.set_etag("abc123", weak=weak)

    response = run(app, original)

    assert response.get_etag() == ("abc123", True)


def test_a_revalidation_of_the_gzipped_variant_keeps_its_etag_and_vary(app):
    client = app.test_client()
    css_url = "/static/style.css"

    first = client.get(css_url, headers=GZIP)
    again = client.get(css_url, headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    plain = client.get(css_url)

    assert first.headers["ETag"].startswith('W/"')
    assert first.headers["Content-Encoding"] == "gzip"
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "Accept-Encoding" in again.vary
    assert not plain.headers["ETag"].startswith("W/")
    assert "Content-Encoding" not in plain.headers


def test_the_stylesheet_is_gzipped_but_not_for_head_or_a_byte_range(app):
    client = app.test_client()
    css = (app.static_folder or "") + "/style.css"
    with open(css, "rb") as file:
        content = file.read()

    full = client.get("/static/style.css", headers=GZIP)
    head = client.head("/static/style.css", headers=GZIP)
    part = client.get("/static/style.css", headers={**GZIP, "Range": "bytes=0-99"})

    assert gzip.decompress(full.data) == content
    assert "Accept-Ranges" not in full.headers
    assert "Content-Encoding" not in head.headers
    assert part.status_code == 206
    assert part.data == content[:100]
    assert "Content-Encoding" not in part.headers
