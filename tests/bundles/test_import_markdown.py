"""``peerlearn import-markdown``: lessons written for the Carpentries Workbench or MkDocs
become a bundle that ``peerlearn import`` accepts, and read on the site as they did there.

The fixture lessons in tests/data/lessons/ are small but real in shape: a Workbench lesson
with three episodes, a figure, a challenge holding a solution (with fences that nest the
way Pandoc reads them, not the way a naive renderer would) and links between episodes; an
MkDocs site with a nested nav, admonitions, an image, links, and things peerlearn cannot
convert, which the command must list rather than drop.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from peerlearn.bundles.markdown_import import (
    ImportOptions,
    ImportRefused,
    import_lessons,
)
from peerlearn.bundles.reader import read_bundle
from peerlearn.markdown import render_markdown
from tests.bundles.helpers import course, run_import
from tests.settings import ROOT

LESSONS = ROOT / "tests" / "data" / "lessons"
CARPENTRIES = LESSONS / "carpentries-rain"
MKDOCS = LESSONS / "mkdocs-solar"


def convert(runner, source: Path, target: Path, *extra: str):
    return runner.invoke(args=["peerlearn", "import-markdown", str(source), str(target), *extra])


def converted_and_imported(runner, source: Path, target: Path, *extra: str) -> str:
    """Convert ``source``, import the result, and return the converter's output."""
    result = convert(runner, source, target, *extra)
    assert result.exit_code == 0, result.output
    imported = run_import(runner, target)
    assert imported.exit_code == 0, imported.output
    assert ": created (" in imported.output
    return result.output


def module_links(html: str) -> list[tuple[str, str]]:
    """(href, title) of the course page's module list, in order."""
    return re.findall(r'<li><a href="(/courses/[^"/]+/m/[^"]+)">([^<]+)</a>', html)


def main_of(html: str) -> str:
    return html.split("<main", 1)[-1]


def check_images(client, html: str, expected: int) -> None:
    sources = re.findall(r'<img src="([^"]+)"', main_of(html))
    assert len([s for s in sources if "/media/" in s]) == expected, sources
    for src in sources:
        if "/media/" in src:
            assert client.get(src).status_code == 200, src


# --- Carpentries Workbench --------------------------------------------------------------


def test_a_carpentries_lesson_reads_on_the_site_as_episodes_in_order(runner, client, tmp_path):
    output = converted_and_imported(runner, CARPENTRIES, tmp_path / "rain")
    slug = "harvesting-rain-from-a-tin-roof"
    assert f"{slug}: wrote 5 files to {tmp_path / 'rain'}" in output

    imported = course(slug)
    assert imported is not None and imported.licence == "CC-BY-4.0"
    assert imported.author_names == ["The Carpentries Incubator (rain@example.org)"]
    assert imported.summary.startswith("This lesson shows how to collect the rain")
    page = client.get(f"/courses/{slug}").get_data(as_text=True)
    assert [title for _, title in module_links(page)] == [
        "Why harvest rain?",
        "Gutters that carry the water",
        "The first-flush diverter",
    ]

    intro = client.get(f"/courses/{slug}/m/why-harvest-rain").get_data(as_text=True)
    check_images(client, intro, expected=1)
    assert 'alt="A tin roof draining into a gutter"' in intro
    assert "<figcaption>A roof with its gutter</figcaption>" in intro
    assert 'class="callout callout-note"' in intro  # questions, objectives, keypoints
    assert f'href="/courses/{slug}/m/gutters-that-carry-the-water"' in intro
    assert ":::" not in main_of(intro)
    assert 'href="https://www.fao.org/land-water/water/en/"' in intro  # from links.md

    gutters = client.get(f"/courses/{slug}/m/gutters-that-carry-the-water").get_data(as_text=True)
    challenge = main_of(gutters).split('class="callout callout-tip"', 1)
    assert len(challenge) == 2, gutters  # the challenge is a callout...
    inside = challenge[1].split("</div>", 1)[0]
    assert '<details class="callout callout-solution">' in inside  # ...holding its solution
    assert "4 cm lower." in inside
    assert ":::" not in main_of(gutters)
    link = f'href="/courses/{slug}/m/the-first-flush-diverter#how-much-to-divert"'
    assert link in gutters
    diverter = client.get(f"/courses/{slug}/m/the-first-flush-diverter").get_data(as_text=True)
    assert 'id="how-much-to-divert"' in diverter
    assert f'href="/courses/{slug}/m/why-harvest-rain"' in diverter


def test_what_a_carpentries_lesson_cannot_bring_is_listed(runner, tmp_path):
    result = convert(runner, CARPENTRIES, tmp_path / "rain")

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert f"warning: {CARPENTRIES}/episodes/notes.md: not in config.yaml's episodes: list; " \
        "not imported" in warnings  # fmt: skip
    assert any("episodes/first-flush.md:20: link to ../learners/setup.md" in w for w in warnings), (
        warnings
    )
    assert any("episodes/gutters.md:25: instructor note" in w for w in warnings), warnings
    assert len(warnings) == 4 and "(carpentries: 3 modules, 1 images, 4 warnings)" in result.output


# --- MkDocs -----------------------------------------------------------------------------


def test_an_mkdocs_site_reads_on_the_site_in_nav_order(runner, client, tmp_path):
    converted_and_imported(runner, MKDOCS, tmp_path / "solar")

    imported = course("solar-home-systems")
    assert imported is not None
    assert imported.licence == "CC-BY-SA-4.0"  # from the copyright line
    assert imported.author_names == ["Amani Solar Collective"]
    assert imported.summary == "Size, wire and look after a small solar home system."
    page = client.get("/courses/solar-home-systems").get_data(as_text=True)
    assert [title for _, title in module_links(page)] == [
        "Home", "Your loads", "Panels", "The charge controller",
    ]  # fmt: skip

    loads = client.get("/courses/solar-home-systems/m/your-loads").get_data(as_text=True)
    check_images(client, loads, expected=1)
    assert '<div class="callout callout-note"' in loads and "Count every lamp" in loads
    assert '<details class="callout callout-solution"><summary>' in loads
    assert "Show the total" in loads and "!!!" not in loads and "???" not in loads
    assert 'href="/courses/solar-home-systems/m/panels#tilt"' in loads
    # The page's own "# Loads" heading is not repeated under the module's title.
    assert main_of(loads).count("<h1") == 1

    controller = client.get("/courses/solar-home-systems/m/the-charge-controller")
    assert 'href="/courses/solar-home-systems/m/your-loads"' in controller.get_data(as_text=True)
    home = client.get("/courses/solar-home-systems/m/home").get_data(as_text=True)
    assert 'href="/courses/solar-home-systems/m/your-loads"' in home


def test_what_an_mkdocs_site_cannot_bring_is_listed_with_file_and_line(runner, tmp_path):
    result = convert(runner, MKDOCS, tmp_path / "solar")

    assert result.exit_code == 0, result.output
    out = result.output
    assert f"warning: {MKDOCS}/docs/sizing/panels.md:7: {{% include %}} is not supported" in out
    assert f"warning: {MKDOCS}/docs/sizing/panels.md:10: kramdown attribute list" in out
    assert f"warning: {MKDOCS}/docs/wiring/controller.md:5: image docs/img/scan.bmp: " \
        "type .bmp not supported" in out  # fmt: skip
    assert f"warning: {MKDOCS}/docs/drafts.md: not in the nav of mkdocs.yml" in out
    assert "nav link to https://forum.example.org/solar is not a page" in out
    # The bundle carries only what it may: the .bmp stays out of media/.
    bundle = read_bundle(tmp_path / "solar")
    assert [m.path for m in bundle.media] == ["media/img/load-table.png"]


# --- Options and refusals ---------------------------------------------------------------


def test_options_set_slug_licence_language_and_authors(runner, tmp_path):
    result = convert(
        runner, CARPENTRIES, tmp_path / "out", "--slug", "lluvia", "--licence", "CC-BY-SA-4.0",
        "--language", "es", "--author", "Ana Quispe", "--author", "Jean Habimana",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    bundle = read_bundle(tmp_path / "out")
    assert (bundle.slug, bundle.licence, bundle.language) == ("lluvia", "CC-BY-SA-4.0", "es")
    assert bundle.authors == ("Ana Quispe", "Jean Habimana")


def test_an_unknown_licence_is_refused_with_the_valid_ones(runner, tmp_path):
    result = convert(runner, CARPENTRIES, tmp_path / "out", "--licence", "GPL-3.0")

    assert result.exit_code == 1
    assert "unknown licence 'GPL-3.0'; use one of CC-BY-SA-4.0, CC-BY-4.0, CC0-1.0, " \
        "CC-BY-NC-SA-4.0" in result.output  # fmt: skip
    assert not (tmp_path / "out").exists()


def test_a_source_licence_peerlearn_cannot_offer_is_refused(runner, tmp_path):
    source = shutil.copytree(CARPENTRIES, tmp_path / "src")
    config = source / "config.yaml"
    config.write_text(config.read_text().replace("'CC-BY 4.0'", "'CC-BY-ND 4.0'"))

    result = convert(runner, source, tmp_path / "out")

    assert result.exit_code == 1
    assert "config.yaml says the licence is 'CC-BY-ND 4.0'" in result.output
    assert "pass --licence with one of CC-BY-SA-4.0" in result.output


def test_converting_again_keeps_ids_so_the_import_updates_the_course(runner, tmp_path):
    converted_and_imported(runner, MKDOCS, tmp_path / "solar")
    target = tmp_path / "solar"
    assert convert(runner, MKDOCS, target).exit_code == 1  # not empty: needs --force

    source = shutil.copytree(MKDOCS, tmp_path / "src")
    (source / "docs" / "sizing" / "panels.md").write_text("# Panels\n\n## Tilt\n\nFace north.\n")
    result = convert(runner, source, target, "--force")
    assert result.exit_code == 0, result.output

    again = run_import(runner, target)
    assert again.exit_code == 0, again.output
    assert "solar-home-systems: updated (1 module changes)" in again.output


def test_a_folder_that_is_no_lesson_is_refused(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = convert(runner, tmp_path / "empty", tmp_path / "out")
    assert result.exit_code == 1
    assert "neither a Carpentries Workbench lesson" in result.output
    assert "Nothing was written." in result.output


# --- The pure converter -----------------------------------------------------------------


def test_fenced_divs_are_renumbered_so_the_renderer_nests_them_like_pandoc():
    """Pandoc closes the innermost div at any bare fence; the renderer would close the
    challenge at the solution's end. The converter's colon counts make both agree."""
    raw = (CARPENTRIES / "episodes" / "gutters.md").read_text()
    naive = str(render_markdown(raw.split("---\n", 2)[2]))
    assert "::::::" in naive  # what the page would show without the conversion

    bundle = import_lessons(CARPENTRIES, ImportOptions()).bundle
    html = str(render_markdown(bundle.modules[1].body))
    assert ":::" not in html
    tip = html.index('class="callout callout-tip"')
    solution = html.index('class="callout callout-solution"')
    instructor = html.index('class="callout callout-note"')
    assert tip < solution < html.index("</details>") < html.index("</div>") < instructor


@pytest.mark.parametrize(
    ("statement", "spdx"),
    [
        ("CC-BY 4.0", "CC-BY-4.0"),
        ("Creative Commons Attribution-ShareAlike 4.0 International", "CC-BY-SA-4.0"),
        ("CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0"),
        ("CC0", "CC0-1.0"),
    ],
)
def test_licence_statements_map_to_spdx_ids(tmp_path, statement, spdx):
    source = shutil.copytree(CARPENTRIES, tmp_path / "src")
    config = source / "config.yaml"
    config.write_text(config.read_text().replace("'CC-BY 4.0'", f"'{statement}'"))
    assert import_lessons(source).bundle.licence == spdx


def test_an_mkdocs_site_without_a_licence_needs_one(tmp_path):
    source = shutil.copytree(MKDOCS, tmp_path / "src")
    config = source / "mkdocs.yml"
    config.write_text(config.read_text().replace(", CC BY-SA 4.0", ""))
    with pytest.raises(ImportRefused, match="no licence found"):
        import_lessons(source)
    options = ImportOptions(licence="CC0-1.0")
    assert import_lessons(source, options).bundle.licence == "CC0-1.0"


def test_the_offline_package_resolves_images_and_links_between_episodes(runner, client, tmp_path):
    import io
    import posixpath
    import zipfile

    converted_and_imported(runner, CARPENTRIES, tmp_path / "rain")
    slug = "harvesting-rain-from-a-tin-roof"
    response = client.get(f"/courses/{slug}/offline.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    folder = f"{slug}/modules/"
    intro = archive.read(folder + "01-why-harvest-rain.html").decode()
    gutters = archive.read(folder + "02-gutters-that-carry-the-water.html").decode()
    image = re.search(r'<img src="([^"]+)"', intro)
    assert image and posixpath.normpath(folder + image.group(1)) in names, image
    assert '<a href="02-gutters-that-carry-the-water.html"' in intro
    assert '<a href="03-the-first-flush-diverter.html#how-much-to-divert"' in gutters
    assert f"{folder}03-the-first-flush-diverter.html" in names


def test_pandoc_div_classes_home_links_r_chunks_and_unknown_blocks(tmp_path):
    source = tmp_path / "lesson"
    (source / "episodes").mkdir(parents=True)
    (source / "config.yaml").write_text("title: Stoves\nepisodes:\n- fire.Rmd\n")
    (source / "episodes" / "fire.Rmd").write_text(
        "---\ntitle: Fire\n---\n\n"
        '::: {.callout title="Smoke"}\nOpen a window.\n:::\n\n'
        "::: tab\nOne tab.\n:::\n\n"
        "```{r, echo=FALSE}\nplot(1)\n```\n\n"
        "Back to [the lesson](../index.md).\n"
    )
    result = import_lessons(source, ImportOptions(authors=("Ana",)))

    body = result.bundle.modules[0].body
    html = str(render_markdown(body))
    assert "Smoke" in html and html.count('class="callout callout-note"') == 2
    assert ":::" not in html and "{.callout" not in html
    assert "```r\nplot(1)" in body
    assert "[the lesson](course.yml)" in body
    assert [str(f) for f in result.findings] == [
        "episodes/fire.Rmd:9: block 'tab' is not a kind of callout peerlearn knows; "
        "shown as a note",
        "episodes/fire.Rmd:13: R Markdown chunk shown as code; its output is not computed",
    ]


def test_a_lesson_holding_a_symbolic_link_is_refused(runner, tmp_path):
    """An episode or figure linked to a file outside the lesson must not become public."""
    secret = tmp_path / "secret.env"
    secret.write_text("PEERLEARN_SECRET_KEY=do-not-publish\n")
    source = shutil.copytree(CARPENTRIES, tmp_path / "src")
    (source / "episodes" / "gutters.md").unlink()
    (source / "episodes" / "gutters.md").symlink_to(secret)

    result = convert(runner, source, tmp_path / "out")

    assert result.exit_code == 1
    assert f"error: {source}/episodes/gutters.md: is a symbolic link" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kind", "config", "line", "expected"),
    [
        ("carpentries", "config.yaml", "lang: 'es'\n", "es"),
        ("mkdocs", "mkdocs.yml", None, "fr"),
        ("carpentries", "config.yaml", "lang: 'pt_BR'\n", "pt"),
    ],
)
def test_the_lessons_own_language_is_taken_unless_the_operator_says(
    runner, tmp_path, kind, config, line, expected
):
    source = tmp_path / "lesson"
    shutil.copytree(CARPENTRIES if kind == "carpentries" else MKDOCS, source)
    path = source / config
    text = path.read_text(encoding="utf-8")
    if line is None:
        theme = "theme:\n  name: material\n"
        text = text.replace(theme, theme + "  language: fr\n")
    else:
        text = line + text
    path.write_text(text, encoding="utf-8")
    assert convert(runner, source, tmp_path / "out").exit_code == 0
    assert read_bundle(tmp_path / "out").language == expected
    assert convert(runner, source, tmp_path / "again", "--language", "sw").exit_code == 0
    assert read_bundle(tmp_path / "again").language == "sw"


def test_a_language_that_is_no_code_is_reported_and_english_kept(runner, tmp_path):
    source = tmp_path / "lesson"
    shutil.copytree(CARPENTRIES, source)
    (source / "config.yaml").write_text(
        "lang: 'Klingonese'\n" + (CARPENTRIES / "config.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = convert(runner, source, tmp_path / "out")
    assert result.exit_code == 0
    assert "config.yaml: language 'Klingonese' is not a language code" in result.output
    assert read_bundle(tmp_path / "out").language == "en"
