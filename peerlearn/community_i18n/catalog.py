"""The interface messages of one language as ``translations/`` has them, and the ``.po``
file with the approved overrides applied.

A language's messages are those of ``translations/<locale>/LC_MESSAGES/messages.po``,
plus any message of ``messages.pot`` that catalog does not have yet; a language the site
offers without a catalog of its own (just added to ``LANGUAGES``) gets the template's
messages, all untranslated, with the plural forms Babel knows for it. Reading a catalog
takes a moment, so each process keeps what it read until the file changes.

No Flask and no database here: callers pass the translations directory and the overrides.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

#: Numbers tried to find which plural form each number takes, for the forms' labels.
_SAMPLE_NUMBERS = range(0, 201)
_EXAMPLES_SHOWN = 5


def message_key(msgid: str, context: str | None = None) -> str:
    """A stable, address-friendly id for a message: what gettext looks it up by (its
    context and its msgid), hashed."""
    return hashlib.sha1(f"{context or ''}\x04{msgid}".encode()).hexdigest()


def fold(text: str) -> str:
    """Text for accent- and case-insensitive search ("Módulos" and "modulos" match)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class PluralForm:
    """One plural form of a language, as its catalog's ``Plural-Forms`` numbers it."""

    index: int
    #: The CLDR name of the form ("one", "few", "other") when CLDR tells the forms apart
    #: the way the catalog does; None for languages where it does not (then show "Form 2").
    category: str | None
    #: A few numbers that take this form (0-200), to show translators.
    examples: tuple[int, ...]


@dataclass(frozen=True)
class Entry:
    """One interface message and its translation in the catalog."""

    key: str
    msgid: str
    msgid_plural: str | None
    context: str | None
    #: The catalog's text: one string, or one per plural form; "" where untranslated.
    translation: tuple[str, ...]
    #: Source files that use the message, so a translator can see where it appears.
    locations: tuple[str, ...]
    #: Folded English text and catalog translation, for search.
    search_text: str = field(repr=False)

    @property
    def is_plural(self) -> bool:
        return self.msgid_plural is not None

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.msgid, self.msgid_plural) if self.msgid_plural is not None else (self.msgid,)

    @property
    def translated(self) -> bool:
        return all(self.translation)


@dataclass(frozen=True)
class LocaleCatalog:
    locale: str
    entries: tuple[Entry, ...]
    by_key: Mapping[str, Entry]
    num_plurals: int
    plural_expr: str
    plural_forms: tuple[PluralForm, ...]
    #: Which plural form a number takes (``gettext.c2py`` of ``plural_expr``).
    plural: Callable[[int], int] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Listed:
    """A message as the list page shows it: the text in use and where it comes from."""

    entry: Entry
    #: The text in use: the approved override if any, else the catalog's.
    current: tuple[str, ...]
    overridden: bool

    @property
    def translated(self) -> bool:
        return all(self.current)


def po_path(directory: Path, locale: str) -> Path:
    return directory / locale / "LC_MESSAGES" / "messages.po"


def load(directory: Path, locale: str) -> LocaleCatalog:
    """The messages of ``locale`` (cached per process until the files change)."""
    po, pot = po_path(directory, locale), directory / "messages.pot"
    return _load(locale, str(po), _mtime(po), str(pot), _mtime(pot))


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@lru_cache(maxsize=32)
def _load(
    locale: str, po: str, po_mtime: int | None, pot: str, pot_mtime: int | None
) -> LocaleCatalog:
    catalog = _read(Path(po), locale) if po_mtime is not None else None
    template = _read(Path(pot)) if pot_mtime is not None else None
    num_plurals, plural_expr = _plural_info(locale, catalog)
    entries: dict[str, Entry] = {}
    for message in _messages(catalog, template):
        entry = _entry(message, num_plurals)
        entries.setdefault(entry.key, entry)
    return LocaleCatalog(
        locale=locale,
        entries=tuple(entries.values()),
        by_key=entries,
        num_plurals=num_plurals,
        plural_expr=plural_expr,
        plural_forms=plural_forms(locale, plural_expr, num_plurals),
        plural=gettext.c2py(plural_expr),
    )


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _plural_info(locale: str, catalog: Catalog | None) -> tuple[int, str]:
    if catalog is not None and catalog.locale is not None:
        return catalog.num_plurals, catalog.plural_expr
    try:
        info = get_plural(locale)
    except (UnknownLocaleError, ValueError):
        return 2, "(n != 1)"
    return info.num_plurals, info.plural_expr


def _messages(catalog: Catalog | None, template: Catalog | None) -> Iterable[Message]:
    """The catalog's messages, then the template's that the catalog does not have."""
    seen: set[str] = set()
    for source in (catalog, template):
        for message in source or ():
            if not message.id:
                continue
            key = message_key(_msgid(message), message.context)
            if key not in seen:
                seen.add(key)
                yield message if source is catalog else _untranslated(message)


def _msgid(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple | list) else message.id)


def _untranslated(message: Message) -> Message:
    string: str | tuple[str, ...] = ("",) if isinstance(message.id, tuple | list) else ""
    return Message(
        message.id,
        string,
        locations=message.locations,
        flags=message.flags - {"fuzzy"},
        auto_comments=message.auto_comments,
        user_comments=message.user_comments,
        context=message.context,
    )


def _entry(message: Message, num_plurals: int) -> Entry:
    if isinstance(message.id, tuple | list):
        msgid, msgid_plural = str(message.id[0]), str(message.id[1])
        strings = [str(s or "") for s in (message.string or ())]
        translation = tuple((strings + [""] * num_plurals)[:num_plurals])
    else:
        msgid, msgid_plural = str(message.id), None
        translation = (str(message.string or ""),)
    locations = tuple(dict.fromkeys(str(filename) for filename, _line in message.locations))
    searchable = " ".join([msgid, msgid_plural or "", *translation])
    return Entry(
        key=message_key(msgid, message.context),
        msgid=msgid,
        msgid_plural=msgid_plural,
        context=message.context,
        translation=translation,
        locations=locations,
        search_text=fold(searchable),
    )


def plural_forms(locale: str, plural_expr: str, num_plurals: int) -> tuple[PluralForm, ...]:
    """Describe each plural form: the numbers that take it and, when CLDR agrees with the
    catalog's ``Plural-Forms``, its name ("one", "other")."""
    which = gettext.c2py(plural_expr)
    examples: list[list[int]] = [[] for _ in range(num_plurals)]
    for number in _SAMPLE_NUMBERS:
        index = which(number)
        if 0 <= index < num_plurals:
            examples[index].append(number)
    categories: list[str | None] = [None] * num_plurals
    try:
        rule = Locale.parse(locale.replace("-", "_")).plural_form
    except (UnknownLocaleError, ValueError):
        rule = None
    if rule is not None:
        names = [{rule(n) for n in numbers} for numbers in examples]
        found = [next(iter(n)) if len(n) == 1 else None for n in names]
        if None not in found and len(set(found)) == num_plurals:
            categories = found
    return tuple(
        PluralForm(index, categories[index], tuple(examples[index][:_EXAMPLES_SHOWN]))
        for index in range(num_plurals)
    )


# --- The list of messages --------------------------------------------------------------


def listing(
    catalog: LocaleCatalog,
    overrides: Mapping[str, Sequence[str]],
    query: str = "",
    keys: set[str] | None = None,
) -> list[Listed]:
    """The messages to list, untranslated first (neither the catalog nor an override has
    them), each group in catalog order.

    ``query`` keeps the messages whose English text, catalog text or override contains
    every word of it, ignoring case and accents; ``keys``, if given, keeps only those.
    """
    words = fold(query).split()
    rows = []
    for entry in catalog.entries:
        if keys is not None and entry.key not in keys:
            continue
        override = overrides.get(entry.key)
        current = _fit(override, len(entry.translation)) if override else None
        if words:
            haystack = entry.search_text
            if current is not None:
                haystack += " " + fold(" ".join(current))
            if not all(word in haystack for word in words):
                continue
        rows.append(Listed(entry, current or entry.translation, current is not None))
    rows.sort(key=lambda row: row.translated)  # stable: catalog order within each group
    return rows


def _fit(forms: Sequence[str], count: int) -> tuple[str, ...] | None:
    """An override's forms, or None if they do not fit the catalog (its plural forms
    changed since the override was approved)."""
    return tuple(forms) if len(forms) == count else None


# --- Export ---------------------------------------------------------------------------


def export_po(
    directory: Path,
    locale: str,
    overrides: Mapping[str, Sequence[str]],
    now: datetime | None = None,
) -> bytes:
    """The language's ``.po`` file with the approved overrides in place of the catalog's
    text (read afresh, so comments and order stay as they are in ``translations/``).

    Overrides of messages the catalog no longer has are left out; an override makes its
    message no longer fuzzy.
    """
    po = po_path(directory, locale)
    pot = directory / "messages.pot"
    catalog = _read(po, locale) if po.exists() else _new_catalog(locale, pot)
    if pot.exists():
        known = {message_key(_msgid(m), m.context) for m in catalog if m.id}
        for message in _read(pot):
            if message.id and message_key(_msgid(message), message.context) not in known:
                catalog[message.id] = _untranslated(message)
    changed = False
    for message in catalog:
        if not message.id:
            continue
        forms = overrides.get(message_key(_msgid(message), message.context))
        if not forms:
            continue
        if isinstance(message.id, tuple | list):
            if len(forms) != catalog.num_plurals:
                continue
            message.string = tuple(forms)
        else:
            if len(forms) != 1:
                continue
            message.string = forms[0]
        message.flags.discard("fuzzy")
        changed = True
    if changed:
        catalog.revision_date = now or datetime.now(UTC)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    return buffer.getvalue()


def _new_catalog(locale: str, pot: Path) -> Catalog:
    template = _read(pot) if pot.exists() else Catalog()
    return Catalog(
        locale=locale,
        domain="messages",
        project=template.project,
        version=template.version,
        copyright_holder=template.copyright_holder,
        msgid_bugs_address=template.msgid_bugs_address,
        creation_date=template.creation_date,
        fuzzy=False,
    )
