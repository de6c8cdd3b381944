"""Reading a language's messages, listing them and exporting them (no database)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from peerlearn.community_i18n import catalog
from peerlearn.community_i18n.catalog import export_po, listing, load, message_key, plural_forms
from tests.settings import ROOT

POT = """\
msgid ""
msgstr ""
"Project-Id-Version: peerlearn 0.1\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#: peerlearn/a.py
msgid "Search courses"
msgstr ""

#: peerlearn/a.py
msgid "Modules"
msgstr ""

#: peerlearn/b.html
#, python-format
msgid "%(num)s course"
msgid_plural "%(num)s courses"
msgstr[0] ""
msgstr[1] ""

#: peerlearn/b.html
msgid "Log in"
msgstr ""

#: peerlearn/c.py
msgid "New in the template"
msgstr ""
"""

PO = """\
# Swahili translations for peerlearn.
msgid ""
msgstr ""
"Project-Id-Version: peerlearn 0.1\\n"
"Language: sw\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#: peerlearn/a.py
msgid "Search courses"
msgstr "Tafuta kozi"

#: peerlearn/a.py
msgid "Modules"
msgstr ""

#: peerlearn/b.html
#, python-format
msgid "%(num)s course"
msgid_plural "%(num)s courses"
msgstr[0] "kozi %(num)s"
msgstr[1] ""

#: peerlearn/b.html
#, fuzzy
msgid "Log in"
msgstr "Ingia"
"""


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    (tmp_path / "sw" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "messages.pot").write_text(POT, encoding="utf-8")
    (tmp_path / "sw" / "LC_MESSAGES" / "messages.po").write_text(PO, encoding="utf-8")
    return tmp_path


def test_messages_come_from_the_catalog_then_the_template(translations):
    messages = load(translations, "sw")
    assert [e.msgid for e in messages.entries] == [
        "Search courses", "Modules", "%(num)s course", "Log in", "New in the template",
    ]  # fmt: skip
    plural = messages.by_key[message_key("%(num)s course")]
    assert plural.msgid_plural == "%(num)s courses"
    assert plural.translation == ("kozi %(num)s", "")
    assert not plural.translated
    assert messages.by_key[message_key("Log in")].locations == ("peerlearn/b.html",)


def test_untranslated_come_first_and_overrides_count_as_translated(translations):
    messages = load(translations, "sw")
    overrides = {message_key("Modules"): ("Moduli",)}
    rows = listing(messages, overrides)
    assert [r.entry.msgid for r in rows] == [
        "%(num)s course", "New in the template", "Search courses", "Modules", "Log in",
    ]  # fmt: skip
    modules = rows[3]
    assert modules.current == ("Moduli",) and modules.overridden


def test_search_ignores_case_and_accents_and_looks_at_translations(translations):
    messages = load(translations, "sw")
    overrides = {message_key("Modules"): ("Módulí",)}
    assert [r.entry.msgid for r in listing(messages, overrides, "TAFUTA")] == ["Search courses"]
    assert [r.entry.msgid for r in listing(messages, overrides, "moduli")] == ["Modules"]
    assert [r.entry.msgid for r in listing(messages, overrides, "courses kozi")] == [
        "%(num)s course",
        "Search courses",
    ]
    assert listing(messages, overrides, "nothing like this") == []


def test_a_language_without_a_catalog_gets_the_template_and_babels_plural_forms(translations):
    messages = load(translations, "ru")
    assert len(messages.entries) == 5 and not any(e.translated for e in messages.entries)
    assert messages.num_plurals == 3
    assert messages.by_key[message_key("%(num)s course")].translation == ("", "", "")


def test_the_catalog_is_read_again_when_the_file_changes(translations):
    po = translations / "sw" / "LC_MESSAGES" / "messages.po"
    assert load(translations, "sw") is load(translations, "sw")
    po.write_text(PO.replace('msgstr "Tafuta kozi"', 'msgstr "Tafuta"'), encoding="utf-8")
    os.utime(po, ns=(1, 1))
    assert load(translations, "sw").by_key[message_key("Search courses")].translation == ("Tafuta",)


def test_plural_forms_are_named_with_examples():
    spanish = plural_forms("es", "(n != 1)", 2)
    assert [(f.category, f.examples) for f in spanish] == [
        ("one", (1,)),
        ("other", (0, 2, 3, 4, 5)),
    ]
    french = plural_forms("fr", "(n > 1)", 2)
    assert [f.category for f in french] == ["one", "other"] and french[0].examples == (0, 1)
    russian = load(ROOT / "translations", "ru").plural_forms
    assert [f.category for f in russian] == ["one", "few", "many"]
    # CLDR has no plural rules for Kinyarwanda: the forms are numbered, not named.
    assert [f.category for f in plural_forms("rw", "(n != 1)", 2)] == [None, None]


def test_export_applies_overrides_and_keeps_the_rest(translations):
    overrides = {
        message_key("Modules"): ("Moduli",),
        message_key("%(num)s course"): ("kozi %(num)s", "kozi %(num)s zote"),
        message_key("Log in"): ("Ingia sasa",),
        message_key("Gone from the code"): ("Haipo",),
    }
    data = export_po(translations, "sw", overrides)
    exported = read_po(io.BytesIO(data))
    assert exported.locale_identifier == "sw"
    assert exported["Modules"].string == "Moduli"
    assert exported["%(num)s course"].string == ("kozi %(num)s", "kozi %(num)s zote")
    assert exported["Log in"].string == "Ingia sasa" and not exported["Log in"].fuzzy
    assert exported["Search courses"].string == "Tafuta kozi"
    assert exported["New in the template"].string == ""
    assert exported.get("Gone from the code") is None
    assert exported.get("Search courses").locations == [("peerlearn/a.py", None)]


def test_export_without_overrides_gives_back_the_catalog_byte_for_byte():
    """Byte for byte but for the "Generated-By" header, which names the Babel version
    that writes the export, not the one that wrote the file."""
    spanish = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    generated_by = re.compile(rb'"Generated-By: Babel [^"]*"')
    exported = export_po(ROOT / "translations", "es", {})
    assert generated_by.sub(b"", exported) == generated_by.sub(b"", spanish.read_bytes())


def test_export_of_a_language_without_a_catalog_starts_one(translations):
    data = export_po(translations, "ru", {message_key("Modules"): ("Модули",)})
    exported = read_po(io.BytesIO(data))
    assert exported.num_plurals == 3
    assert exported["Modules"].string == "Модули"
    assert len([m for m in exported if m.id]) == 5


def test_message_keys_are_stable_and_tell_contexts_apart():
    assert message_key("Open") == message_key("Open")
    assert message_key("Open") != message_key("Open", "verb")
    assert len(catalog.message_key("x")) == 40
