"""A small valid bundle written from scratch, and ways to look at the database and folders."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from peerlearn.content.models import Course, CourseMedia, Module, ModuleRevision
from peerlearn.extensions import db

COURSE_ID = "0b6d7a52-2d0e-4c8e-9a51-7f0c3c1e9a10"
SLUG = "rain-tank"
COURSE_YML = """\
id: 0b6d7a52-2d0e-4c8e-9a51-7f0c3c1e9a10
slug: rain-tank
title: Build a ferrocement rain tank
summary: |
  Collect rain from a tin roof and store it in a tank of wire mesh and mortar.
  Two short modules: why to store rain, and how to build the tank.
language: en
licence: CC-BY-SA-4.0
authors:
- Ana Quispe
- Jean Habimana
tags:
- water
- construction
"""
MODULE_1 = ("modules/01-why-store-rain.md", "b2f3c1d0-1111-4aaa-8bbb-000000000001")
MODULE_2 = ("modules/02-build-the-tank.md", "b2f3c1d0-2222-4aaa-8bbb-000000000002")
MODULE_FILES = {
    MODULE_1[0]: f"""\
---
id: {MODULE_1[1]}
title: Why store rain?
---

## Rain is free

A 30 m² roof collects 30 litres for every millimetre of rain.
""",
    MODULE_2[0]: f"""\
---
id: {MODULE_2[1]}
title: Build the tank
---

## Mesh and mortar

![The tank wall in section](media/tank.png)

1. Tie the mesh.
2. Plaster both sides.

---

Keep the wall wet for a week.
""",
}


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, kind)
    return buffer.getvalue()


def write_bundle_folder(root: Path) -> Path:
    """Write the small valid bundle into ``root`` (in canonical form) and return ``root``."""
    (root / "modules").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "course.yml").write_bytes(COURSE_YML.encode())
    for name, text in MODULE_FILES.items():
        (root / name).write_bytes(text.encode())
    (root / "media" / "tank.png").write_bytes(image_bytes())
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_bytes(text.replace(old, new).encode())


def folder_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` except dotfiles, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
    }


def run_import(runner: Any, path: Path) -> Any:
    return runner.invoke(args=["peerlearn", "import", str(path)])


def run_export(runner: Any, slug: str, dest: Path, *extra: str) -> Any:
    return runner.invoke(args=["peerlearn", "export", slug, str(dest), *extra])


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, Module, ModuleRevision, CourseMedia)
    }


def snapshot() -> dict[str, Any]:
    """Everything an import could change, in a form that compares with ``==``."""
    db.session.expire_all()
    courses = db.session.scalars(select(Course).order_by(Course.key)).all()
    modules = db.session.scalars(select(Module).order_by(Module.course_id, Module.key)).all()
    revisions = db.session.scalars(select(ModuleRevision).order_by(ModuleRevision.id)).all()
    media = db.session.scalars(select(CourseMedia).order_by(CourseMedia.id)).all()
    return {
        "courses": [(*_course_fields(c), [m.key for m in c.modules]) for c in courses],
        "modules": [
            (m.key, m.slug, m.position, m.removed_at, m.current_revision_id) for m in modules
        ],
        "revisions": [(r.id, r.module_id, r.title, r.body) for r in revisions],
        "media": [(m.course_id, m.path, m.sha256) for m in media],
    }


def course(slug: str = SLUG) -> Course | None:
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _course_fields(c: Course) -> tuple[Any, ...]:
    return (
        c.key, c.slug, c.title, c.summary, c.language, c.licence, c.author_names, c.tag_names,
        c.forked_from, c.translation_of,
    )  # fmt: skip
