"""Baking writes the assertion into the PNG where any reader finds it (Pillow, here), and
the drawn badge is a valid image; no app, no database."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from peerlearn.recognition.baking import badge_png, bake, unbake

pytestmark = pytest.mark.pure

TEXT = '{"id": "https://example.org/badges/assertions/x", "name": "Ñandú — 日本"}'


@pytest.mark.parametrize("kind", ["course", "helpful-reviewer", "contributor"])
def test_each_kind_draws_a_256_pixel_png(kind):
    image = Image.open(io.BytesIO(badge_png(f"{kind}-1", kind)))
    assert image.format == "PNG" and image.size == (256, 256)


def test_the_drawing_is_the_same_every_time():
    assert badge_png("course-3", "course") == badge_png("course-3", "course")


def test_baked_text_reads_back_with_pillow_and_with_unbake():
    baked = bake(badge_png("course-1", "course"), TEXT)
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.text["openbadges"] == TEXT
    assert unbake(baked) == TEXT


def test_baking_again_replaces_the_earlier_assertion():
    once = bake(badge_png("course-1", "course"), TEXT)
    twice = bake(once, "second")
    assert unbake(twice) == "second"
    assert twice.count(b"openbadges") == 1


def test_an_unbaked_image_has_no_assertion_and_other_files_are_refused():
    assert unbake(badge_png("course-1", "course")) is None
    with pytest.raises(ValueError):
        bake(b"GIF89a", TEXT)
