"""A photo with more pixels than a phone takes by default is refused from its header.

Before, anything up to 50 megapixels was decoded: a 62 KB PNG of 49 MP cost ~1.8 s of CPU
and a few hundred MiB, because PNG (unlike JPEG) cannot be decoded at a reduced size.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from peerlearn.assignments.forms import PHOTO_MESSAGES
from peerlearn.assignments.photos import MAX_PIXELS, PhotoError, process_photo
from tests.fixtures.buildlogs import LOG, upload


def _encode(size: tuple[int, int], fmt: str, mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any image's pixels are decoded."""

    def refuse(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.mark.parametrize(
    ("size", "fmt"),
    [
        pytest.param((7000, 7000), "PNG", id="the 49 MP PNG of the report"),
        pytest.param((6000, 6000), "PNG", id="36 MP PNG"),
        pytest.param((8064, 6048), "JPEG", id="48 MP JPEG of a phone's full-resolution mode"),
        pytest.param((6600, 5000), "WEBP", id="33 MP WebP"),
    ],
)
def test_more_than_32_megapixels_is_refused_before_decoding(no_decoding, size, fmt):
    data = _encode(size, fmt)
    assert len(data) < 2 * 1024 * 1024  # small files: the cost is in the pixels

    with pytest.raises(PhotoError) as caught:
        process_photo(data)

    assert caught.value.code == "too_many_pixels"


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((5712, 4284), id="24.5 MP: a recent iPhone's default"),
        pytest.param((6000, 4000), id="24 MP camera"),
        pytest.param((6000, 4500), id="27 MP: bench/photo_accept.py"),
    ],
)
def test_what_cameras_take_by_default_is_accepted(size):
    assert MAX_PIXELS == 32_000_000
    assert process_photo(_encode(size, "JPEG", "RGB")).display_size[0] == 1280


def test_the_message_names_the_limit_and_what_to_do():
    message = str(PHOTO_MESSAGES["too_many_pixels"])
    assert f"more than {MAX_PIXELS // 1_000_000} megapixels" in message
    assert "normal size" in message


def test_the_learner_is_told_in_their_language(client, started, add_entry):
    client.submit("/settings", {"language": "es", "timezone": "UTC"})
    entry = add_entry()

    response = upload(
        client, f"{LOG}/entries/{entry}/photos", _encode((7000, 7000), "PNG"), f"p{entry}"
    )

    assert response.status_code == 422
    assert "más de 32 megapíxeles" in response.get_data(as_text=True)
