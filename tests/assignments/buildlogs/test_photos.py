"""Photos in entries: accepted ones served by content address, refused ones explained."""

from __future__ import annotations

import io
import re

import pytest
from PIL import ExifTags, Image

from peerlearn.assignments.models import EntryPhoto, PhotoBlob
from peerlearn.extensions import db
from tests.fixtures.buildlogs import LOG, forged_png, jpeg_bytes, png_bomb, upload

PHOTO_URL = re.compile(
    r'<a href="(/photos/[0-9a-f]{64}\.jpg)"><img src="(/photos/[0-9a-f]{64}-thumb\.jpg)"'
)


def _gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S",
        ExifTags.GPS.GPSLatitude: (1.0, 56.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (30.0, 3.0, 40.0),
    }
    data = jpeg_bytes((2000, 1500), "tan", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def test_photo_is_shown_sized_lazy_with_its_caption_and_served_without_exif(
    client, started, add_entry
):
    entry = add_entry()
    response = upload(
        client, f"{LOG}/entries/{entry}/photos", _gps_jpeg(), f"p{entry}", "Trench, 1 m deep"
    )
    assert response.status_code == 302
    page = client.get(LOG).get_data(as_text=True)
    display, thumb = PHOTO_URL.search(page).groups()
    assert re.search(r'width="320" height="240" alt="Trench, 1 m deep" loading="lazy"', page)
    assert "amina" not in display and "amina" not in thumb

    served = client.get(display)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # A draft's photo may be removed: browsers revalidate (tests/security/test_removed_photos).
    assert served.headers["Cache-Control"] == "private, no-cache"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (1280, 960)
    assert not image.getexif() and b"Exif" not in served.data and b"PhoneCo" not in served.data
    assert Image.open(io.BytesIO(client.get(thumb).data)).size == (320, 240)


def test_unknown_or_malformed_photo_address_is_404(client, started):
    assert client.get("/photos/" + "a" * 64 + ".jpg").status_code == 404
    assert client.get("/photos/../../etc/passwd").status_code == 404
    assert client.get("/photos/abc.jpg").status_code == 404


def test_same_photo_twice_is_stored_once(client, started, add_entry):
    entry = add_entry()
    for caption in ("Before", "Again"):
        upload(client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(), f"p{entry}", caption)
    assert db.session.scalar(db.select(db.func.count(PhotoBlob.id))) == 1
    assert db.session.scalar(db.select(db.func.count(EntryPhoto.id))) == 2


def test_a_caption_is_required(client, started, add_entry):
    entry = add_entry()
    response = upload(client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(), f"p{entry}", "")
    assert response.status_code == 400
    assert "the caption is read to people who cannot see it" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(EntryPhoto.id))) == 0


TRUNCATED = jpeg_bytes((400, 300), "red")[:300]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (forged_png(), 422, "This file is not a JPEG, PNG or WebP photo."),
        (png_bomb(), 422, "The photo has too many pixels"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            422,
            "This file is not a JPEG, PNG or WebP photo.",
        ),
        (TRUNCATED, 422, "The photo arrived incomplete or damaged."),
        (b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), 413, "The photo is larger than 10 MB."),
    ],
    ids=["forged-png", "bomb", "svg", "truncated", "over-10mb"],
)
def test_a_refused_photo_on_a_new_entry_keeps_text_and_caption(
    client, started, data, status, message
):
    response = upload(
        client, LOG + "/entries", data, "new", "My trench",
        **{"new-entry_date": "2026-05-01", "new-text": "Dug 1 m deep"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in page
    assert "Dug 1 m deep</textarea>" in page and 'value="My trench"' in page
    from peerlearn.assignments.models import BuildLogEntry

    assert db.session.scalar(db.select(db.func.count(BuildLogEntry.id))) == 0


def test_a_refused_photo_on_an_entry_keeps_the_caption(client, started, add_entry):
    entry = add_entry("Poured the floor.")
    response = upload(client, f"{LOG}/entries/{entry}/photos", png_bomb(), f"p{entry}", "Floor")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "too many pixels" in page and 'value="Floor"' in page and "Poured the floor." in page


def test_an_upload_over_the_request_limit_gets_a_clear_413(client, started, add_entry):
    entry = add_entry()
    response = upload(
        client,
        f"{LOG}/entries/{entry}/photos",
        b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024),
        f"p{entry}",
    )
    assert response.status_code == 413
    assert "The photo is larger than 10 MB." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(EntryPhoto.id))) == 0


def test_other_forms_keep_the_small_limit(client, started):
    response = client.submit(LOG, {"title": "x", "summary": "y" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_six_photos_per_entry_then_remove_one(client, started, add_entry):
    entry = add_entry()
    colours = ["red", "green", "blue", "yellow", "purple", "orange", "black"]
    for colour in colours[:6]:
        assert (
            upload(
                client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(color=colour), f"p{entry}"
            ).status_code
            == 302
        )
    response = upload(
        client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(color="black"), f"p{entry}"
    )
    assert response.status_code == 409
    assert "at most 6 photos" in response.get_data(as_text=True)
    photo = db.session.scalar(db.select(EntryPhoto.id).order_by(EntryPhoto.id))
    assert client.submit(f"{LOG}/entries/{entry}/photos/{photo}/delete").status_code == 302
    assert db.session.scalar(db.select(db.func.count(EntryPhoto.id))) == 5
    assert db.session.scalar(db.select(db.func.count(PhotoBlob.id))) == 6  # blobs are kept


def test_new_entry_with_a_good_photo(client, started):
    response = upload(
        client, LOG + "/entries", jpeg_bytes(), "new", "Site",
        **{"new-entry_date": "2026-05-01", "new-text": "Chose the site"},
    )  # fmt: skip
    assert response.status_code == 302
    assert 'alt="Site"' in client.get(LOG).get_data(as_text=True)
