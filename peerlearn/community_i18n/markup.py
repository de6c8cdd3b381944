"""Finding markup in a translation: HTML tags and character references.

Pure: no Flask, no database, no gettext. Interface texts are plain text: pages escape
every translation (``peerlearn.i18n``), so a tag or an ``&nbsp;`` in one would show up as
those very characters on every page in the language, and a translation that carries markup
is at best a mistake and at worst an attack on the people who read the site. Suggestions
and translators' own texts are therefore refused when they contain any, except the
tag-like text the English message itself has (``assignments/<slug>.yml``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

#: What a browser would start a tag, an end tag, a comment, a doctype or a processing
#: instruction with (``<`` then a letter, ``/``, ``!`` or ``?``; spaces after ``<`` are
#: refused too, so that no near-miss gets through), up to its ``>`` if there is one.
_TAG = re.compile(r"<\s*[A-Za-z/!?][^<>]*>?")
#: Character references: named (``&nbsp;``, ``&lt;``) and numeric (``&#60;``, ``&#x3c``,
#: with or without the semicolon, as browsers read them).
_REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*;|#[0-9]+;?|#[xX][0-9A-Fa-f]+;?)")
#: A found token is shown to the translator; a very long one is cut.
_SHOWN = 40


def tokens(text: str) -> list[str]:
    """The tags and character references in ``text``, in order, as written."""
    found = [(match.start(), match.group(0)) for match in _TAG.finditer(text)]
    found += [(match.start(), match.group(0)) for match in _REFERENCE.finditer(text)]
    return [token for _, token in sorted(found)]


def check(sources: Iterable[str], translation: str) -> tuple[str, ...]:
    """The markup of ``translation`` that its English forms ``sources`` do not have, each
    once and shortened for display; empty if there is none."""
    allowed: Counter[str] = Counter()
    for source in sources:
        allowed |= Counter(tokens(source))
    extra = Counter(tokens(translation)) - allowed
    shown = dict.fromkeys(_shorten(token) for token in extra.elements())
    return tuple(shown)


def _shorten(token: str) -> str:
    return token if len(token) <= _SHOWN else token[: _SHOWN - 1] + "…"
