"""Build-log fixtures: a course with an assignment, an enrolled learner, real image files."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

COURSE = "biogas"
ASSIGNMENT = "gas-test"
PAGE = f"/courses/{COURSE}/a/{ASSIGNMENT}"
LOG = PAGE + "/log"


@pytest.fixture
def course(create_course, create_user):
    return create_course(COURSE, maintainer=create_user("maintainer"))


@pytest.fixture
def assignment(course, create_assignment):
    return create_assignment(
        course, slug=ASSIGNMENT, submission_deadline="2099-03-04T23:59:00-04:00"
    )


@pytest.fixture
def learner(client, login, create_user, assignment):
    """A learner signed in and enrolled, with no build log yet."""
    user = create_user("amina")
    login(user)
    assert client.submit(f"/courses/{COURSE}/enrol").status_code == 302
    return user


@pytest.fixture
def started(client, learner):
    assert client.submit(LOG + "/start").status_code == 302
    return learner


@pytest.fixture
def add_entry(client) -> Callable[..., Any]:
    """Add an entry through the form; returns the new entry's id."""

    def add(text: str = "Dug the trench.", day: str = "2026-05-01", **extra: Any) -> int:
        from peerlearn.assignments.models import BuildLogEntry
        from peerlearn.extensions import db

        response = client.submit(
            LOG + "/entries", {"new-entry_date": day, "new-text": text, **extra}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return db.session.scalar(db.select(db.func.max(BuildLogEntry.id)))

    return add


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "green", exif: Any = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(buffer, "JPEG", **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG whose header claims 400 megapixels: crafted, never decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def forged_png() -> bytes:
    """Starts like a PNG, then is not one."""
    return b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(1)</script></html>" * 20


def upload(
    client: Any, path: str, data: bytes, prefix: str, caption: str = "The trench", **form: Any
) -> Any:
    return client.post(
        path,
        data={
            "csrf_token": client.csrf_token(),
            f"{prefix}-photo": (io.BytesIO(data), "photo.jpg"),
            f"{prefix}-caption": caption,
            **form,
        },
        content_type="multipart/form-data",
    )
