"""``flask --app wsgi peerlearn ...``: operator commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from peerlearn.bundles.format import BundleError, CourseBundle
from peerlearn.bundles.reader import find_bundles, read_bundle
from peerlearn.bundles.services import export_bundle, import_bundle
from peerlearn.bundles.writer import write_bundle
from peerlearn.catalog.services import course_by_slug
from peerlearn.extensions import db

peerlearn_cli = AppGroup("peerlearn", help="peerlearn administration commands.")


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
    slugs: dict[str, Path] = {}
    for folder, bundle in bundles:
        if bundle.slug in slugs:
            errors.append(
                BundleError(
                    str(folder / "course.yml"), f"also used by {slugs[bundle.slug]}", "slug"
                )
            )
        slugs[bundle.slug] = folder
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
    click.echo(f"{slug}: wrote {len(written)} files to {target}")


def _fail(errors: list[BundleError]) -> None:
    for error in errors:
        click.echo(f"error: {error}", err=True)
    click.echo("Nothing was imported.", err=True)
    sys.exit(1)
