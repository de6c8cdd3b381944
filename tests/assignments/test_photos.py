"""Uploaded photos: what is accepted, what is refused, and what survives re-encoding.

Every file is made here with Pillow (or crafted byte by byte); no binary fixtures.
"""

from __future__ import annotations

import hashlib
import io
import random
import resource
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from peerlearn.assignments.photos import (
    DISPLAY_MAX_SIDE,
    THUMBNAIL_MAX_SIDE,
    PhotoError,
    process_photo,
)

RED, BLUE = (220, 20, 20), (20, 20, 220)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def photo(size: tuple[int, int]) -> Image.Image:
    """A photo-like RGB image: a smooth gradient with some noise, so encoders behave."""
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 30).convert("L")
    return Image.merge("RGB", (gradient, noise, gradient.rotate(90).resize(size)))


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(data: bytes, **params: int) -> str:
    with pytest.raises(PhotoError) as caught:
        process_photo(data, **params)
    return caught.value.code


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# --- accepted ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "size", "display_size", "thumbnail_size"),
    [
        ("JPEG", (3000, 2000), (1280, 853), (320, 213)),
        ("PNG", (1500, 2000), (960, 1280), (240, 320)),
        ("WEBP", (1600, 1200), (1280, 960), (320, 240)),
    ],
)
def test_accepts_jpeg_png_webp_and_scales_them_down(
    fmt: str,
    size: tuple[int, int],
    display_size: tuple[int, int],
    thumbnail_size: tuple[int, int],
) -> None:
    params = {"compress_level": 1} if fmt == "PNG" else {}
    result = process_photo(encode(photo(size), fmt, **params))

    assert result.content_type == "image/jpeg"
    assert result.display_size == display_size
    assert result.thumbnail_size == thumbnail_size
    display, thumbnail = reopen(result.display), reopen(result.thumbnail)
    assert (display.format, display.size) == ("JPEG", display_size)
    assert (thumbnail.format, thumbnail.size) == ("JPEG", thumbnail_size)
    assert max(display.size) <= DISPLAY_MAX_SIDE
    assert max(thumbnail.size) <= THUMBNAIL_MAX_SIDE
    assert result.sha256 == hashlib.sha256(result.display).hexdigest()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_small_images_are_not_upscaled(fmt: str) -> None:
    result = process_photo(encode(photo((200, 120)), fmt))

    assert result.display_size == (200, 120)
    assert result.thumbnail_size == (200, 120)
    assert reopen(result.display).size == (200, 120)


def test_a_medium_image_keeps_its_size_but_gets_a_smaller_thumbnail() -> None:
    result = process_photo(encode(photo((1000, 500)), "JPEG"))

    assert result.display_size == (1000, 500)
    assert result.thumbnail_size == (320, 160)


def test_the_same_photo_gives_the_same_storage_key() -> None:
    data = encode(photo((800, 600)), "JPEG")

    assert process_photo(data).sha256 == process_photo(data).sha256


def test_multi_picture_jpeg_from_a_phone_is_accepted() -> None:
    first = Image.new("RGB", (400, 300), RED)
    data = encode(first, "MPO", save_all=True, append_images=[Image.new("RGB", (400, 300))])

    result = process_photo(data)

    assert result.display_size == (400, 300)
    assert close(reopen(result.display).getpixel((200, 150)), RED)


# --- transparency and colour modes ---------------------------------------------------------


def cut_out(mode: str = "RGBA") -> Image.Image:
    """A red square on a transparent background."""
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((*RED, 255), (100, 50, 300, 250))
    return image if mode == "RGBA" else image.convert(mode)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(encode(cut_out(), "PNG"), id="RGBA PNG"),
        pytest.param(encode(cut_out(), "WEBP", lossless=True), id="RGBA WebP"),
        pytest.param(encode(cut_out().convert("LA"), "PNG"), id="LA PNG"),
        pytest.param(
            encode(cut_out().convert("P"), "PNG", transparency=0),
            id="palette PNG with a transparent colour",
        ),
    ],
)
def test_transparency_is_kept_in_a_webp(data: bytes) -> None:
    result = process_photo(data)

    assert result.content_type == "image/webp"
    for output in (result.display, result.thumbnail):
        image = reopen(output)
        assert image.format == "WEBP"
        assert image.mode == "RGBA"
    display = reopen(result.display)
    assert display.getpixel((10, 10))[3] == 0
    assert display.getpixel((200, 150))[3] == 255


def test_an_alpha_channel_that_is_opaque_everywhere_gives_a_jpeg() -> None:
    data = encode(photo((300, 200)).convert("RGBA"), "PNG")

    result = process_photo(data)

    assert result.content_type == "image/jpeg"
    assert reopen(result.display).mode == "RGB"


@pytest.mark.parametrize(
    ("image", "fmt", "expected"),
    [
        pytest.param(Image.new("CMYK", (200, 100), (0, 255, 255, 0)), "JPEG", (237, 28, 36)),
        pytest.param(Image.new("RGB", (200, 100), BLUE).convert("P"), "PNG", BLUE, id="P"),
        pytest.param(Image.new("L", (200, 100), 128), "JPEG", (128,), id="L"),
        pytest.param(Image.new("I;16", (200, 100), 32896), "PNG", (128,), id="16-bit grey"),
        pytest.param(Image.new("1", (200, 100), 1), "PNG", (255,), id="1-bit"),
    ],
)
def test_colour_modes_are_converted_sensibly(
    image: Image.Image, fmt: str, expected: tuple[int, ...]
) -> None:
    result = process_photo(encode(image, fmt))

    display = reopen(result.display)
    assert result.content_type == "image/jpeg"
    assert display.mode in ("L", "RGB")
    pixel = display.getpixel((100, 50))
    assert close(pixel if isinstance(pixel, tuple) else (pixel,), expected, tolerance=60)


# --- metadata and orientation ---------------------------------------------------------------


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S",
        ExifTags.GPS.GPSLatitude: (1.0, 56.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (30.0, 3.0, 40.0),
    }
    return exif


def test_gps_exif_is_gone_from_the_output() -> None:
    data = encode(photo((600, 400)), "JPEG", exif=phone_exif())
    assert reopen(data).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really has GPS

    result = process_photo(data)

    for output in (result.display, result.thumbnail):
        assert b"Exif" not in output
        image = reopen(output)
        assert not image.getexif()
        assert "exif" not in image.info


SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret-xmp</x:xmpmeta>"


def png_text() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret home address")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    return info


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            encode(photo((600, 400)), "JPEG", exif=phone_exif(), comment=b"secret", xmp=XMP),
            id="JPEG",
        ),
        pytest.param(
            encode(
                photo((600, 400)),
                "JPEG",
                exif=phone_exif(),
                icc_profile=SRGB_ICC,
                comment=b"secret",
                xmp=XMP,
            ),
            id="JPEG with ICC profile",
        ),
        pytest.param(
            encode(photo((1600, 1200)), "JPEG", exif=phone_exif(), comment=b"secret", xmp=XMP),
            id="large JPEG",
        ),
        pytest.param(
            encode(photo((600, 400)), "PNG", pnginfo=png_text(), icc_profile=SRGB_ICC),
            id="PNG",
        ),
        pytest.param(
            encode(cut_out(), "PNG", pnginfo=png_text(), exif=phone_exif()),
            id="transparent PNG",
        ),
        pytest.param(
            encode(photo((600, 400)), "WEBP", exif=phone_exif(), xmp=XMP, icc_profile=SRGB_ICC),
            id="WebP",
        ),
    ],
)
def test_all_other_metadata_is_gone_too(data: bytes) -> None:
    result = process_photo(data)

    for output in (result.display, result.thumbnail):
        assert b"secret" not in output
        assert b"ICC_PROFILE" not in output
        assert b"ICCP" not in output
        assert b"adobe" not in output
        assert b"Exif" not in output
        image = reopen(output)
        assert not image.getexif()
        assert not {"exif", "icc_profile", "comment", "xmp", "Comment"} & image.info.keys()


def test_metadata_is_stripped_from_transparent_output() -> None:
    data = encode(cut_out(), "PNG", exif=phone_exif())

    result = process_photo(data)

    assert result.content_type == "image/webp"
    assert b"EXIF" not in result.display
    assert b"Exif" not in result.display
    assert not reopen(result.display).getexif()


def test_a_sideways_phone_photo_comes_out_upright() -> None:
    # Stored 300 x 200 with orientation 6: the camera was turned a quarter clockwise, so
    # the viewer must turn the picture a quarter clockwise and the stored top-left corner
    # ends up at the top right.
    stored = Image.new("RGB", (300, 200), BLUE)
    stored.paste(RED, (0, 0, 100, 80))
    data = encode(stored, "JPEG", exif=phone_exif(orientation=6))

    result = process_photo(data)

    assert result.display_size == (200, 300)
    assert result.thumbnail_size == (200, 300)
    display = reopen(result.display)
    assert display.size == (200, 300)
    assert close(display.getpixel((190, 10)), RED)
    assert close(display.getpixel((10, 10)), BLUE)


def test_a_large_sideways_photo_is_turned_and_scaled() -> None:
    data = encode(photo((2000, 1500)), "JPEG", exif=phone_exif(orientation=8))

    result = process_photo(data)

    assert result.display_size == (960, 1280)
    assert result.thumbnail_size == (240, 320)


# --- refused ----------------------------------------------------------------------------------


def test_a_png_header_followed_by_garbage_is_refused() -> None:
    data = b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(4000)

    assert refusal(data) == "not_an_image"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_cut_off_upload_is_truncated(fmt: str) -> None:
    data = encode(photo((800, 600)), fmt)

    assert refusal(data[: len(data) * 2 // 3]) == "truncated"


def test_damaged_pixel_data_is_refused() -> None:
    data = bytearray(encode(photo((400, 300)), "PNG"))
    start = data.index(b"IDAT") + 4
    data[start : start + 200] = bytes(200)

    assert refusal(bytes(data)) in ("unreadable", "truncated")


def crafted_png(width: int, height: int) -> bytes:
    """A small valid PNG whose header claims ``width`` x ``height``."""
    data = bytearray(encode(Image.new("1", (8, 8)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def crafted_jpeg(width: int, height: int) -> bytes:
    """A small valid JPEG whose start-of-frame segment claims ``width`` x ``height``."""
    data = bytearray(encode(Image.new("L", (8, 8)), "JPEG"))
    at = 2
    while data[at + 1] not in (0xC0, 0xC1, 0xC2):
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(crafted_png(20_000, 20_000), id="PNG 400 MP"),
        pytest.param(crafted_jpeg(20_000, 20_000), id="JPEG 400 MP"),
        pytest.param(crafted_png(10_000, 10_000), id="PNG 100 MP (Pillow only warns)"),
        pytest.param(crafted_png(8_000, 8_000), id="PNG 64 MP (our limit)"),
    ],
)
def test_decompression_bombs_are_refused_before_decoding(data: bytes) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    assert refusal(data) == "too_many_pixels"

    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 100


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"just some notes about my digester\n", id="text"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script></svg>',
            id="SVG",
        ),
        pytest.param(b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)>", id="HTML"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", id="PDF"),
        pytest.param(encode(photo((64, 48)), "GIF"), id="GIF"),
        pytest.param(encode(photo((64, 48)), "BMP"), id="BMP"),
        pytest.param(encode(photo((64, 48)), "TIFF"), id="TIFF"),
        pytest.param(b"RIFF\x10\x00\x00\x00AVI LIST", id="RIFF that is not WebP"),
    ],
)
def test_anything_but_jpeg_png_webp_is_not_an_image(data: bytes) -> None:
    assert refusal(data) == "not_an_image"


def test_a_file_over_the_limit_is_too_large() -> None:
    data = encode(photo((400, 300)), "JPEG")

    assert refusal(data, max_bytes=len(data) - 1) == "too_large"
    assert process_photo(data, max_bytes=len(data)).display_size == (400, 300)


def test_the_default_limit_is_ten_megabytes() -> None:
    assert refusal(b"\xff\xd8\xff" + bytes(10 * 1024 * 1024)) == "too_large"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_corrupted_files_never_raise_anything_but_photo_error(fmt: str) -> None:
    original = encode(photo((120, 90)), fmt)
    rng = random.Random(fmt)
    for _ in range(40):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            process_photo(bytes(data))
        except PhotoError as error:
            assert error.code in ("not_an_image", "truncated", "unreadable", "too_many_pixels")
