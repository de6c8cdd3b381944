"""Text folding for catalog search, pure so that both databases search the same way.

SQLite's LIKE folds only ASCII letters and PostgreSQL's ILIKE keeps accents, so a learner
typing "biogas" would miss "Biogás". We store a folded copy of the searchable text and
fold the query the same way, then a plain LIKE behaves identically everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_TERMS = 8


def fold(text: str) -> str:
    """Lowercase and strip accents: "Energía Solar" -> "energia solar"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def searchable_text(title: str, summary: str, tags: Iterable[str]) -> str:
    return fold("\n".join([title, summary, " ".join(tags)]))


def query_terms(query: str) -> list[str]:
    """The folded words of a query, each to be matched somewhere in the searchable text."""
    return [term for term in fold(query).split() if term][:MAX_TERMS]


def like_pattern(term: str) -> str:
    """A LIKE pattern that matches ``term`` literally anywhere (escape character ``\\``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
