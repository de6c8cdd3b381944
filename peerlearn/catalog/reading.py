"""Module bodies as HTML: bundle-relative image paths become fingerprinted media URLs.

Revisions never change, so the HTML of a revision is cached per process, keyed by the
revision and the course's media fingerprints.
"""

from __future__ import annotations

from functools import lru_cache

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select

from peerlearn.authoring.models import CourseMedia, ModuleRevision
from peerlearn.catalog.models import Course
from peerlearn.extensions import db
from peerlearn.markdown import render_markdown


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


@lru_cache(maxsize=512)
def _render_cached(
    revision_id: int, body: str, slug: str, media: tuple[tuple[str, str], ...], root: str
) -> Markup:
    fingerprints = dict(media)

    def rewrite(src: str) -> str:
        path = src.removeprefix("./")
        if path in fingerprints:
            name = path.removeprefix("media/")
            return url_for("catalog.media", slug=slug, name=name, v=fingerprints[path])
        return src

    return render_markdown(body, rewrite_image=rewrite)
