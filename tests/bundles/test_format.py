"""The in-memory bundle shapes on their own: file names, media types, error wording."""

from __future__ import annotations

import pytest

from peerlearn.bundles.format import AssignmentFile, BundleError, MediaFile, ModuleDoc

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py


def test_module_file_name_pads_the_number_to_two_digits() -> None:
    assert ModuleDoc("m1", 1, "why-store-rain", "Why?", "").filename == "01-why-store-rain.md"
    assert ModuleDoc("m2", 12, "build", "Build", "").filename == "12-build.md"
    assert ModuleDoc("m3", 100, "more", "More", "").filename == "100-more.md"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("media/tank.png", "image/png"),
        ("media/photo.JPG", "image/jpeg"),
        ("media/nested/photo.v2.jpeg", "image/jpeg"),
        ("media/leaf.webp", "image/webp"),
        ("media/Flow.GIF", "image/gif"),
    ],
)
def test_media_type_follows_the_last_extension_in_any_case(path: str, content_type: str) -> None:
    assert MediaFile(path, b"").content_type == content_type


def test_assignment_file_lives_in_the_assignments_folder() -> None:
    assert AssignmentFile("gas-test", "", None).path == "assignments/gas-test.yml"  # type: ignore[arg-type]


def test_error_names_the_file_and_the_field() -> None:
    error = BundleError("course.yml", "is required", "title")

    assert str(error) == "course.yml: field 'title': is required"
    assert (error.file, error.field, error.message) == ("course.yml", "title", "is required")
    assert (error.code, error.params) == (None, {})


def test_error_without_a_field_names_the_file() -> None:
    error = BundleError("modules/01-a.md", "file is missing")

    assert str(error) == "modules/01-a.md: file is missing"
    assert error.field is None


def test_error_keeps_its_code_and_a_copy_of_its_params() -> None:
    params = {"max": 200}
    error = BundleError("a.yml", "is too long", "title", code="too_long", params=params)
    params["max"] = 1

    assert error.code == "too_long"
    assert error.params == {"max": 200}
