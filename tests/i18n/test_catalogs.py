"""Message catalogs: complete, compilable, placeholders intact, in sync with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.settings import ROOT

TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_there_is_a_spanish_catalog() -> None:
    assert TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po" in CATALOGS


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_is_complete_and_compiles(path, tmp_path):
    catalog = load(path)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    with (tmp_path / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_translations_keep_their_placeholders(path):
    for message in load(path):
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(source))
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) == expected, (source, target)


def test_template_is_in_sync_with_the_code(tmp_path):
    """Every message in the code is in messages.pot (run `make translations` if not)."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    in_code = {m.id for m in load(fresh) if m.id}
    in_template = {m.id for m in load(TRANSLATIONS / "messages.pot") if m.id}
    assert in_code - in_template == set(), "run `make translations`"
    for path in CATALOGS:
        assert in_code - {m.id for m in load(path) if m.id} == set(), path


def test_there_is_a_catalog_for_every_interface_language(app):
    have = {path.parts[-3] for path in CATALOGS}
    assert have == set(app.config["LANGUAGES"]) - {"en"} == {"es", "fr", "rw", "sw", "qu"}


@pytest.mark.parametrize("locale", ["rw", "qu"])
def test_machine_assisted_catalogs_are_marked_for_community_review(locale):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    catalog = load(path)
    assert "community review needed" in catalog.language_team
    assert "COMMUNITY REVIEW NEEDED" in path.read_text(encoding="utf-8").split("msgid", 1)[0]
