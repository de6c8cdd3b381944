"""Course Markdown as HTML on the site: links and images written as bundle paths point
at the site's pages and fingerprinted media URLs.

An author writes ``media/trench.png`` and ``modules/05-charge-controller.md`` as the files
sit in the bundle; the module page, the editor's preview and the offline package resolve
them the same way (:mod:`peerlearn.course_paths`), for Markdown images and links and for
raw HTML (``<img>``, ``<figure>``, ``<a>``) alike, and in a fork under its own slug.

Revisions never change, so the HTML of a revision is cached per process, keyed by the
revision and the course's media fingerprints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select

from peerlearn.content.models import Course, CourseMedia, ModuleRevision
from peerlearn.course_paths import MODULE_DIR, bundle_target, split_relative
from peerlearn.extensions import db
from peerlearn.markdown import render_markdown, sanitize_html


def media_fingerprints(course: Course) -> dict[str, str]:
    rows = db.session.execute(
        select(CourseMedia.path, CourseMedia.sha256).where(CourseMedia.course_id == course.id)
    )
    return {path: sha[:12] for path, sha in rows}


def render_revision(course: Course, revision: ModuleRevision) -> Markup:
    media = media_fingerprints(course)
    return _render_cached(
        revision.id,
        revision.body,
        course.slug,
        tuple(sorted(media.items())),
        url_for("catalog.index"),
    )


class _LazyFingerprints(Mapping[str, str]):
    """A course's media fingerprints, read from the database the first time a link asks:
    a text that links to no file of the bundle (most assignment prompts) costs no query."""

    def __init__(self, course: Course) -> None:
        self._course = course
        self._found: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._found is None:
            self._found = media_fingerprints(self._course)
        return self._found

    def __getitem__(self, path: str) -> str:
        return self._load()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def render_course_markdown(course: Course, text: str) -> Markup:
    """Markdown written for ``course`` (a draft in the editor's preview, an assignment's
    prompt), with its bundle links resolved like a saved module's."""
    return _relink(render_markdown(text), course.slug, _LazyFingerprints(course))


@lru_cache(maxsize=512)
def _render_cached(
    revision_id: int, body: str, slug: str, media: tuple[tuple[str, str], ...], root: str
) -> Markup:
    return _relink(render_markdown(body), slug, dict(media))


def _relink(html: Markup, slug: str, fingerprints: Mapping[str, str]) -> Markup:
    def attribute(tag: str, name: str, value: str) -> str | None:
        if name not in ("href", "src"):
            return value
        return site_url(value, slug, fingerprints)

    return Markup(sanitize_html(str(html), attribute_filter=attribute))


def site_url(url: str, slug: str, fingerprints: Mapping[str, str]) -> str:
    """The site's URL for a link or image source as written in the course's bundle;
    anything that names no file of the bundle is left as written."""
    relative = split_relative(url)
    if relative is None:
        return url
    path, fragment = relative
    target = bundle_target(path, MODULE_DIR, fingerprints)
    if target is None:
        return url
    if target.kind == "media":
        name = target.name.removeprefix("media/")
        new = url_for("catalog.media", slug=slug, name=name, v=fingerprints[target.name])
    elif target.kind == "module":
        new = url_for("catalog.module", slug=slug, module_slug=target.name)
    elif target.kind == "assignment":
        new = url_for("review.reviewing.assignment", slug=slug, assignment_slug=target.name)
    else:
        new = url_for("catalog.course", slug=slug)
    return new + (f"#{fragment}" if fragment else "")
