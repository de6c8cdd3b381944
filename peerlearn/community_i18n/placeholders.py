"""Checking that a translation keeps the placeholders of its English message.

Pure: no Flask, no database, no gettext. A translation that drops ``%(name)s`` loses
information; one that adds ``%(nmae)s`` or a lone ``%`` breaks the page that shows it
(templates always format their messages, so a stray ``%`` raises). The caller turns the
problems into messages in the user's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

#: A printf-style conversion as Python's ``%`` operator reads it; without a conversion
#: character it is a lone ``%``.
_CONVERSION = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])?"
)


class Problem(StrEnum):
    #: A placeholder of the English text is not in the translation.
    MISSING = "missing"
    #: The translation has a placeholder the English text does not have.
    EXTRA = "extra"
    #: The translation has a ``%`` (or ``%%``) where the English text has none.
    PERCENT = "percent"


@dataclass(frozen=True)
class PlaceholderProblem:
    problem: Problem
    #: The placeholders concerned, as written ("%(name)s"), sorted.
    tokens: tuple[str, ...]


def conversions(text: str) -> tuple[set[str], set[str]]:
    """The named placeholders (``%(num)d``) and the other ``%`` sequences of ``text``."""
    named: set[str] = set()
    other: set[str] = set()
    for match in _CONVERSION.finditer(text):
        token = match.group(0)
        if match.group("name") is not None and match.group("type") not in (None, "%"):
            named.add(token)
        elif token == "%%":
            other.add(token)
        elif match.group("type") or match.group("name") is not None:
            other.add(token)  # "%s", or a broken placeholder such as "%(name)"
        else:
            other.add("%")
    return named, other


def check(sources: Iterable[str], translation: str) -> list[PlaceholderProblem]:
    """What is wrong with ``translation`` of the message whose English forms are
    ``sources`` (the msgid, and the msgid_plural if any): an empty list if nothing.

    The translation must have exactly the named placeholders of the English text (all
    forms together), and may use ``%%`` or a lone ``%`` only where the English text does.
    """
    expected: set[str] = set()
    allowed: set[str] = set()
    for source in sources:
        named, other = conversions(source)
        expected |= named
        allowed |= other
    named, other = conversions(translation)
    problems = []
    if missing := expected - named:
        problems.append(PlaceholderProblem(Problem.MISSING, tuple(sorted(missing))))
    if extra := named - expected:
        problems.append(PlaceholderProblem(Problem.EXTRA, tuple(sorted(extra))))
    if stray := other - allowed:
        problems.append(PlaceholderProblem(Problem.PERCENT, tuple(sorted(stray))))
    return problems
