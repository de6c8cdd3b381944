"""Turn a folder of Markdown lessons written elsewhere into a course bundle.

Two kinds of source are understood: a Carpentries Workbench lesson (``config.yaml`` with
an ``episodes:`` list, ``episodes/*.md``, figures in ``episodes/fig/``) and an MkDocs
site (``mkdocs.yml`` with ``nav:``, pages under ``docs_dir``). The result is a
:class:`CourseBundle` that :mod:`peerlearn.bundles.writer` writes and ``peerlearn
import`` reads, plus a list of :class:`Finding` s: everything the conversion could not
carry over (Liquid tags, kramdown attributes, pages left out of the navigation, links to
missing pages...), with file and line, so that nothing is dropped silently.

Text is rewritten line by line rather than re-rendered, so an author's Markdown stays as
they wrote it except where it has to change: image and link targets become the bundle's
own paths (``media/fig/x.png``, ``modules/02-slug.md#anchor``), and fenced divs get colon
counts that nest the way peerlearn's renderer reads them. Pure: it reads the source folder
and nothing else (no Flask, no database).
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import stat
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from babel import Locale, UnknownLocaleError

from peerlearn.bundles.format import (
    COURSE_FILE,
    MAX_AUTHOR,
    MAX_MEDIA_PATH,
    MAX_SLUG,
    MAX_SUMMARY,
    MAX_TITLE,
    MEDIA_DIR,
    MEDIA_EXTENSIONS,
    MODULES_DIR,
    BundleError,
    CourseBundle,
    MediaFile,
    ModuleDoc,
)
from peerlearn.bundles.reader import DEFAULT_MEDIA_MAX_BYTES, check_media
from peerlearn.course_paths import split_relative
from peerlearn.licences import LICENCES
from peerlearn.markdown import CALLOUT_KINDS

SourceKind = Literal["carpentries", "mkdocs"]

#: Image types seen in lessons that a bundle cannot carry; reported, never copied.
UNSUPPORTED_IMAGES = frozenset({".tif", ".tiff", ".bmp", ".pdf", ".eps", ".ico", ".avif", ".heic"})
#: Names the Carpentries give their lesson programmes in ``config.yaml``'s ``carpentry``.
CARPENTRIES = {
    "swc": "Software Carpentry", "dc": "Data Carpentry", "lc": "Library Carpentry",
    "cp": "The Carpentries", "incubator": "The Carpentries Incubator",
    "lab": "The Carpentries Lab",
}  # fmt: skip


class ImportRefused(Exception):
    """The source cannot become a bundle at all (no lesson found, no usable licence)."""


@dataclass(frozen=True, order=True)
class Finding:
    """Something the conversion could not carry over, at ``file`` (relative to the
    source folder) and ``line`` (1-based, 0 when it concerns the whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportOptions:
    """What the operator says on the command line; None means "from the source"."""

    slug: str | None = None
    licence: str | None = None
    #: None: the lesson's own (Carpentries' ``lang``, MkDocs' ``theme.language``), else en.
    language: str | None = None
    authors: tuple[str, ...] = ()
    #: Ids to keep when converting again into an existing bundle: the course's, and the
    #: modules' by slug, so that importing the new result updates the course in place.
    course_id: str | None = None
    module_ids: dict[str, str] = field(default_factory=dict)
    media_max_bytes: int = DEFAULT_MEDIA_MAX_BYTES


@dataclass(frozen=True)
class MarkdownImport:
    kind: SourceKind
    bundle: CourseBundle
    findings: tuple[Finding, ...]


@dataclass
class _Page:
    """One source page that becomes a module: its path relative to the source folder."""

    path: str
    title: str
    body: str
    #: Lines removed from the top of the file (front matter, a title heading), so that
    #: findings name the line in the source file.
    offset: int
    module: str = ""


@dataclass
class _Lesson:
    kind: SourceKind
    title: str
    summary: str
    licence_text: str | None
    licence_file: str
    authors: list[str]
    pages: list[_Page]
    #: Folder that images are named relative to in ``media/`` (``episodes``, ``docs``).
    content_root: str
    #: Source paths that mean the course's home page (Carpentries' ``index.md``).
    home: set[str] = field(default_factory=set)
    #: The language the source's configuration names, as written ("es", "pt_BR"), if any.
    language: str | None = None


def detect(source: Path) -> SourceKind:
    """Which kind of lesson ``source`` holds, or :class:`ImportRefused`."""
    if not source.is_dir():
        raise ImportRefused(f"{source}: no such folder")
    if (source / "config.yaml").is_file() and (source / "episodes").is_dir():
        return "carpentries"
    if (source / "mkdocs.yml").is_file() or (source / "mkdocs.yaml").is_file():
        return "mkdocs"
    raise ImportRefused(
        f"{source}: neither a Carpentries Workbench lesson (config.yaml and episodes/) "
        "nor an MkDocs site (mkdocs.yml)"
    )


def import_lessons(source: Path, options: ImportOptions | None = None) -> MarkdownImport:
    """Convert the lesson at ``source``; raise :class:`ImportRefused` when it cannot be."""
    options = options or ImportOptions()
    kind = detect(source)
    _refuse_links(source)
    findings: list[Finding] = []
    lesson = (_carpentries if kind == "carpentries" else _mkdocs)(source, findings)
    if not lesson.pages:
        raise ImportRefused(f"{source}: no pages to import")
    licence = _licence(lesson, options)
    authors = _authors(lesson, options)
    title = _clip(lesson.title.strip() or source.resolve().name, MAX_TITLE)
    slug = options.slug or slugify(title, MAX_SLUG, "course")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > MAX_SLUG:
        raise ImportRefused(f"slug '{slug}': use lowercase letters, digits and single hyphens")

    used: set[str] = set()
    for page in lesson.pages:
        page.module = _unique(slugify(page.title, MAX_SLUG, "module"), used)
    names = {
        page.path: f"{MODULES_DIR}/{number:02d}-{page.module}.md"
        for number, page in enumerate(lesson.pages, start=1)
    }
    media = _Media(source, lesson.content_root, options.media_max_bytes, findings)
    modules = []
    for number, page in enumerate(lesson.pages, start=1):
        rewriter = _Rewriter(page, names, lesson.home, media, findings)
        body = rewriter.rewrite(page.body)
        modules.append(
            ModuleDoc(
                id=options.module_ids.get(page.module) or str(uuid.uuid4()),
                position=number,
                slug=page.module,
                title=_clip(page.title, MAX_TITLE),
                body=body,
            )
        )
    summary = _clip(lesson.summary.strip() or f"{title}.", MAX_SUMMARY)
    bundle = CourseBundle(
        id=options.course_id or str(uuid.uuid4()),
        slug=slug,
        title=title,
        summary=summary if "\n" not in summary else summary + "\n",
        language=options.language or _language_of(lesson, findings),
        licence=licence,
        authors=tuple(authors),
        tags=(),
        modules=tuple(modules),
        media=tuple(media.files.values()),
    )
    return MarkdownImport(kind=kind, bundle=bundle, findings=tuple(sorted(set(findings))))


# --- Reading the two kinds of source ------------------------------------------------


def _refuse_links(source: Path) -> None:
    """Lessons come from other people's repositories, and a symbolic link in one could
    make an outside file (``fig/x.png -> /srv/app/.env``) a module or an image. Like
    ``peerlearn import`` for bundles, refuse a source holding any link, or anything that
    is neither a file nor a folder, by name. Dot folders (``.git``) are never read."""
    for folder, folders, files in os.walk(source, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted({*folders, *(name for name in files if not name.startswith("."))}):
            path = Path(folder) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise ImportRefused(
                    f"{path}: is a symbolic link; a lesson must hold its files itself, "
                    "since a link can point outside it"
                )
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise ImportRefused(f"{path}: is neither a file nor a folder")


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml often names Python objects (``!!python/name:...``) or environment
    variables (``!ENV``); they mean nothing here, so they load as None."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)
_TolerantLoader.add_multi_constructor("!", _ignore_tag)


def _load_config(path: Path, source: Path) -> dict[str, Any]:
    try:
        data = yaml.load(_read(path), Loader=_TolerantLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise ImportRefused(f"{path}: invalid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ImportRefused(f"{path}: must be a YAML mapping")
    return data


def _read(path: Path) -> str:
    return (
        path.read_bytes()
        .decode("utf-8", errors="replace")
        .removeprefix("\ufeff")
        .replace("\r\n", "\n")
    )


def _front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """YAML front matter (or {}), the text after it and how many lines it took."""
    if not text.startswith("---\n"):
        return {}, text, 0
    end = text.find("\n---\n", 3)
    if end == -1:
        return {}, text, 0
    try:
        meta = yaml.safe_load(text[4 : end + 1])
    except yaml.YAMLError:
        meta = None
    rest = text[end + 5 :]
    return (meta if isinstance(meta, dict) else {}), rest, text[: end + 5].count("\n")


def _carpentries(source: Path, findings: list[Finding]) -> _Lesson:
    config = _load_config(source / "config.yaml", source)
    listed = config.get("episodes") or []
    if not isinstance(listed, list):
        raise ImportRefused(f"{source / 'config.yaml'}: episodes: must be a list of files")
    pages: list[_Page] = []
    for name in map(str, listed):
        path = source / "episodes" / name
        relative = f"episodes/{name}"
        if not path.is_file():
            findings.append(Finding("config.yaml", 0, f"episode {name} is listed but missing"))
            continue
        meta, body, offset = _front_matter(_read(path))
        if name.lower().endswith(".rmd"):
            body = _rmarkdown(relative, body, offset, findings)
        title = str(meta.get("title") or Path(name).stem.replace("-", " ").capitalize())
        pages.append(_Page(relative, title, body, offset))
    if (source / "links.md").is_file():
        _append_shared_links(pages, _read(source / "links.md"))
    imported = {page.path for page in pages}
    for path in sorted((source / "episodes").glob("*")):
        relative = path.relative_to(source).as_posix()
        if path.suffix.lower() in (".md", ".rmd") and relative not in imported:
            findings.append(
                Finding(relative, 0, "not in config.yaml's episodes: list; not imported")
            )
    for folder in ("learners", "instructors", "profiles"):
        for path in sorted((source / folder).glob("*.md")):
            findings.append(
                Finding(path.relative_to(source).as_posix(), 0, "not an episode; not imported")
            )
    summary = ""
    if (source / "index.md").is_file():
        summary = _first_paragraph(_front_matter(_read(source / "index.md"))[1])
    carpentry = CARPENTRIES.get(str(config.get("carpentry") or ""), "")
    contact = str(config.get("contact") or "").strip()
    authors = [f"{carpentry} ({contact})" if carpentry and contact else carpentry or contact]
    licence = config.get("license", config.get("licence"))
    return _Lesson(
        kind="carpentries",
        title=str(config.get("title") or ""),
        summary=summary,
        licence_text=str(licence) if licence else None,
        licence_file="config.yaml",
        authors=[a for a in authors if a],
        pages=pages,
        content_root="episodes",
        home={"index.md"},
        language=str(config.get("lang") or "") or None,
    )


def _mkdocs_language(config: dict[str, Any]) -> str | None:
    theme = config.get("theme")
    language = theme.get("language") if isinstance(theme, dict) else None
    return str(language) if language else None


def _language_of(lesson: _Lesson, findings: list[Finding]) -> str:
    """The course language from the lesson's configuration ("pt_BR" → "pt"), or English
    when it names none or one that is not a language code (said in the report)."""
    if not lesson.language:
        return "en"
    code = re.split(r"[-_]", lesson.language.strip())[0].lower()
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        source = "config.yaml" if lesson.kind == "carpentries" else "mkdocs.yml"
        findings.append(
            Finding(source, 0, f"language '{lesson.language}' is not a language code; "
                               "the course is marked English (use --language)")
        )  # fmt: skip
        return "en"
    return code


_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*\S+.*$", re.M)


def _append_shared_links(pages: list[_Page], links: str) -> None:
    """The Workbench appends ``links.md`` (reference link definitions such as
    ``[python]: https://...``) to every episode; the definitions an episode uses are
    appended to its module, so its ``[Python][python]`` links keep working."""
    definitions = {m.group(1).lower(): m.group(0) for m in _DEFINITION.finditer(links)}
    for page in pages:
        own = {m.group(1).lower() for m in _DEFINITION.finditer(page.body)}
        used = {label.lower() for label in re.findall(r"\[([^\[\]]+)\]", page.body)}
        extra = [text for label, text in definitions.items() if label in used - own]
        if extra:
            page.body = page.body.rstrip("\n") + "\n\n" + "\n".join(extra) + "\n"


def _mkdocs(source: Path, findings: list[Finding]) -> _Lesson:
    config_name = "mkdocs.yml" if (source / "mkdocs.yml").is_file() else "mkdocs.yaml"
    config = _load_config(source / config_name, source)
    docs = str(config.get("docs_dir") or "docs").strip("/")
    docs_path = source / docs
    if not docs_path.is_dir():
        raise ImportRefused(f"{docs_path}: the docs_dir of {config_name} is missing")
    entries: list[tuple[str | None, str]] = []
    nav = config.get("nav")
    if nav:
        _walk_nav(nav, entries, findings, config_name)
    else:
        found = sorted(p.relative_to(docs_path).as_posix() for p in docs_path.rglob("*.md"))
        found.sort(key=lambda p: (p != "index.md", p.count("/"), p))
        entries = [(None, p) for p in found]
    pages: list[_Page] = []
    seen: set[str] = set()
    for nav_title, name in entries:
        relative = posixpath.normpath(f"{docs}/{name}")
        path = source / relative
        if relative in seen:
            continue
        if not path.is_file():
            findings.append(Finding(config_name, 0, f"nav names {name}, which is missing"))
            continue
        seen.add(relative)
        meta, body, offset = _front_matter(_read(path))
        heading, body, dropped = _leading_heading(body)
        title = nav_title or str(meta.get("title") or "") or heading
        title = title or Path(name).stem.replace("-", " ").replace("_", " ").capitalize()
        pages.append(_Page(relative, title, body, offset + dropped))
    for path in sorted(docs_path.rglob("*.md")):
        relative = path.relative_to(source).as_posix()
        if relative not in seen and not any(p.startswith(".") for p in path.parts):
            findings.append(Finding(relative, 0, f"not in the nav of {config_name}; not imported"))
    summary = str(config.get("site_description") or "")
    if not summary and pages:
        summary = _first_paragraph(pages[0].body)
    copyright_text = str(config.get("copyright") or "")
    author = str(config.get("site_author") or "") or _copyright_holder(copyright_text)
    licence_text = copyright_text if _licence_from_text(copyright_text) else None
    licence_file = config_name
    for name in ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE.md", "LICENCE"):
        if licence_text is None and (source / name).is_file():
            head = _read(source / name)[:600]
            if _licence_from_text(head):
                licence_text, licence_file = head, name
    return _Lesson(
        kind="mkdocs",
        title=str(config.get("site_name") or ""),
        summary=summary,
        licence_text=licence_text,
        licence_file=licence_file,
        authors=[author] if author else [],
        pages=pages,
        content_root=docs,
        language=_mkdocs_language(config),
    )


def _walk_nav(
    nav: object, entries: list[tuple[str | None, str]], findings: list[Finding], config: str
) -> None:
    """Pages of an MkDocs ``nav:`` in reading order: nested sections are read in place."""
    items = nav if isinstance(nav, list) else [nav]
    for item in items:
        if isinstance(item, str):
            _nav_entry(None, item, entries, findings, config)
        elif isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, (list, dict)):
                    _walk_nav(value, entries, findings, config)
                elif isinstance(value, str):
                    _nav_entry(str(title), value, entries, findings, config)


def _nav_entry(
    title: str | None,
    target: str,
    entries: list[tuple[str | None, str]],
    findings: list[Finding],
    config: str,
) -> None:
    if urlsplit(target).scheme or target.startswith("/"):
        findings.append(Finding(config, 0, f"nav link to {target} is not a page; not imported"))
    elif not target.lower().endswith(".md"):
        findings.append(Finding(config, 0, f"nav entry {target} is not Markdown; not imported"))
    else:
        entries.append((title, target))


_ATX = re.compile(r"^ {0,3}#\s+(.+?)\s*#*\s*$")


def _leading_heading(body: str) -> tuple[str, str, int]:
    """A page's first ``# Title`` when it opens the page: the module page shows the
    title itself, so it is taken out of the body."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = _ATX.match(line)
        if not match:
            return "", body, 0
        rest = lines[index + 1 :]
        while rest and not rest[0].strip():
            rest.pop(0)
        dropped = len(lines) - len(rest)
        return match.group(1), "\n".join(rest), dropped
    return "", body, 0


def _first_paragraph(text: str) -> str:
    """The first paragraph of prose: a summary that the lesson already wrote."""
    paragraph: list[str] = []
    fence = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith(("#", ":::", "!!!", "???", "<", "|", "{", "-", "*", "![", ">")):
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    return " ".join(paragraph)


def _rmarkdown(file: str, body: str, offset: int, findings: list[Finding]) -> str:
    """R Markdown chunks become plain code: nothing is run, so outputs are missing."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        match = re.match(r"^(\s*```+)\s*\{([A-Za-z]+)[^}]*\}\s*$", line)
        if match:
            lines[index] = f"{match.group(1)}{match.group(2).lower()}"
            findings.append(
                Finding(
                    file,
                    offset + index + 1,
                    "R Markdown chunk shown as code; its output is not computed",
                )
            )
        elif re.search(r"`r [^`]+`", line):
            findings.append(
                Finding(file, offset + index + 1, "inline R code is shown as code, not run")
            )
    return "\n".join(lines)


# --- Licence and authors --------------------------------------------------------------


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()) + " "


def _licence_from_text(text: str) -> str | None:
    """The SPDX id a licence statement means ("CC-BY 4.0", "CC BY-SA 4.0", "Attribution
    4.0 International"...), or None when it names none of the platform's licences."""
    words = _words(text)
    patterns = (
        ("CC0-1.0", (" cc0 ", " cc 0 ", " zero 1 0 ", " publicdomain zero ")),
        ("CC-BY-NC-SA-4.0", (" by nc sa 4 0 ", " attribution noncommercial sharealike 4 0 ")),
        ("CC-BY-SA-4.0", (" by sa 4 0 ", " attribution sharealike 4 0 ")),
        ("CC-BY-4.0", (" cc by 4 0 ", " attribution 4 0 ", " licenses by 4 0 ")),
    )
    for spdx, phrases in patterns:
        if any(phrase in words for phrase in phrases):
            return spdx
    return None


def _licence(lesson: _Lesson, options: ImportOptions) -> str:
    valid = ", ".join(LICENCES)
    if options.licence is not None:
        if options.licence not in LICENCES:
            raise ImportRefused(f"unknown licence '{options.licence}'; use one of {valid}")
        return options.licence
    if lesson.licence_text is None:
        if lesson.kind == "carpentries":
            return "CC-BY-4.0"  # the Carpentries' own licence for lesson material
        raise ImportRefused(f"no licence found in the source; pass --licence with one of {valid}")
    spdx = _licence_from_text(lesson.licence_text)
    if spdx is None:
        raise ImportRefused(
            f"{lesson.licence_file} says the licence is '{lesson.licence_text.strip()[:80]}', "
            f"which peerlearn cannot offer; pass --licence with one of {valid} "
            "if the authors allow it"
        )
    return spdx


def _copyright_holder(text: str) -> str:
    """The holder named in a copyright line: "© 2021-2024 Ana Quispe, CC BY 4.0" gives
    "Ana Quispe"."""
    text = re.sub(r"<[^>]+>", " ", html.unescape(text))
    text = re.split(r"[,;|]|\b(?:licen[cs]ed|under|CC[- ]|Creative Commons)\b", text)[0]
    text = re.sub(r"(?i)copyright|\(c\)|©|all rights reserved|\b\d{4}\b|[-\u2013]", " ", text)
    return " ".join(text.split()).strip(" .")


def _authors(lesson: _Lesson, options: ImportOptions) -> list[str]:
    authors = list(options.authors) or lesson.authors
    if not authors:
        raise ImportRefused("no author found in the source; pass --author NAME (repeatable)")
    return [_clip(name, MAX_AUTHOR) for name in authors]


# --- Names ----------------------------------------------------------------------------


def slugify(text: str, limit: int, fallback: str) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word end within ``limit``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    while len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug or fallback


def _unique(name: str, used: set[str], limit: int = MAX_SLUG) -> str:
    candidate, number = name, 1
    while candidate in used:
        number += 1
        suffix = f"-{number}"
        candidate = name[: limit - len(suffix)] + suffix
    used.add(candidate)
    return candidate


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Media ----------------------------------------------------------------------------


class _Media:
    """Images the pages reference, copied under safe names into ``media/``."""

    def __init__(self, source: Path, root: str, max_bytes: int, findings: list[Finding]) -> None:
        self.source, self.root, self.max_bytes, self.findings = source, root, max_bytes, findings
        self.files: dict[str, MediaFile] = {}
        self.names: dict[str, str | None] = {}
        self.taken: set[str] = set()

    def add(self, relative: str, file: str, line: int) -> str | None:
        """The bundle path for the source image ``relative``, or None (reported)."""
        if relative in self.names:
            return self.names[relative]
        self.names[relative] = None
        path = self.source / relative
        suffix = posixpath.splitext(relative)[1].lower()
        if not path.is_file():
            self.findings.append(Finding(file, line, f"image {relative} is missing"))
            return None
        if suffix not in MEDIA_EXTENSIONS:
            kinds = ", ".join(sorted(MEDIA_EXTENSIONS))
            self.findings.append(
                Finding(file, line, f"image {relative}: type {suffix} not supported ({kinds})")
            )
            return None
        try:
            content = check_media(str(path), path.read_bytes(), self.max_bytes)
        except BundleError as error:
            self.findings.append(Finding(file, line, f"image {relative}: {error.message}"))
            return None
        inside = posixpath.relpath(relative, self.root)
        if inside.startswith("../"):
            inside = relative
        name = self._safe(inside)
        self.names[relative] = name
        self.files[name] = MediaFile(path=name, content=content)
        return name

    def _safe(self, inside: str) -> str:
        parts = []
        for part in inside.split("/"):
            part = re.sub(r"[^A-Za-z0-9._-]+", "-", part)
            part = re.sub(r"^[^A-Za-z0-9]+", "", part) or "image"
            parts.append(part)
        stem, suffix = posixpath.splitext("/".join(parts))
        stem = stem[: MAX_MEDIA_PATH - len(MEDIA_DIR) - len(suffix) - 8]
        candidate, number = f"{MEDIA_DIR}/{stem}{suffix}", 1
        while candidate.lower() in self.taken:
            number += 1
            candidate = f"{MEDIA_DIR}/{stem}-{number}{suffix}"
        self.taken.add(candidate.lower())
        return candidate


# --- Rewriting a page ---------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```+|~~~+)")
_DIV = re.compile(r"^ {0,3}(:{3,})\s*(.*?)\s*$")
_INLINE = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<url><[^>]*>|(?:[^()\s]|\([^()\s]*\))+(?: (?:[^()\s\"']|\([^()\s]*\))+)*)"
    r"(?P<title>\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
    r"(?P<attrs>\{[^}\n]*\})?"
)
_REFERENCE = re.compile(r"^(?P<lead> {0,3}\[[^\]]+\]:\s*)(?P<url><[^>]*>|\S+)")
_HTML_URL = re.compile(r"(?P<lead>\b(?:src|href)\s*=\s*)(?P<q>[\"'])(?P<url>[^\"']*)(?P=q)", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""")

#: Constructs of other site generators that peerlearn shows as typed: reported.
_UNSUPPORTED = (
    (re.compile(r"\{%-?\s*include\b"),
     "{% include %} is not supported; the included file is missing"),
    (re.compile(r"\{%.*?%\}"), "Liquid/Jinja tag is not supported; shown as typed"),
    (re.compile(r"\{\{.*?\}\}"), "template variable {{ }} is not supported; shown as typed"),
    (re.compile(r"\{:\s*[^}]*\}"), "kramdown attribute list {: } is not supported; shown as typed"),
    (re.compile(r"^\s*-{2,}8<-{2,}"), "snippet include (--8<--) is not supported; shown as typed"),
    (re.compile(r"<!--\s*#include", re.I), "HTML include is not supported"),
    (re.compile(r"<(?:iframe|script|style|form|object|embed|video|audio)\b", re.I),
     "embedded HTML (iframe, script, style, form, media) is removed when shown"),
)  # fmt: skip


class _Rewriter:
    def __init__(
        self,
        page: _Page,
        names: dict[str, str],
        home: set[str],
        media: _Media,
        findings: list[Finding],
    ) -> None:
        self.page, self.names, self.home, self.media = page, names, home, media
        self.findings = findings
        self.folder = posixpath.dirname(page.path)
        self.line = 0

    def note(self, message: str, line: int | None = None) -> None:
        number = self.line if line is None else line
        self.findings.append(Finding(self.page.path, self.page.offset + number, message))

    def rewrite(self, body: str) -> str:
        lines = _nest_divs(body.split("\n"), self)
        fence: str | None = None
        for index, line in enumerate(lines):
            self.line = index + 1
            marker = _FENCE.match(line)
            if fence is not None:
                if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                    fence = None
                continue
            if marker:
                fence = marker.group(1)
                continue
            lines[index] = self._line(line)
        return "\n".join(lines)

    def _line(self, line: str) -> str:
        for pattern, message in _UNSUPPORTED:
            if pattern.search(line):
                self.note(message)
                break
        reference = _REFERENCE.match(line)
        if reference:
            url = self.url(reference.group("url"), image=False)
            return reference.group("lead") + url + line[reference.end() :]
        if "<" in line:  # raw HTML first: the figures written below are already done
            line = _HTML_URL.sub(
                lambda m: m.group("lead") + m.group("q")
                + self.url(m.group("url"), image=m.group("lead").lower().startswith("src"))
                + m.group("q"),
                line,
            )  # fmt: skip
        return _INLINE.sub(lambda match: self._inline(match, line), line)

    def _inline(self, match: re.Match[str], line: str) -> str:
        image = bool(match.group("bang"))
        text, title = match.group("text"), match.group("title") or ""
        url = self.url(match.group("url"), image=image)
        attrs = match.group("attrs")
        if not attrs:
            return f"{match.group('bang')}[{text}]({url}{title})"
        alt = _ALT.search(attrs)
        rest = _ALT.sub("", attrs).strip("{} \t")
        if rest:
            self.note(f"attributes {{{rest}}} are not supported; dropped")
        if image and alt:
            alt_text = alt.group(1) if alt.group(1) is not None else alt.group(2)
            if line.strip() == match.group(0).strip() and text.strip():
                # Pandoc's figure: the text is the caption, alt= describes the image.
                return (
                    f'<figure><img src="{html.escape(url)}" alt="{html.escape(alt_text)}">'
                    f"<figcaption>{html.escape(text)}</figcaption></figure>"
                )
            return f"![{alt_text}]({url}{title})"
        return f"{match.group('bang')}[{text}]({url}{title})"

    def url(self, written: str, image: bool) -> str:
        """The bundle's own path for a link or image target as written in the source."""
        raw = written[1:-1] if written.startswith("<") and written.endswith(">") else written
        parts = split_relative(raw)
        if parts is None:
            return written
        path, fragment = parts
        target = posixpath.normpath(posixpath.join(self.folder, path)) if path else ""
        anchor = f"#{fragment}" if fragment else ""
        if not path or target.startswith("../") or target == "..":
            if path:
                self.note(f"link to {raw} leaves the lesson folder; kept as written")
            return written
        for candidate in (target, f"{target}.md", f"{target}/index.md"):
            if candidate in self.names:
                module = self.names[candidate]
                return module + anchor
        if target in self.home:
            return COURSE_FILE
        suffix = posixpath.splitext(target)[1].lower()
        if suffix in MEDIA_EXTENSIONS or suffix in UNSUPPORTED_IMAGES:
            name = self.media.add(target, self.page.path, self.page.offset + self.line)
            return name + anchor if name else written
        if suffix in (".md", ".rmd", ".html", "") or path.endswith("/"):
            self.note(f"link to {raw}: no such page among the imported ones; kept as written")
        else:
            self.note(f"link to the file {raw}, which is not imported; kept as written")
        return written


def _div_kind(info: str) -> tuple[str, str]:
    """(kind, title) of a fenced div's opening: ``challenge``, ``{.callout}``,
    ``{.challenge title="x"}``, ``callout My title``."""
    if info.startswith("{"):
        classes = re.findall(r"\.([A-Za-z][\w-]*)", info)
        title_match = re.search(r"""title\s*=\s*(?:"([^"]*)"|'([^']*)')""", info)
        title = (title_match.group(1) or title_match.group(2) or "") if title_match else ""
        return (classes[0] if classes else ""), title
    kind, _, title = info.partition(" ")
    return kind.lstrip("."), title.strip()


def _nest_divs(lines: list[str], rewriter: _Rewriter) -> list[str]:
    """Fenced divs (``::: challenge`` … ``:::``) rewritten so that they nest for the
    renderer: Pandoc closes the innermost div at any bare fence, the renderer closes a
    div at the first bare fence at least as long as its opening. Giving each div one
    colon more than the deepest div inside it makes the two readings agree."""
    out = list(lines)
    stack: list[dict[str, Any]] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        marker = _FENCE.match(line)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            continue
        match = _DIV.match(line)
        if not match:
            continue
        info = match.group(2).strip(": ")
        if info:
            kind, title = _div_kind(info)
            if kind.lower() not in CALLOUT_KINDS:
                rewriter.note(
                    f"block '{kind or info}' is not a kind of callout peerlearn knows; "
                    "shown as a note",
                    index + 1,
                )
                kind = "callout"
            elif kind.lower() == "instructor":
                rewriter.note("instructor note is shown to learners too", index + 1)
            stack.append({"open": index, "kind": kind.lower(), "title": title, "height": 1})
        elif stack:
            div = stack.pop()
            colons = ":" * (2 + div["height"])
            title = f" {div['title']}" if div["title"] else ""
            out[div["open"]] = f"{colons} {div['kind']}{title}"
            out[index] = colons
            if stack:
                stack[-1]["height"] = max(stack[-1]["height"], div["height"] + 1)
        else:
            rewriter.note("closing ':::' without an opening one; kept as typed", index + 1)
    while stack:
        div = stack.pop()
        rewriter.note(f"block '{div['kind']}' is never closed; closed at the end", div["open"] + 1)
        colons = ":" * (2 + div["height"])
        out[div["open"]] = f"{colons} {div['kind']}" + (f" {div['title']}" if div["title"] else "")
        out.append(colons)
        if stack:
            stack[-1]["height"] = max(stack[-1]["height"], div["height"] + 1)
    return out


def existing_ids(files: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Module ids by slug from ``(file name, text)`` pairs of an earlier conversion."""
    ids: dict[str, str] = {}
    for name, text in files:
        match = re.match(r"^\d{2,3}-([a-z0-9-]+)\.md$", name)
        meta = _front_matter(text)[0]
        if match and isinstance(meta.get("id"), str):
            ids[match.group(1)] = meta["id"]
    return ids
