"""Badge images: a PNG drawn per badge class, and "baking" — an Open Badges 2.0 assertion
written into the PNG as an ``iTXt`` chunk with the keyword ``openbadges``, so the image
file itself says what it certifies and where to check it.

Pure: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from PIL import Image, ImageDraw

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadges"
SIZE = 256

#: Fill colours by badge kind (course badges pick by course, from the first three).
_PALETTE = ("#2e7d32", "#1565c0", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457")


def badge_png(key: str, kind: str) -> bytes:
    """A 256-pixel medal: a coloured disc with a ribbon, its colour fixed by the badge's
    key, and a mark by kind (a tick for a course, a star for reviews, a plus for
    contributions). No text, so no font and nothing a title could break."""
    index = hashlib.sha256(key.encode("utf-8")).digest()[0] % len(_PALETTE)
    colour = _PALETTE[index]
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(88, 150), (60, 250), (100, 228), (128, 250), (128, 150)], fill="#b71c1c")
    draw.polygon([(168, 150), (196, 250), (156, 228), (128, 250), (128, 150)], fill="#c62828")
    draw.ellipse((28, 8, 228, 208), fill="#f9a825")
    draw.ellipse((44, 24, 212, 192), fill=colour)
    white = "#ffffff"
    if kind == "helpful-reviewer":
        points = [(128, 48), (146, 92), (194, 96), (158, 126), (170, 172),
                  (128, 146), (86, 172), (98, 126), (62, 96), (110, 92)]  # fmt: skip
        draw.polygon(points, fill=white)
    elif kind == "contributor":
        draw.rectangle((114, 58, 142, 158), fill=white)
        draw.rectangle((78, 94, 178, 122), fill=white)
    else:
        draw.line([(84, 110), (116, 144), (174, 74)], fill=white, width=22, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        chunks.append((kind, png[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def bake(png: bytes, text: str) -> bytes:
    """``png`` with an uncompressed ``iTXt`` ``openbadges`` chunk holding ``text`` (the
    assertion JSON) just before ``IEND``; any earlier ``openbadges`` chunk is dropped."""
    itxt = KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, data in _chunks(png):
        if kind == b"iTXt" and data.split(b"\x00", 1)[0] == KEYWORD:
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", itxt))
        out.append(_chunk(kind, data))
    return b"".join(out)


def unbake(png: bytes) -> str | None:
    """The text of the ``openbadges`` chunk, or None."""
    for kind, data in _chunks(png):
        if kind != b"iTXt":
            continue
        keyword, rest = data.split(b"\x00", 1)
        if keyword != KEYWORD:
            continue
        compressed, _method = rest[0], rest[1]
        _language, _translated, text = rest[2:].split(b"\x00", 2)
        return (zlib.decompress(text) if compressed else text).decode("utf-8")
    return None
