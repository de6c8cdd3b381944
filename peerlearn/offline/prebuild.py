"""Offline packages built when a course changes, by a job, so that a download is served
from storage instead of rendering every page of the course inside the request.

A package's bytes depend on where the site lives (links to it become links inside the
package), the interface language and the time zone (``package.gather_inputs``). A job
knows the first from ``SITE_URL``; it builds each interface language in the default time
zone, which is what every visitor who is not signed in, and every account that kept the
default, downloads. Any other combination, and a site without ``SITE_URL``, is built by
its first download and stored for the next (``package.package_bytes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from peerlearn import jobs
from peerlearn.assignments.models import Assignment
from peerlearn.content.models import Course, CourseMedia, Module
from peerlearn.extensions import db
from peerlearn.i18n import supported_languages
from peerlearn.offline.package import gather_inputs, render_package, store_package, stored_package


def prebuilding() -> bool:
    """Whether changed courses get their packages built by a job (``OFFLINE_PREBUILD``,
    and a ``SITE_URL`` to build them for)."""
    config = current_app.config
    return bool(config.get("OFFLINE_PREBUILD") and config.get("SITE_URL"))


def connect() -> None:
    """Listen for changed courses (called once by the app factory; idempotent)."""
    if not event.contains(db.session, "after_flush", _courses_changed):
        event.listen(db.session, "after_flush", _courses_changed)


def _courses_changed(session: Session, _context: object) -> None:
    """Queue a build for every course whose package this flush may have changed: its
    settings, a module or assignment (a new revision moves its ``current`` pointer) or an
    image."""
    if not has_app_context() or not prebuilding():
        return
    changed: set[int] = set()
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Course):
            changed.add(instance.id)
        elif isinstance(instance, (Module, Assignment, CourseMedia)):
            changed.add(instance.course_id)
    for course_id in sorted(c for c in changed if c is not None):
        jobs.enqueue_item(build_packages, course_id)


def build_packages(course_ids: Iterable[int]) -> int:
    """Build and store the packages of these courses in every interface language (a job;
    safe to run twice: a stored fingerprint is not built again). Returns how many it
    built."""
    site = urlsplit(str(current_app.config.get("SITE_URL") or ""))
    if not site.netloc:
        return 0
    built = 0
    for course_id in sorted(set(course_ids)):
        course = db.session.get(Course, course_id)
        if course is None:
            continue  # deleted meanwhile
        for locale in supported_languages():
            with force_locale(locale):
                inputs = gather_inputs(
                    course, server_hosts=(site.netloc,), script_root=site.path.rstrip("/")
                )
                if stored_package(inputs.fingerprint) is None:
                    store_package(course.id, inputs.fingerprint, render_package(inputs))
                    built += 1
        db.session.commit()
    return built
