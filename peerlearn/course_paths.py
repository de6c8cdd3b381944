"""What a relative link in a course bundle's file names, wherever the course is shown.

Authors link the way their files sit in the bundle folder: ``media/trench.png`` for an
image, ``modules/05-charge-controller.md`` (or ``05-charge-controller.md`` beside it)
for another module, ``assignments/gas-test.yml`` for an assignment, ``course.yml`` for the
course. The site, the editor's preview and the offline package each turn such a path into
their own URL; this module says once which file of the bundle a path names, so the three
agree. It is pure: no Flask, no database.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

MODULE_FILE = re.compile(r"^modules/\d{2,3}-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
ASSIGNMENT_FILE = re.compile(r"^assignments/([a-z0-9]+(?:-[a-z0-9]+)*)\.yml$")
#: Where a module's own file sits in the bundle: its relative links start from here.
MODULE_DIR = "modules"

TargetKind = Literal["course", "module", "assignment", "media"]


@dataclass(frozen=True)
class BundleTarget:
    """A file of the bundle: its kind, and its slug (or the media path, ``media/x.png``)."""

    kind: TargetKind
    name: str


def bundle_target(path: str, page_dir: str, media: Collection[str]) -> BundleTarget | None:
    """The bundle file that ``path``, written in a file in ``page_dir``, names.

    ``path`` is tried from the bundle's root and from ``page_dir`` (an author writing
    from the module's folder says ``../media/x.png``). A media path counts only if the
    bundle has it (``media``); module and assignment files are named by their slug, which
    a fork keeps. None for anything else, and for a path that climbs out of the bundle.
    """
    for candidate in (path, posixpath.join(page_dir, path)):
        name = posixpath.normpath(candidate) if candidate else ""
        if not name or name in (".", "..") or name.startswith(("../", "/")):
            continue
        if name in media:
            return BundleTarget("media", name)
        if name == "course.yml":
            return BundleTarget("course", "")
        if module := MODULE_FILE.match(name):
            return BundleTarget("module", module.group(1))
        if assignment := ASSIGNMENT_FILE.match(name):
            return BundleTarget("assignment", assignment.group(1))
    return None


def split_relative(url: str) -> tuple[str, str] | None:
    """``(path, fragment)`` of a relative URL as written in a bundle, or None for an
    absolute URL, a site path, a bare ``#fragment`` or something unreadable."""
    url = url.strip()
    if not url or url.startswith(("#", "/")):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path), parts.fragment
