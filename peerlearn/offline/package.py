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
is pointed at its file in the package, or dropped when the package cannot hold what it
points at (:mod:`peerlearn.offline.links`).

The zip is deterministic: entries sorted, fixed timestamps and permissions, so the same
course read in the same interface language gives the same bytes (and the same ETag).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import current_app, render_template
from flask_babel import get_locale, get_timezone
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.assignments.services import active_modules, course_assignments
from peerlearn.authoring import lineage
from peerlearn.bundles.assignment_spec import Anonymity, AssignmentSpec, Grading
from peerlearn.community_i18n.layering import translation_version
from peerlearn.content.models import Course, CourseMedia, Module
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext, when
from peerlearn.licences import LICENCES, Licence
from peerlearn.markdown import render_markdown
from peerlearn.offline.links import (
    ASSIGNMENTS_DIR,
    MODULES_DIR,
    PackageLinks,
    assignment_page,
    is_safe_media_path,
    module_page,
    relink_html,
)
from peerlearn.offline.models import OfflinePackage

#: The earliest time a zip entry can carry (1980-01-01 00:00): fixed, so that building the
#: same course twice gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Changes whenever the package's layout or pages change in a way its inputs do not show,
#: so that no cached package of the old kind is served (part of every fingerprint).
PACKAGE_FORMAT = "offline-package-1"
#: Built packages each app process keeps (``OFFLINE_CACHE_BYTES``), most recently used first.
DEFAULT_CACHE_BYTES = 16 * 1024 * 1024
CACHE_EXTENSION = "peerlearn.offline.cache"
#: Stored packages kept per course: the six interface languages, each in its present and
#: its previous version (a download that started before an edit still finds its bytes).
KEEP_PER_COURSE = 12

#: Already compressed: deflating them again costs time and saves nothing.
STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


# --- The zip ---------------------------------------------------------------------------


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
    return when(value) if value is not None else None


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


@dataclass(frozen=True)
class PackageInputs:
    """Everything a package is made of, read from the database in a fixed number of
    queries. ``fingerprint`` names the bytes :func:`render_package` makes of it: the same
    fingerprint always gives the same zip, so it is the download's ETag and the key under
    which a built package is kept (:func:`package_bytes`)."""

    course: Course
    modules: list[Module]
    entries: list[ModuleEntry]
    assignments: list[Assignment]
    media: dict[str, str]
    credit: Credit
    links: PackageLinks
    fingerprint: str


def gather_inputs(
    course: Course, server_hosts: Iterable[str] = (), script_root: str = ""
) -> PackageInputs:
    """The package's inputs and their fingerprint, in the current request's language,
    time zone and approved translations.

    ``server_hosts`` and ``script_root`` say where the site lives, so that links an
    author wrote to it become links inside the package. A fixed number of queries,
    however many modules, assignments or images the course has.
    """
    modules = active_modules(course)
    entries = [
        ModuleEntry(number, module.slug, module.current.title, module_page(number, module.slug))
        for number, module in enumerate(modules, start=1)
    ]
    assignments = [a for a in course_assignments(course) if a.current is not None]
    media = {
        path: sha256
        for path, sha256 in db.session.execute(
            select(CourseMedia.path, CourseMedia.sha256).where(CourseMedia.course_id == course.id)
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
        assignments={a.slug: assignment_page(a.slug) for a in assignments},
        media=frozenset(media),
        server_hosts=frozenset(host.lower() for host in server_hosts if host),
        script_root=script_root,
    )
    locale = str(get_locale() or "")
    facts: list[object] = [
        PACKAGE_FORMAT,
        [course.id, course.slug, course.title, course.summary, course.licence, course.language,
         course.translation_of, course.forked_from, course.author_names],
        [[e.number, e.slug, e.title, m.current.content.sha256]
         for e, m in zip(entries, modules, strict=True)],
        [[a.slug, a.current.content.sha256 if a.current else None,
          a.module.slug if a.module is not None else None] for a in assignments],
        sorted(media.items()),
        [credit.licence.spdx, credit.licence.name, credit.licence.url, credit.authors]
        + [[c.key, c.title, c.language, c.translation_of] if c else None
           for c in (credit.parent, credit.root)],
        sorted(links.server_hosts), script_root,
        locale, str(get_timezone()), translation_version(locale),
    ]  # fmt: skip
    digest = hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()
    return PackageInputs(course, modules, entries, assignments, media, credit, links, digest)


def render_package(inputs: PackageInputs) -> bytes:
    """The zip that ``inputs`` describe: the pages rendered, the shown images read."""
    course, modules, entries, links = inputs.course, inputs.modules, inputs.entries, inputs.links
    by_id = {module.id: entry for module, entry in zip(modules, entries, strict=True)}
    assignments = [
        AssignmentEntry(
            assignment.slug,
            spec_of(assignment),
            assignment_page(assignment.slug),
            by_id.get(assignment.module_id) if assignment.module_id is not None else None,
        )
        for assignment in inputs.assignments
    ]
    credit = inputs.credit
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


class PackageCache:
    """Built packages by fingerprint, most recently used kept, within a byte budget.

    Per process and in memory, on purpose: a deploy that changes a template or the
    stylesheet starts new processes, so no package built by older code outlives it, and
    nothing is written to disk that an account deletion would have to find.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.budget // 4:
            return  # one huge course must not push every other out
        with self._lock:
            if key in self._items:
                return
            self._items[key] = data
            self._size += len(data)
            while self._size > self.budget:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def _process_cache() -> PackageCache:
    cache: PackageCache | None = current_app.extensions.get(CACHE_EXTENSION)
    if cache is None:
        budget = int(current_app.config.get("OFFLINE_CACHE_BYTES", DEFAULT_CACHE_BYTES))
        cache = current_app.extensions.setdefault(CACHE_EXTENSION, PackageCache(budget))
    return cache


def package_bytes(inputs: PackageInputs) -> bytes:
    """The package ``inputs`` describe: from this process's memory, else as stored by the
    build job (``offline.prebuild``) or an earlier download, else built now and stored,
    so that each fingerprint is built once for all processes and hosts.

    Storing is part of the caller's transaction (the view commits it); two processes that
    build the same package at once both serve their bytes, and the second insert is
    dropped (``store_package``)."""
    cache = _process_cache()
    data = cache.get(inputs.fingerprint)
    if data is None:
        data = stored_package(inputs.fingerprint)
        if data is None:
            data = render_package(inputs)
            store_package(inputs.course.id, inputs.fingerprint, data)
        cache.put(inputs.fingerprint, data)
    return data


def stored_package(fingerprint: str) -> bytes | None:
    data: bytes | None = db.session.scalar(
        select(OfflinePackage.data).where(OfflinePackage.fingerprint == fingerprint)
    )
    return data


def store_package(course_id: int, fingerprint: str, data: bytes) -> None:
    """Keep a built package (once per fingerprint) and drop the course's oldest beyond
    ``KEEP_PER_COURSE``. A concurrent insert of the same fingerprint wins quietly: the
    bytes are the same."""
    try:
        with db.session.begin_nested():
            db.session.add(OfflinePackage(course_id=course_id, fingerprint=fingerprint, data=data))
    except IntegrityError:
        return
    keep = (
        select(OfflinePackage.id)
        .where(OfflinePackage.course_id == course_id)
        .order_by(OfflinePackage.id.desc())
        .limit(KEEP_PER_COURSE)
    )
    db.session.execute(
        delete(OfflinePackage).where(
            OfflinePackage.course_id == course_id,
            OfflinePackage.id.not_in(keep.scalar_subquery()),
        )
    )


def _page(template: str, **context: object) -> bytes:
    return render_template(template, **context).encode()
