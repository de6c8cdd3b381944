"""Each catalog speaks to the reader in one register, the one it chose: Kinyarwanda the
polite plural "you" (mu-/mw-, -anyu, the register of public services and schools),
Spanish "usted", French "vous". A page that says "murakoze" in one line and "ryawe" in
the next reads as careless; the markers below only occur in the familiar register."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.settings import ROOT

TRANSLATIONS = ROOT / "translations"

#: Singular "you" in Kinyarwanda: the possessives "your" (-awe, for each noun class) and
#: "wowe" anywhere, and second-person singular verbs where they open a sentence (inside
#: one, "ufite"/"ushobora" may be a class-3 noun's verb: "umukoro ufite...").
RW_POSSESSIVE = re.compile(
    r"\b\w*?(?:ryawe|byawe|cyawe|yawe|zawe|wawe|kwawe|rwawe|bwawe|twawe)\b|\bwowe\b",
    re.IGNORECASE,
)
RW_SENTENCE_START = re.compile(
    r"(?:^|[.!?:;]\s+)(Winjire|Wandike|Ushobora|Ufite|Uri|Uzagaruke|Uzamenyeshwa|Uzasabe"
    r"|Wamaze|Watanze|Wasabye|Wahisemo|Wahaye|Watangiye|Wegereye|Wohereje)\b"
)
#: Singular "you" inside a sentence, where no noun class can be meant: a relative clause
#: ("Ibyo wohereje", what you sent; "Icyo wakora", what you can do) or a subjunctive after
#: "kandi" ("kandi wandike", and write). Class 3's verbs end in -a there ("umukoro
#: wavuguruwe kandi witirirwa..."), so only the -e subjunctive is flagged after "kandi".
RW_SINGULAR_CLAUSE = re.compile(r"\b(?:Ibyo|Icyo)\s+w[aeio]\w*|\bkandi\s+w\w*e\b", re.IGNORECASE)
#: "tú" in Spanish: its verbs, pronouns and possessive; "usted" says "tiene", "su".
ES_TU = re.compile(
    r"\b(tú|tienes|puedes|quieres|debes|eres|estás|has|vuelves|necesitas|sabes|ves|"
    r"te|ti|contigo|tu|tus)\b",
    re.IGNORECASE,
)
#: "tu" in French: its pronouns and possessives.
FR_TU = re.compile(r"\b(tu|toi|ton|ta|tes|t'|te)\b", re.IGNORECASE)


def translations(language: str) -> list[tuple[str, str]]:
    path: Path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((source, target) for target in targets if target)
    return pairs


def offenders(language: str, *patterns: re.Pattern[str]) -> list[tuple[str, str, str]]:
    found = []
    for source, target in translations(language):
        for pattern in patterns:
            for match in pattern.finditer(target):
                found.append((match.group(0).strip(" .!?:;"), source[:60], target[:120]))
    return found


def test_kinyarwanda_uses_the_polite_plural_you() -> None:
    assert offenders("rw", RW_POSSESSIVE, RW_SENTENCE_START, RW_SINGULAR_CLAUSE) == []


def test_spanish_uses_usted() -> None:
    assert offenders("es", ES_TU) == []


def test_french_uses_vous() -> None:
    assert offenders("fr", FR_TU) == []


@pytest.mark.parametrize(
    ("pattern", "familiar", "polite"),
    [
        (RW_POSSESSIVE, "Isuzuma ryawe ryoherejwe.", "Isuzuma ryanyu ryoherejwe."),
        (RW_SENTENCE_START, "Ikosa. Winjire mbere.", "Ikosa. Mwinjire mbere."),
        (RW_SINGULAR_CLAUSE, "Ibyo wohereje ni binini cyane.", "Ibyo mwohereje ni binini cyane."),
        (RW_SINGULAR_CLAUSE, "Yongereho kandi wandike.", "Mwongereho kandi mwandike."),
        (ES_TU, "Tu reseña está lista.", "Su reseña está lista."),
        (FR_TU, "Ta revue est prête.", "Votre revue est prête."),
    ],
)
def test_the_markers_tell_the_registers_apart(pattern, familiar, polite) -> None:
    assert pattern.search(familiar) and not pattern.search(polite)
