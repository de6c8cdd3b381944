"""Where the links and images of an offline package's pages point.

The pages of a package open from ``file://``, a USB stick or any static web server, so
every link between them must be relative and nothing may point back at the server (a
learner may be far from any network). These functions know only what the package holds
(:class:`PackageLinks`), not the database or the request, so each rule is tested with
plain strings; :mod:`peerlearn.offline.package` builds the pages and the zip around them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from peerlearn.markdown import sanitize_html

MODULES_DIR = "modules"
ASSIGNMENTS_DIR = "assignments"
MEDIA_DIR = "media"

_MODULE_FILE = re.compile(r"^modules/\d{2,3}-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_ASSIGNMENT_FILE = re.compile(r"^assignments/([a-z0-9]+(?:-[a-z0-9]+)*)\.yml$")
_SITE_PATH = re.compile(r"^/courses/([^/]+)(?:/(m|a|media)/(.+?))?/?$")
_MEDIA_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


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
        # Defence in depth: nothing outside the package folder is looked up at all. The
        # lookups below could not match such a name either, so no test can tell this line
        # from a changed one; mutation testing leaves it alone.
        if not name or name == "." or name == ".." or name.startswith("../"):  # pragma: no mutate
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
