"""The reader and writer on their own: no database, just folders and text."""

from __future__ import annotations

import re

import pytest

from peerlearn.bundles.format import BundleError
from peerlearn.bundles.reader import find_bundles, read_bundle
from peerlearn.bundles.writer import bundle_files, course_yaml, module_text
from peerlearn.licences import LICENCES
from tests.bundles.helpers import (
    COURSE_ID,
    COURSE_YML,
    MODULE_1,
    MODULE_2,
    MODULE_FILES,
    edit,
    folder_files,
    image_bytes,
)
from tests.settings import ROOT


def test_reads_every_part_of_the_bundle(bundle):
    read = read_bundle(bundle)

    assert (read.id, read.slug, read.language, read.licence) == (
        COURSE_ID, "rain-tank", "en", "CC-BY-SA-4.0",
    )  # fmt: skip
    assert read.summary.endswith("how to build the tank.\n")
    assert read.authors == ("Ana Quispe", "Jean Habimana")
    assert read.tags == ("water", "construction")
    assert (read.forked_from, read.translation_of) == (None, None)
    assert [(m.id, m.position, m.slug, m.title) for m in read.modules] == [
        (MODULE_1[1], 1, "why-store-rain", "Why store rain?"),
        (MODULE_2[1], 2, "build-the-tank", "Build the tank"),
    ]
    assert [(m.path, m.content_type) for m in read.media] == [("media/tank.png", "image/png")]


def test_body_is_everything_after_the_closing_line_verbatim(bundle):
    body = "\n# Title  \n\n---\n\ntext with trailing spaces   \n\n\nno newline at the end"
    (bundle / MODULE_1[0]).write_bytes(f"---\nid: m1\ntitle: T\n---\n{body}".encode())

    module = read_bundle(bundle).modules[0]

    assert module.body == body
    assert module_text(module) == f"---\nid: m1\ntitle: T\n---\n{body}"


def test_crlf_and_byte_order_mark_are_read_as_plain_lf(bundle, tmp_path):
    expected = read_bundle(bundle)
    for name in ("course.yml", *MODULE_FILES):
        text = (bundle / name).read_text(encoding="utf-8")
        (bundle / name).write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode())

    read = read_bundle(bundle)

    assert read == expected
    assert not any("\r" in m.body for m in read.modules) and "\r" not in read.summary
    assert bundle_files(read)["course.yml"] == COURSE_YML.encode()


@pytest.mark.parametrize(
    ("change", "file", "field", "text"),
    [
        (("course.yml", "licence: CC-BY-SA-4.0\n", ""), "course.yml", "licence", "is required"),
        (("course.yml", "CC-BY-SA-4.0", "GPL-3.0"), "course.yml", "licence", "unknown licence"),
        (("course.yml", "- water", "- clean_water"), "course.yml", "tags", "not a tag"),
        ((MODULE_2[0], MODULE_2[1], MODULE_1[1]), MODULE_2[0], "id", "also used by"),
        ((MODULE_1[0], "title: Why", "summary: x\ntitle: Why"), MODULE_1[0], "summary", "unknown"),
        ((MODULE_1[0], "---\nid:", "id:"), MODULE_1[0], None, "front matter"),
    ],
    ids=["missing", "licence", "tag", "module-id", "module-field", "no-front-matter"],
)
def test_error_names_the_file_and_field(bundle, change, file, field, text):
    edit(bundle / change[0], change[1], change[2])

    with pytest.raises(BundleError) as caught:
        read_bundle(bundle)

    error = caught.value
    assert error.file == str(bundle / file)
    assert error.field == field
    assert text in error.message
    where = f"{bundle / file}: field '{field}'" if field else str(bundle / file)
    assert str(error) == f"{where}: {error.message}"


def test_media_size_limit_can_be_configured(bundle):
    with pytest.raises(BundleError, match="larger than 0 MB") as caught:
        read_bundle(bundle, media_max_bytes=10)
    assert caught.value.file == str(bundle / "media" / "tank.png")
    assert read_bundle(bundle, media_max_bytes=10_000).media


def test_media_may_live_in_subfolders_and_dotfiles_are_skipped(bundle):
    (bundle / "media" / "steps").mkdir()
    (bundle / "media" / "steps" / "01.jpeg").write_bytes(image_bytes("JPEG"))
    (bundle / "media" / ".thumbs").mkdir()
    (bundle / "media" / ".thumbs" / "x.txt").write_text("cache")

    media = read_bundle(bundle).media

    assert [(m.path, m.content_type) for m in media] == [
        ("media/steps/01.jpeg", "image/jpeg"),
        ("media/tank.png", "image/png"),
    ]


@pytest.mark.parametrize("tags", ["tags: []\n", "tags:\n"])
def test_tags_modules_and_media_may_be_empty(bundle, tags):
    edit(bundle / "course.yml", "tags:\n- water\n- construction\n", tags)
    for path in (*(bundle / "modules").iterdir(), *(bundle / "media").iterdir()):
        path.unlink()

    read = read_bundle(bundle)

    assert (read.tags, read.modules, read.media) == ((), (), ())
    assert "tags: []\n" in course_yaml(read)


def test_three_digit_module_numbers(bundle):
    (bundle / MODULE_2[0]).rename(bundle / "modules" / "100-build-the-tank.md")
    (bundle / MODULE_1[0]).rename(bundle / "modules" / "007-why-store-rain.md")

    read = read_bundle(bundle)

    assert [m.position for m in read.modules] == [7, 100]
    # Export writes the canonical name: at least two digits.
    assert [m.filename for m in read.modules] == ["07-why-store-rain.md", "100-build-the-tank.md"]


def test_writer_output_is_canonical(bundle):
    (bundle / "course.yml").write_text(
        "# kept by the Rwanda group\n"
        "tags: [water, construction]\n"
        "authors: ['Ana Quispe', \"Jean Habimana\"]\n"
        "licence: CC-BY-SA-4.0\nlanguage: en\n"
        'summary: "Collect rain from a tin roof and store it in a tank of wire mesh and mortar.'
        '\\nTwo short modules: why to store rain, and how to build the tank.\\n"\n'
        "title: 'Build a ferrocement rain tank'\nslug: rain-tank\n"
        f"id: {COURSE_ID}\n"
    )

    files = bundle_files(read_bundle(bundle))

    assert files["course.yml"].decode() == COURSE_YML
    assert {name: files[name].decode() for name in MODULE_FILES} == MODULE_FILES


def test_single_line_text_is_written_plainly_and_provenance_last(bundle):
    edit(bundle / "course.yml", "summary: |\n  Collect", "summary: Collect")
    edit(bundle / "course.yml", "mortar.\n  Two short modules:", "mortar. Two short modules -")
    text = (bundle / "course.yml").read_text() + "forked_from: abc-1\ntranslation_of: def.2\n"
    (bundle / "course.yml").write_text(text)

    assert course_yaml(read_bundle(bundle)) == text


def test_tags_key_is_required_even_when_empty(bundle):
    edit(bundle / "course.yml", "tags:\n- water\n- construction\n", "")
    with pytest.raises(BundleError, match="is required") as caught:
        read_bundle(bundle)
    assert caught.value.field == "tags"


def test_find_bundles_takes_one_bundle_or_a_folder_of_them(bundle, tmp_path):
    assert find_bundles(bundle) == [bundle]
    assert find_bundles(bundle.parent) == [bundle]
    with pytest.raises(BundleError, match=r"no course\.yml"):
        find_bundles(tmp_path / "src" / "rain-tank" / "modules")


def test_written_files_read_back_the_same(bundle, tmp_path):
    read = read_bundle(bundle)
    for name, content in bundle_files(read).items():
        (tmp_path / "copy" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "copy" / name).write_bytes(content)

    assert read_bundle(tmp_path / "copy") == read
    assert folder_files(tmp_path / "copy") == folder_files(bundle)


def test_documented_example_is_a_valid_canonical_bundle(tmp_path):
    doc = (ROOT / "docs" / "course-format.md").read_text(encoding="utf-8")
    example = doc[doc.index("## A complete example") :]
    files = re.findall(r"`rain-tank/([^`]+)`:\n\n```\w*\n(.*?)```\n", example, re.S)
    assert [name for name, _ in files] == ["course.yml", MODULE_1[0], MODULE_2[0]]
    for name, text in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode())
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "tank.png").write_bytes(image_bytes())

    written = bundle_files(read_bundle(tmp_path))

    assert {name: written[name].decode() for name, _ in files} == dict(files)


def test_every_licence_is_documented():
    doc = (ROOT / "docs" / "course-format.md").read_text(encoding="utf-8")
    for licence in LICENCES.values():
        assert f"| `{licence.spdx}` | {licence.name} |" in doc
