"""Write a :class:`CourseBundle` as files, in the one canonical layout the reader accepts.

The output is deterministic, so importing a bundle and exporting it again gives back the
same bytes, and a bundle kept in version control only shows real changes in diffs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from peerlearn.bundles.format import (
    COURSE_FIELDS,
    COURSE_FILE,
    MODULES_DIR,
    CourseBundle,
    ModuleDoc,
)


class _BundleDumper(yaml.SafeDumper):
    """Multi-line text as ``|`` blocks, everything else in PyYAML's plain style."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BundleDumper.add_representer(str, _represent_str)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_BundleDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
    )


def course_yaml(bundle: CourseBundle) -> str:
    values: dict[str, Any] = {
        "id": bundle.id,
        "slug": bundle.slug,
        "title": bundle.title,
        "summary": bundle.summary,
        "language": bundle.language,
        "licence": bundle.licence,
        "authors": list(bundle.authors),
        "tags": list(bundle.tags),
        "forked_from": bundle.forked_from,
        "translation_of": bundle.translation_of,
    }
    return _dump({key: values[key] for key in COURSE_FIELDS if values[key] is not None})


def module_text(module: ModuleDoc) -> str:
    return "---\n" + _dump({"id": module.id, "title": module.title}) + "---\n" + module.body


def bundle_files(bundle: CourseBundle) -> dict[str, bytes]:
    """Every file of the bundle, keyed by its path relative to the bundle folder."""
    files = {COURSE_FILE: course_yaml(bundle).encode()}
    for module in bundle.modules:
        files[f"{MODULES_DIR}/{module.filename}"] = module_text(module).encode()
    for media in bundle.media:
        files[media.path] = media.content
    for assignment in bundle.assignments:
        # Written as stored: the text a maintainer saved or a bundle brought, byte for byte.
        files[assignment.path] = assignment.text.encode()
    return files


def write_bundle(bundle: CourseBundle, folder: Path) -> list[Path]:
    """Write the bundle into ``folder`` (created if needed); return the paths written."""
    written = []
    for relative, content in bundle_files(bundle).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
