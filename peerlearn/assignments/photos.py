"""The one place an uploaded photo is checked and re-encoded before anyone else sees it.

Build-log photos come from phones: large, sideways-stored JPEGs that carry GPS coordinates
of a learner's home, uploaded over slow connections and viewed over slow connections. So an
upload is never stored as sent. :func:`process_photo` checks it is really a JPEG, PNG or
WebP (by its bytes and by what Pillow finds, never by file name or claimed content type),
refuses decompression bombs from the header before decoding, decodes it, turns it upright,
and writes two new files from the pixels alone: a display image of at most 1280 px and a
thumbnail of at most 320 px. Nothing of the original file survives but its pixels: no EXIF,
GPS, XMP, ICC profile or comment.

Output format: JPEG (quality 82, progressive) for anything opaque, since every browser shows
it and a progressive JPEG is already recognisable after its first few kilobytes on a slow
connection. Photos with real transparency (a cut-out part, a diagram) become lossy WebP with
lossless alpha: at 1280 px a PNG of a photo is typically ten times the size, and every
browser in use since 2020 shows WebP. An alpha channel that is fully opaque everywhere (many
PNG screenshots) is dropped, and the image becomes a JPEG.

Pure: no Flask, no database. Failures raise :class:`PhotoError` with a short ``code`` the
form layer turns into a translated message; no Pillow exception leaves this module. It
relies on Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` keeping its default (False), or
truncated uploads would be accepted with a grey bottom.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

__all__ = [
    "DISPLAY_MAX_SIDE",
    "MAX_BYTES",
    "MAX_PIXELS",
    "THUMBNAIL_MAX_SIDE",
    "PhotoError",
    "PhotoErrorCode",
    "ProcessedPhoto",
    "process_photo",
]

#: Default upload limit; a 48-megapixel phone JPEG is 8-12 MB.
MAX_BYTES = 10 * 1024 * 1024
#: Refused from the header, before decoding. Every pixel costs CPU and memory, whatever the
#: file size: PNG and WebP decode them all, and so does a progressive JPEG's coefficient
#: buffer, so a 62 KB PNG of 49 MP took ~1.8 s and an RGBA one ~400 MiB (a progressive
#: 4:4:4 JPEG of 48 MP ~320 MiB). 32 MP is above what phones take by default (12 MP; 24.5 MP
#: on recent iPhones, 5712 x 4284) and 24 MP cameras (6000 x 4000), and below the 48-200 MP
#: full-resolution modes a person has to switch on, whose detail the 1280 px display image
#: would throw away anyway. At the limit the worst file costs about two thirds of before.
MAX_PIXELS = 32_000_000
DISPLAY_MAX_SIDE = 1280
THUMBNAIL_MAX_SIDE = 320
JPEG_QUALITY = 82
WEBP_QUALITY = 82
#: A large JPEG is decoded by libjpeg at 1/2, 1/4 or 1/8 scale (``Image.draft``), but never
#: below this many times the display size, so the final Lanczos resize still has detail to
#: work with (the margin Pillow's own ``thumbnail()`` uses). For a 6000 x 4500 photo
#: (bench/photo_accept.py) this decodes 3000 x 2250: peak memory grows by ~43 MiB instead
#: of ~104 MiB for the full-size decode, and it is ~25% faster. A factor of 1 would save
#: another ~25% of time, at the cost of resampling from a barely larger image.
_DRAFT_FACTOR = 2

PhotoErrorCode = Literal["too_large", "not_an_image", "truncated", "too_many_pixels", "unreadable"]


class PhotoError(ValueError):
    """An upload that is refused; ``code`` says why, so the form can tell the person what to do.

    - ``too_large``: more bytes than allowed.
    - ``not_an_image``: not a JPEG, PNG or WebP (text, SVG, HTML, PDF, GIF, ...), including
      files that start like one but that Pillow cannot recognise.
    - ``truncated``: the file stops early, usually a broken upload; sending it again helps.
    - ``too_many_pixels``: wider times higher than :data:`MAX_PIXELS` (a decompression bomb).
    - ``unreadable``: a JPEG, PNG or WebP whose pixels cannot be decoded (damaged data).
    """

    def __init__(self, code: PhotoErrorCode) -> None:
        super().__init__(code)
        self.code: PhotoErrorCode = code


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """A re-encoded photo ready to store; display and thumbnail share ``content_type``."""

    display: bytes
    display_size: tuple[int, int]
    thumbnail: bytes
    thumbnail_size: tuple[int, int]
    content_type: str
    #: Hex SHA-256 of ``display``: the storage key, so the same photo is stored once.
    sha256: str


# Pillow's format name for each accepted signature. MPO is how Pillow reports the
# multi-picture JPEGs some phone cameras write; its first picture is an ordinary JPEG.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
_ACCEPTED = {"JPEG": {"JPEG", "MPO"}, "PNG": {"PNG"}, "WEBP": {"WEBP"}}

# EXIF orientation -> the transpose that makes the picture upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_SRGB = ImageCms.createProfile("sRGB")


def process_photo(data: bytes, *, max_bytes: int = MAX_BYTES) -> ProcessedPhoto:
    """Verify an uploaded photo and re-encode it as a display image and a thumbnail.

    Raises :class:`PhotoError` for anything that is not an acceptable photo. Only the
    first frame of an animated PNG or WebP is kept.
    """
    if len(data) > max_bytes:
        raise PhotoError("too_large")
    kind = _sniff(data)
    if kind is None:
        raise PhotoError("not_an_image")
    try:
        # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that; our own
        # MAX_PIXELS check below is the real gate, the warning is refused in case someone
        # lowered Pillow's limit under ours. (catch_warnings is process-wide; at worst another
        # thread's warning filters are briefly different, our own check still holds.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            display = _decode_display(data, kind)
        thumbnail = _shrink(display, THUMBNAIL_MAX_SIDE)
        display_bytes, content_type = _encode(display)
        thumbnail_bytes, _ = _encode(thumbnail)
    except PhotoError:
        raise
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, struct.error...)
        raise PhotoError(_failure_code(exc, data, kind)) from exc
    return ProcessedPhoto(
        display=display_bytes,
        display_size=display.size,
        thumbnail=thumbnail_bytes,
        thumbnail_size=thumbnail.size,
        content_type=content_type,
        sha256=hashlib.sha256(display_bytes).hexdigest(),
    )


def _sniff(data: bytes) -> str | None:
    """Pillow's name for the format the first bytes announce, if it is one we accept."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    return None


def _decode_display(data: bytes, kind: str) -> Image.Image:
    """Decode to an upright, sRGB, L/RGB/RGBA image of at most the display size.

    The returned image is built from pixels only, so no metadata can follow it into a file.
    """
    with Image.open(io.BytesIO(data), formats=(kind,)) as source:
        if source.format not in _ACCEPTED[kind]:
            raise PhotoError("not_an_image")
        width, height = source.size
        if width * height > MAX_PIXELS:
            raise PhotoError("too_many_pixels")
        if source.format in _ACCEPTED["JPEG"]:
            # The display box is square, so the target is the same before and after rotation.
            target_w, target_h = _fit(source.size, DISPLAY_MAX_SIDE)
            source.draft(None, (target_w * _DRAFT_FACTOR, target_h * _DRAFT_FACTOR))
        source.load()
        orientation = _orientation(source)
        icc_profile = source.info.get("icc_profile")
        image = _to_working_mode(source)
    image = _shrink(image, DISPLAY_MAX_SIDE)
    image = _to_srgb(image, icc_profile)
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    if orientation in _UPRIGHT:
        # After the resize: turning a 1280 px image is cheaper than turning the full one.
        image = image.transpose(_UPRIGHT[orientation])
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8); 1 if missing or unreadable, since broken EXIF should not
    cost a learner their photo, only its rotation."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) else 1


def _to_working_mode(image: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB, RGBA or CMYK (CMYK waits for its ICC profile)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    if image.mode in ("L", "RGB", "CMYK"):
        return image
    if image.mode.startswith("I"):
        # 16-bit greyscale PNG: convert("L") would clip everything above 255 to white.
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert to sRGB through the embedded profile, which is about to be dropped.

    Without this, wide-gamut phone photos (Display P3) would look dull and CMYK JPEGs wrong.
    A profile that cannot be used is ignored rather than costing the upload.
    """
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
        except Exception:
            pass
        else:
            if converted is not None:
                return converted
    return image.convert("RGB") if image.mode == "CMYK" else image


def _fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``size`` scaled down to fit a ``max_side`` square, keeping its proportions."""
    width, height = size
    longest = max(width, height)
    if longest <= max_side:
        return size
    scale = max_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink(image: Image.Image, max_side: int) -> Image.Image:
    """``image`` fitted into a ``max_side`` square; small images are never enlarged."""
    size = _fit(image.size, max_side)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _encode(image: Image.Image) -> tuple[bytes, str]:
    """Encode an L/RGB/RGBA image: WebP when it has alpha, JPEG otherwise (see module doc)."""
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        return buffer.getvalue(), "image/webp"
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue(), "image/jpeg"


def _failure_code(exc: Exception, data: bytes, kind: str) -> PhotoErrorCode:
    """Turn a Pillow failure into a code a person can act on."""
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return "too_many_pixels"
    if isinstance(exc, UnidentifiedImageError):
        return "not_an_image"
    # Pillow has no exception type for truncation, only messages such as "image file is
    # truncated" and "Truncated File Read"; the end-of-file check catches the rest.
    if isinstance(exc, EOFError) or "truncated" in str(exc).lower() or _incomplete(data, kind):
        return "truncated"
    return "unreadable"


def _incomplete(data: bytes, kind: str) -> bool:
    """Whether the file lacks its format's end marker (used only to explain a failure:
    phones may append data after a JPEG's end, so this cannot refuse a file on its own)."""
    if kind == "JPEG":
        return not data.endswith(b"\xff\xd9")
    if kind == "PNG":
        return b"IEND" not in data[-64:]
    riff_size = int.from_bytes(data[4:8], "little")
    return len(data) < riff_size + 8
