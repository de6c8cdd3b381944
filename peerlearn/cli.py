"""``flask --app wsgi peerlearn ...``: operator commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from peerlearn.authoring.bundle_io import export_bundle, import_bundle
from peerlearn.bundles.assignment_spec import ASSIGNMENTS_DIR
from peerlearn.bundles.format import MEDIA_DIR, MODULES_DIR, BundleError, CourseBundle
from peerlearn.bundles.reader import find_bundles, read_bundle
from peerlearn.bundles.writer import write_bundle
from peerlearn.catalog.services import course_by_slug
from peerlearn.extensions import db
from peerlearn.recognition.cli import register_badge_commands
from peerlearn.review.grading.grade_csv import register_grade_command

peerlearn_cli = AppGroup("peerlearn", help="peerlearn administration commands.")
register_grade_command(peerlearn_cli)
register_badge_commands(peerlearn_cli)


@peerlearn_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def import_command(path: Path) -> None:
    """Import one course bundle, or every bundle in a folder.

    All bundles are checked first; if any is bad, nothing is imported.
    """
    max_bytes = current_app.config["MEDIA_MAX_BYTES"]
    bundles: list[tuple[Path, CourseBundle]] = []
    errors: list[BundleError] = []
    try:
        folders = find_bundles(path)
    except BundleError as error:
        _fail([error])
    for folder in folders:
        try:
            bundles.append((folder, read_bundle(folder, max_bytes)))
        except BundleError as error:
            errors.append(error)
    # Two folders with one id would silently become one course (the second a "rename").
    seen: dict[str, dict[str, Path]] = {"id": {}, "slug": {}}
    for folder, bundle in bundles:
        for name, value in (("id", bundle.id), ("slug", bundle.slug)):
            if value in seen[name]:
                errors.append(
                    BundleError(
                        str(folder / "course.yml"), f"also used by {seen[name][value]}", name
                    )
                )
            seen[name][value] = folder
    if errors:
        _fail(errors)
    results = []
    try:
        for folder, bundle in bundles:
            results.append(import_bundle(bundle, source=str(folder)))
        db.session.commit()
    except BundleError as error:
        db.session.rollback()
        _fail([error])
    for result in results:
        click.echo(
            f"{result.slug}: {result.outcome.value} ({result.modules_changed} module changes)"
        )


@peerlearn_cli.command("export")
@click.argument("slug")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files in an existing bundle folder.")
def export_command(slug: str, dest: Path, force: bool) -> None:
    """Write the course SLUG as a bundle into DEST/SLUG."""
    course = course_by_slug(slug)
    if course is None:
        click.echo(f"error: no course with slug '{slug}'", err=True)
        sys.exit(1)
    target = dest / slug
    if target.exists() and any(target.iterdir()) and not force:
        click.echo(f"error: {target} exists and is not empty (use --force to overwrite)", err=True)
        sys.exit(1)
    written = write_bundle(export_bundle(course), target)
    stale = _remove_stale_files(target, written)
    removed = f", removed {len(stale)} stale files" if stale else ""
    click.echo(f"{slug}: wrote {len(written)} files to {target}{removed}")


@peerlearn_cli.command("import-markdown")
@click.argument("source", type=click.Path(file_okay=False, path_type=Path))
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--slug", help="The course slug (default: from the lesson's title).")
@click.option("--licence", help="SPDX id of the licence, overriding what the source says.")
@click.option("--language", help="The lessons' language code (default: the lesson's own, else en).")
@click.option("--author", "authors", multiple=True, help="An author's name (repeatable).")
@click.option("--force", is_flag=True, help="Write into TARGET even if it is not empty.")
def import_markdown_command(
    source: Path,
    target: Path,
    slug: str | None,
    licence: str | None,
    language: str | None,
    authors: tuple[str, ...],
    force: bool,
) -> None:
    """Turn a Carpentries Workbench lesson or an MkDocs site in SOURCE into a course
    bundle in TARGET, ready for `peerlearn import TARGET`.

    What cannot be converted is listed as warnings (file:line); the bundle is written
    anyway. Converting again into the same TARGET with --force keeps the course's and
    the modules' ids, so that importing the result updates the course.
    """
    from peerlearn.bundles.markdown_import import ImportOptions, ImportRefused, import_lessons

    course_id: str | None = None
    module_ids: dict[str, str] = {}
    if target.exists() and any(target.iterdir()):
        if not force:
            click.echo(f"error: {target} exists and is not empty (use --force)", err=True)
            sys.exit(1)
        course_id, module_ids = _earlier_ids(target)
    options = ImportOptions(
        slug=slug,
        licence=licence,
        language=language,
        authors=authors,
        course_id=course_id,
        module_ids=module_ids,
        media_max_bytes=current_app.config["MEDIA_MAX_BYTES"],
    )
    try:
        if language is not None:
            _check_language(language)
        result = import_lessons(source, options)
    except ImportRefused as refused:
        click.echo(f"error: {refused}", err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(1)
    for finding in result.findings:
        click.echo(
            f"warning: {source / finding.file}"
            + (f":{finding.line}" if finding.line else "")
            + f": {finding.message}"
        )
    if target.exists():  # an earlier conversion's modules and images, renamed since
        for folder in (target / MODULES_DIR, target / MEDIA_DIR):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file() and not path.name.startswith("."):
                    path.unlink()
    written = write_bundle(result.bundle, target)
    bundle = result.bundle
    click.echo(
        f"{bundle.slug}: wrote {len(written)} files to {target} ({result.kind}: "
        f"{len(bundle.modules)} modules, {len(bundle.media)} images, "
        f"{len(result.findings)} warnings)"
    )


def _earlier_ids(target: Path) -> tuple[str | None, dict[str, str]]:
    """The course id and module ids (by slug) of an earlier conversion into ``target``."""
    import yaml

    from peerlearn.bundles.markdown_import import existing_ids

    try:
        meta = yaml.safe_load((target / "course.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        meta = None
    course_id = meta.get("id") if isinstance(meta, dict) else None
    modules = target / MODULES_DIR
    files = (
        [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in modules.glob("*.md")]
        if modules.is_dir()
        else []
    )
    return (course_id if isinstance(course_id, str) else None), existing_ids(files)


def _check_language(language: str) -> None:
    from babel import Locale, UnknownLocaleError

    from peerlearn.bundles.markdown_import import ImportRefused

    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ImportRefused(f"unknown language code '{language}'") from None


@peerlearn_cli.command("notify")
def notify_command() -> None:
    """Remind reviewers whose lease runs out within the hour, then send every notice not
    sent yet (email, or the log without SMTP). Run it from cron every few minutes; it
    exits with 1 when the SMTP server could not take mail."""
    from peerlearn.jobs import background
    from peerlearn.notifications.delivery import deliver_unsent
    from peerlearn.review.notifications import notify_expiring_leases

    with background(), current_app.test_request_context("/"):  # url_for outside a request
        reminders = notify_expiring_leases()
        db.session.commit()
        result = deliver_unsent()
    click.echo(
        f"{len(reminders)} lease reminders created; {result.sent} notices sent, "
        f"{result.refused} refused, {result.deferred} left for the next run"
    )
    if result.stopped:
        click.echo("error: the SMTP server could not take mail (see the log)", err=True)
        sys.exit(1)


@peerlearn_cli.group("notifications")
def notifications_cli() -> None:
    """Notices by email."""


@notifications_cli.command("digest")
def digest_command() -> None:
    """Send the daily digest to everyone who chose one and has unsent notices: one email
    each, as a job (a worker runs them with Redis, this command without). Run it once a
    day from cron; a second run the same day sends nothing."""
    from peerlearn.jobs import background, dispatch_ready
    from peerlearn.notifications.digest import enqueue_digests

    with background(), current_app.test_request_context("/"):  # url_for outside a request
        count = enqueue_digests()
        db.session.commit()
        dispatch_ready()
    click.echo(f"{count} digests queued")


@peerlearn_cli.group("translators")
def translators_cli() -> None:
    """Translators of the interface languages (also on /translate/translators)."""


@translators_cli.command("grant")
@click.argument("username")
@click.argument("locale")
def grant_translator_command(username: str, locale: str) -> None:
    """Name USERNAME translator of LOCALE (one of LANGUAGES, not the source language)."""
    from peerlearn.community_i18n.services import TranslationError, grant_translator

    languages = list(current_app.config["LANGUAGES"])[1:]
    if locale not in languages:
        click.echo(f"error: {locale} is not one of {', '.join(languages)}", err=True)
        sys.exit(1)
    try:
        grant_translator(None, username, locale)
    except TranslationError as error:
        click.echo(f"error: {username}: {error.code.replace('_', ' ')}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{username} now translates into {locale}")


@peerlearn_cli.group("admins")
def admins_cli() -> None:
    """Site admins: lock accounts, name translators, remove maintainers, edit any course."""


@admins_cli.command("grant")
@click.argument("username")
def grant_admin_command(username: str) -> None:
    """Make USERNAME a site admin (how the first admin is made)."""
    from peerlearn.personal_data import admin

    try:
        user = admin.grant_admin(username)
    except admin.AdminError:
        click.echo(f"error: there is no user called '{username}'", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{user.username} is now a site admin")


@admins_cli.command("revoke")
@click.argument("username")
def revoke_admin_command(username: str) -> None:
    """Take site admin rights away from USERNAME (never from the last admin)."""
    from peerlearn.personal_data import admin

    try:
        user = admin.revoke_admin(username)
    except admin.AdminError as error:
        message = {
            "last_admin": f"{username} is the last site admin; grant someone else first",
        }.get(error.code, f"there is no user called '{username}'")
        click.echo(f"error: {message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{user.username} is no longer a site admin")


@admins_cli.command("list")
def list_admins_command() -> None:
    """Print the site admins, one username a line."""
    from peerlearn.personal_data import admin

    for user in admin.admins():
        click.echo(user.username + (" (locked)" if user.locked_at else ""))


def _remove_stale_files(target: Path, written: list[Path]) -> list[Path]:
    """Delete module and media files an earlier export left behind (--force).

    Left in place, a module the course no longer has would come back on the next import.
    Dotfiles (such as .git) are never touched.
    """
    keep = set(written)
    stale = [
        path
        for folder in (target / MODULES_DIR, target / MEDIA_DIR, target / ASSIGNMENTS_DIR)
        if folder.is_dir()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path not in keep
        and not any(part.startswith(".") for part in path.relative_to(target).parts)
    ]
    for path in stale:
        path.unlink()
    return stale


def _fail(errors: list[BundleError]) -> None:
    for error in errors:
        click.echo(f"error: {error}", err=True)
    click.echo("Nothing was imported.", err=True)
    sys.exit(1)


@peerlearn_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run jobs from the queue on PEERLEARN_REDIS_URL (email, notices) until stopped.
    Start as many as you like, on any machine that reaches the Redis and the database;
    see docs/jobs.md."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        click.echo(
            "error: PEERLEARN_REDIS_URL is not set; without it jobs run in the web process",
            err=True,
        )
        sys.exit(1)
    from peerlearn.jobs.queue import work

    work(str(url), burst=burst)
