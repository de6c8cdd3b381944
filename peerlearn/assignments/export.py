"""The zip export of an assignment's submissions: one folder per learner, readable anywhere.

Each learner's latest submitted version becomes ``<username>/log.md`` (plain Markdown any
editor, forge or offline reader shows) with its photos next to it in ``<username>/photos/``,
so a maintainer can archive a cohort, grade offline or hand a learner their own work. A
top-level ``README.md`` says what the archive is.

Pure: no Flask, no database, no gettext. The caller passes the translated texts and the
locale-aware formatters (:class:`ExportTexts`) and each learner's photo bytes, and chooses
where the zip goes (a spooled temporary file keeps memory bounded for large cohorts).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from peerlearn.assignments.snapshots import EntryView, LogView

#: Extension of each photo content type (the display photos are JPEG or WebP).
EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp", "image/png": "png"}
_UNSAFE = re.compile(r"[^a-z0-9_.-]")
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|#!])")


@dataclass(frozen=True)
class ExportTexts:
    """Everything user-visible in the export, already translated by the caller."""

    measurements: str
    measurement: str
    value: str
    unit: str
    #: "Version 2, submitted 3 Mar 2025, 14:05"
    version_line: Callable[[int, datetime], str]
    entry_date: Callable[[date], str]
    number: Callable[[Decimal], str]
    #: The README text, given the bundles written (folder, bundle) in order.
    readme: Callable[[list[tuple[str, Bundle]]], str]


@dataclass(frozen=True)
class Bundle:
    """One learner's submitted version."""

    username: str
    version: int
    submitted_at: datetime
    view: LogView


#: Display bytes and content type of a photo, by SHA-256.
Photos = dict[str, tuple[bytes, str]]


def folder_name(username: str, taken: set[str]) -> str:
    """A safe, unique folder name: usernames are [a-z0-9_.-] already, but an archive must
    never contain ``..``, a slash or two folders of one name, whatever the database holds."""
    name = _UNSAFE.sub("_", username.lower()).strip(".") or "learner"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def photo_names(view: LogView, photos: Photos) -> dict[str, str]:
    """``photos/<n>-<sha8>.<ext>`` for each photo in order of first appearance; a photo
    used twice is written once. Photos whose bytes are missing are left out."""
    names: dict[str, str] = {}
    for entry in view.entries:
        for photo in entry.photos:
            if photo.sha256 in names or photo.sha256 not in photos:
                continue
            extension = EXTENSIONS.get(photos[photo.sha256][1], "jpg")
            names[photo.sha256] = f"photos/{len(names) + 1}-{photo.sha256[:8]}.{extension}"
    return names


def _inline(text: str) -> str:
    """Plain text made safe inside one Markdown line (titles, captions, table cells)."""
    return _MD_INLINE.sub(r"\\\1", " ".join(text.split()))


def _measurement_table(entry: EntryView, texts: ExportTexts) -> list[str]:
    lines = [
        f"| {_inline(texts.measurement)} | {_inline(texts.value)} | {_inline(texts.unit)} |",
        "|---|---:|---|",
    ]
    for m in entry.measurements:
        lines.append(
            f"| {_inline(m.name)} | {_inline(texts.number(m.value))} | {_inline(m.unit)} |"
        )
    return lines


def log_markdown(bundle: Bundle, names: dict[str, str], texts: ExportTexts) -> str:
    """The learner's log as one Markdown document: title, summary, then one section per
    dated entry with its text, photos (image plus caption) and a measurements table."""
    view = bundle.view
    lines = [f"# {_inline(view.title) or _inline(bundle.username)}", ""]
    lines += [f"*{_inline(texts.version_line(bundle.version, bundle.submitted_at))}*", ""]
    if view.summary.strip():
        lines += [view.summary.strip(), ""]
    for entry in view.entries:
        lines += [f"## {_inline(texts.entry_date(entry.entry_date))}", ""]
        if entry.text.strip():
            lines += [entry.text.strip(), ""]
        for photo in entry.photos:
            if photo.sha256 not in names:
                continue
            caption = _inline(photo.caption)
            lines += [f"![{caption}]({names[photo.sha256]})", ""]
            if caption:
                lines += [f"*{caption}*", ""]
        if entry.measurements:
            lines += [f"### {_inline(texts.measurements)}", ""]
            lines += [*_measurement_table(entry, texts), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_export(
    target: IO[bytes],
    bundles: Iterable[tuple[Bundle, Photos]],
    texts: ExportTexts,
    exported_at: datetime,
) -> int:
    """Write the zip to ``target``; returns the number of learners in it.

    Photos are stored uncompressed (JPEG and WebP do not shrink further); Markdown is
    deflated. Every member carries ``exported_at`` as its time, so an export is
    reproducible from the same data.
    """
    stamp = (max(exported_at.year, 1980), *exported_at.timetuple()[1:6])
    taken: set[str] = set()
    written: list[tuple[str, Bundle]] = []

    def member(name: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = compress
        info.external_attr = 0o644 << 16
        return info

    with zipfile.ZipFile(target, "w") as archive:
        for bundle, photos in bundles:
            folder = folder_name(bundle.username, taken)
            names = photo_names(bundle.view, photos)
            text = log_markdown(bundle, names, texts)
            archive.writestr(member(f"{folder}/log.md", zipfile.ZIP_DEFLATED), text)
            for sha, name in names.items():
                archive.writestr(member(f"{folder}/{name}", zipfile.ZIP_STORED), photos[sha][0])
            written.append((folder, bundle))
        archive.writestr(member("README.md", zipfile.ZIP_DEFLATED), texts.readme(written))
    return len(written)
