"""A course as a self-contained offline package: a zip of static HTML pages, the images
the pages show and the site's stylesheet, which opens from the file system in any browser.

Layout (every name under one folder named after the course slug)::

    <slug>/index.html                  title, summary, licence, authors, modules, assignments
    <slug>/modules/NN-<module>.html    one page per module, NN its place in the course
    <slug>/assignments/<slug>.html     prompt, rubric and review settings in words
    <slug>/media/...                   the images the pages show
    <slug>/style.css                   a copy of the site stylesheet
    <slug>/LICENSE.txt                 the licence, its URL and everyone to credit

Every link between the pages is relative, so the package works from ``file://``, a USB
stick or any static web server; no page has a script or a form, and nothing points back
at the server (a learner may be far from any network). Module bodies and prompts go
through :func:`peerlearn.markdown.render_markdown` as on the site; then each link and image
is pointed at its file in the package (:func:`resolve_url`), or dropped when the package
cannot hold what it points at.

The zip is deterministic: entries sorted, fixed timestamps and permissions, so the same
course read in the same interface language gives the same bytes (and the same ETag).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.services import active_modules, course_assignments
from peerlearn.assignments.spec import Anonymity, AssignmentSpec, Grading
from peerlearn.authoring import lineage
from peerlearn.authoring.models import CourseMedia
from peerlearn.catalog.models import Course
from peerlearn.extensions import db
from peerlearn.i18n import _, format_datetime, ngettext
from peerlearn.licences import LICENCES, Licence
from peerlearn.markdown import render_markdown, sanitize_html

#: The earliest time a zip entry can carry (1980-01-01 00:00): fixed, so that building the
#: same course twice gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Already compressed: deflating them again costs time and saves nothing.
STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
MODULES_DIR = "modules"
ASSIGNMENTS_DIR = "assignments"
MEDIA_DIR = "media"

_MODULE_FILE = re.compile(r"^modules/\d{2,3}-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_ASSIGNMENT_FILE = re.compile(r"^assignments/([a-z0-9]+(?:-[a-z0-9]+)*)\.yml$")
_SITE_PATH = re.compile(r"^/courses/([^/]+)(?:/(m|a|media)/(.+?))?/?$")
_MEDIA_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


# --- Where links point (pure) ----------------------------------------------------------


@dataclass(frozen=True)
class PackageLinks:
    """What the package holds, for pointing the links of its pages at its files.

    Paths are relative to the package folder (``modules/01-intro.html``).
    """

    course_slug: str
    #: Module slug → its page.
    modules: Mapping[str, str]
    #: Assignment slug → its page.
    assignments: Mapping[str, str]
    #: Every image of the course (``media/x.png``), whether a page shows it or not.
    media: Collection[str]
    #: ``host[:port]`` of the site (lowercase): an absolute link there is a site link.
    server_hosts: Collection[str] = ()
    #: The path the site is mounted under ("" at the root of its host).
    script_root: str = ""


def module_page(number: int, slug: str) -> str:
    """``modules/NN-slug.html``: named like the module files of a course bundle."""
    return f"{MODULES_DIR}/{number:02d}-{slug}.html"


def assignment_page(slug: str) -> str:
    return f"{ASSIGNMENTS_DIR}/{slug}.html"


def resolve_url(url: str, page_dir: str, links: PackageLinks) -> tuple[str | None, str | None]:
    """What a link or image source on a page in ``page_dir`` becomes in the package.

    Returns ``(new value, package path)``: a relative URL and the file it names for what
    the package holds; the URL unchanged and None for another website or an e-mail
    address; ``(None, None)`` when the package cannot hold the target (another course or
    page of the site, a file the bundle does not have), so the caller drops the attribute
    and keeps the text. A link to the site itself, by path or by its host, never
    survives: the package must work with no server.
    """
    url = url.strip()
    if not url:
        return None, None
    if url.startswith("#"):
        return url, None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None, None
    if parts.scheme or parts.netloc:
        if parts.netloc.lower() in links.server_hosts:
            target = _site_target(unquote(parts.path), links)
        elif parts.scheme in ("http", "https", "mailto"):
            return url, None
        elif not parts.scheme and parts.netloc:
            # "//host/path" would become file://host/path offline.
            return f"https:{url}", None
        else:
            return None, None
    elif parts.path.startswith("/"):
        target = _site_target(unquote(parts.path), links)
    else:
        target = _bundle_target(unquote(parts.path), page_dir, links)
    if target is None:
        return None, None
    relative = posixpath.relpath(target, page_dir or ".")
    return relative + (f"#{parts.fragment}" if parts.fragment else ""), target


def _site_target(path: str, links: PackageLinks) -> str | None:
    """The package file for a path on the site, if it is a page of this course."""
    root = links.script_root.rstrip("/")
    if root:
        if not path.startswith(root + "/"):
            return None
        path = path[len(root) :]
    match = _SITE_PATH.match(path)
    if match is None or match.group(1) != links.course_slug:
        return None
    kind, name = match.group(2), match.group(3)
    if kind is None:
        return "index.html"
    if kind == "m":
        return links.modules.get(name)
    if kind == "a":
        return links.assignments.get(name)
    media = f"{MEDIA_DIR}/{name}"
    return media if media in links.media else None


def _bundle_target(path: str, page_dir: str, links: PackageLinks) -> str | None:
    """The package file for a path as written in a course bundle.

    Bundles name images from the bundle folder (``media/x.png``), but an author who
    writes from the module file's own folder (``../media/x.png``) is understood too.
    """
    for candidate in (path, posixpath.join(page_dir, path)):
        name = posixpath.normpath(candidate) if candidate else ""
        if not name or name == "." or name == ".." or name.startswith("../"):
            continue
        if name in links.media:
            return name
        if name == "course.yml" or name == "index.html":
            return "index.html"
        if module := _MODULE_FILE.match(name):
            if module.group(1) in links.modules:
                return links.modules[module.group(1)]
            continue
        if assignment := _ASSIGNMENT_FILE.match(name):
            if assignment.group(1) in links.assignments:
                return links.assignments[assignment.group(1)]
            continue
        if name in links.modules.values() or name in links.assignments.values():
            return name
    return None


def relink_html(html: str, page_dir: str, links: PackageLinks, shown: set[str]) -> Markup:
    """Sanitized HTML with every link and image pointed into the package.

    ``html`` comes from :func:`peerlearn.markdown.render_markdown`; it passes the same
    allowlist again, this time with each ``href`` and ``src`` resolved (or dropped) by
    :func:`resolve_url`. The images it shows are added to ``shown``.
    """

    def attribute(tag: str, name: str, value: str) -> str | None:
        if name not in ("href", "src"):
            return value
        new, target = resolve_url(value, page_dir, links)
        if target is not None and target.startswith(f"{MEDIA_DIR}/"):
            shown.add(target)
        return new

    return Markup(sanitize_html(html, attribute_filter=attribute))


def is_safe_media_path(path: str) -> bool:
    """A media path that can be a zip entry: ``media/`` then safe names, no ``..``."""
    parts = path.split("/")
    return (
        len(parts) >= 2
        and parts[0] == MEDIA_DIR
        and all(_MEDIA_PART.match(part) and part not in (".", "..") for part in parts[1:])
    )


def write_zip(folder: str, files: Mapping[str, bytes]) -> bytes:
    """The files as a deterministic zip, each under ``folder/``, sorted by name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_DATE)
            info.create_system = 3  # Unix, whatever the server runs on
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            if name.lower().endswith(STORED_SUFFIXES):
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, files[name])
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def package_folder(course: Course) -> str:
    """The package's one top folder: the slug, which is ``[a-z0-9-]`` already; anything
    else a database might hold must not become a path."""
    return re.sub(r"[^a-z0-9-]", "-", course.slug.lower()).strip("-") or "course"


def package_filename(course: Course) -> str:
    """The download's file name."""
    return f"{package_folder(course)}-offline.zip"


# --- What the pages say ------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleEntry:
    number: int
    slug: str
    title: str
    #: The page, relative to the package folder.
    path: str


@dataclass(frozen=True)
class AssignmentEntry:
    slug: str
    spec: AssignmentSpec
    path: str
    module: ModuleEntry | None


@dataclass(frozen=True)
class Credit:
    """Who to credit and where the course comes from (course titles, no links)."""

    licence: Licence
    authors: list[str]
    parent: Course | None
    root: Course | None


@dataclass
class _Pages:
    files: dict[str, bytes] = field(default_factory=dict)
    shown_media: set[str] = field(default_factory=set)


def licence_of(course: Course) -> Licence:
    return LICENCES.get(course.licence, Licence(course.licence, course.licence, ""))


def review_settings(spec: AssignmentSpec) -> list[str]:
    """How peer review of the assignment works, as sentences in the interface language."""
    sentences = [
        ngettext(
            "You review %(num)s build log of other learners.",
            "You review %(num)s build logs of other learners.",
            spec.must_review,
        ),
        ngettext(
            "Each build log is reviewed by %(num)s other learner.",
            "Each build log is reviewed by %(num)s other learners.",
            spec.must_be_reviewed,
        ),
    ]
    if spec.flexible_after_days is not None:
        sentences.append(
            ngettext(
                "A build log still waiting for reviews after %(num)s day needs fewer of them.",
                "A build log still waiting for reviews after %(num)s days needs fewer of them.",
                spec.flexible_after_days,
            )
        )
    if spec.calibration_examples:
        sentences.append(
            ngettext(
                "Before reviewing, you practise on %(num)s example build log.",
                "Before reviewing, you practise on %(num)s example build logs.",
                spec.calibration_examples,
            )
        )
    if spec.self_assessment:
        sentences.append(_("You also assess your own build log against the rubric."))
    sentences.append(
        {
            Anonymity.DOUBLE_BLIND: _(
                "Reviews are anonymous: neither the reviewer nor the author sees the other's name."
            ),
            Anonymity.SINGLE_BLIND: _(
                "The reviewer sees the author's name; the author does not see the reviewer's."
            ),
            Anonymity.OPEN: _("Reviewers and authors see each other's names."),
        }[spec.anonymity]
    )
    sentences.append(
        {
            Grading.MODEL: _(
                "Your grade combines your reviewers' points, giving more weight to reviewers "
                "whose reviews are consistent."
            ),
            Grading.MEDIAN: _(
                "Your grade on each criterion is the median of your reviewers' points."
            ),
            Grading.MEAN: _("Your grade on each criterion is the mean of your reviewers' points."),
        }[spec.grading]
    )
    return sentences


def _when(value: datetime | None) -> str | None:
    return format_datetime(value, "long") if value is not None else None


@cache
def _stylesheet(path: Path) -> bytes:
    return path.read_bytes()


def _licence_text(course: Course, credit: Credit) -> str:
    lines = [
        _("“%(title)s” by %(authors)s.", title=course.title, authors=", ".join(credit.authors)),
    ]
    if credit.parent is not None:
        if course.translation_of:
            lines.append(_("Translated from %(source)s.", source=f"“{credit.parent.title}”"))
        else:
            lines.append(_("Adapted from %(source)s.", source=f"“{credit.parent.title}”"))
    if credit.root is not None:
        lines.append(_("Original course: %(source)s.", source=f"“{credit.root.title}”"))
    lines += ["", _("Licence: %(name)s", name=credit.licence.name)]
    if credit.licence.url:
        lines.append(credit.licence.url)
    return "\n".join(lines) + "\n"


# --- Building the package -------------------------------------------------------------


def build_package(course: Course, server_hosts: Iterable[str] = (), script_root: str = "") -> bytes:
    """The offline package of ``course`` as zip bytes, in the interface language of the
    current request.

    ``server_hosts`` and ``script_root`` say where the site lives, so that links an
    author wrote to it become links inside the package. A fixed number of queries,
    however many modules, assignments or images the course has.
    """
    modules = active_modules(course)
    entries = [
        ModuleEntry(number, module.slug, module.current.title, module_page(number, module.slug))
        for number, module in enumerate(modules, start=1)
    ]
    by_id = {module.id: entry for module, entry in zip(modules, entries, strict=True)}
    assignments = [
        AssignmentEntry(
            assignment.slug,
            spec_of(assignment),
            assignment_page(assignment.slug),
            by_id.get(assignment.module_id) if assignment.module_id is not None else None,
        )
        for assignment in course_assignments(course)
        if assignment.current is not None
    ]
    media = {
        path
        for path in db.session.scalars(
            select(CourseMedia.path).where(CourseMedia.course_id == course.id)
        )
        if is_safe_media_path(path)
    }
    chain = lineage.ancestors(course)
    credit = Credit(
        licence=licence_of(course),
        authors=lineage.credited_authors(course),
        parent=chain[1] if len(chain) > 1 else None,
        root=chain[-1] if len(chain) > 2 else None,
    )
    links = PackageLinks(
        course_slug=course.slug,
        modules={entry.slug: entry.path for entry in entries},
        assignments={entry.slug: entry.path for entry in assignments},
        media=frozenset(media),
        server_hosts=frozenset(host.lower() for host in server_hosts if host),
        script_root=script_root,
    )
    pages = _Pages()
    common = {"course": course, "credit": credit, "modules": entries}

    pages.files["index.html"] = _page(
        "offline/index.html", root="", assignments=assignments, **common
    )
    for index, (module, entry) in enumerate(zip(modules, entries, strict=True)):
        body = relink_html(
            render_markdown(module.current.body), MODULES_DIR, links, pages.shown_media
        )
        pages.files[entry.path] = _page(
            "offline/module.html",
            root="../",
            module=entry,
            body=body,
            previous=entries[index - 1] if index > 0 else None,
            next=entries[index + 1] if index + 1 < len(entries) else None,
            assignments=[a for a in assignments if a.module is entry],
            **common,
        )
    for assignment in assignments:
        spec = assignment.spec
        pages.files[assignment.path] = _page(
            "offline/assignment.html",
            root="../",
            assignment=assignment,
            spec=spec,
            prompt=relink_html(
                render_markdown(spec.prompt), ASSIGNMENTS_DIR, links, pages.shown_media
            ),
            submission_deadline=_when(spec.submission_deadline),
            review_deadline=_when(spec.review_deadline),
            settings=review_settings(spec),
            **common,
        )
    if pages.shown_media:
        for path, content in db.session.execute(
            select(CourseMedia.path, CourseMedia.content).where(
                CourseMedia.course_id == course.id, CourseMedia.path.in_(sorted(pages.shown_media))
            )
        ):
            pages.files[path] = bytes(content)
    pages.files["style.css"] = _stylesheet(Path(current_app.static_folder or "") / "style.css")
    pages.files["LICENSE.txt"] = _licence_text(course, credit).encode()
    return write_zip(package_folder(course), pages.files)


def _page(template: str, **context: object) -> bytes:
    return render_template(template, **context).encode()
