"""What a fork costs in storage, compared with the course it copies.

Creates a course of 20 modules with ~6 KB Markdown bodies and 5 revisions each in a
temporary SQLite database, forks it with ``forking.fork_course``, and prints how many rows
and bytes (stored text, titles and blobs, and the growth of the SQLite pages in use) the original
and the fork added. Module text is stored once per distinct body, so a fork should add a
few small rows per module and no copy of the text or history.

Run: ``.venv/bin/python bench/fork_storage.py`` (takes a few seconds).
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from sqlalchemy import LargeBinary, String, Text, func, select, text

from peerlearn import create_app
from peerlearn.accounts.services import register_user
from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.authoring.forking import fork_course
from peerlearn.bundles.format import CourseBundle, ModuleDoc
from peerlearn.content.models import Module
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db

MODULES, REVISIONS, BODY_BYTES = 20, 5, 6_000
# fmt: off
WORDS = [
    "digester", "bag", "trench", "slurry", "manure", "gas", "valve", "pipe", "pressure",
    "water", "temperature", "daily", "feeding", "family", "stove", "kitchen", "plastic",
    "geomembrane", "shade", "roof", "seal", "leak", "test", "measure", "litres", "kilograms",
    "metres", "cow", "pig", "dung", "fertiliser", "crops", "safety", "flame", "ventilation",
    "neighbour", "community", "build", "dig", "level", "slope", "inlet", "outlet", "reservoir",
    "hose", "clamp", "tape",
]
# fmt: on


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(25, 60))]
    return " ".join(words).capitalize() + "."


def body(rng: random.Random, n: int) -> str:
    parts = [f"## Part {n}\n"]
    while sum(len(p) + 1 for p in parts) < BODY_BYTES:
        if rng.random() < 0.15:
            parts.append(f"### {paragraph(rng)[:40]}\n")
        elif rng.random() < 0.15:
            parts.append("\n".join(f"- {paragraph(rng)[:70]}" for _ in range(4)) + "\n")
        else:
            parts.append(paragraph(rng) + "\n")
    return "\n".join(parts)


def edited(rng: random.Random, text_: str) -> str:
    """A realistic edit: one paragraph rewritten."""
    lines = text_.split("\n")
    candidates = [i for i, line in enumerate(lines) if len(line) > 80]
    lines[rng.choice(candidates)] = paragraph(rng)
    return "\n".join(lines)


def measure() -> tuple[dict[str, int], dict[str, int], int]:
    """Rows per table, stored text/blob bytes per table, and the database size in bytes."""
    rows: dict[str, int] = {}
    size: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        rows[table.name] = db.session.scalar(select(func.count()).select_from(table)) or 0
        columns = [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]
        total = 0
        for column in columns:
            total += db.session.scalar(select(func.sum(func.length(column)))) or 0
        size[table.name] = total
    pages = db.session.execute(text("PRAGMA page_count")).scalar() or 0
    free = db.session.execute(text("PRAGMA freelist_count")).scalar() or 0
    page_size = db.session.execute(text("PRAGMA page_size")).scalar() or 0
    # Pages in use, not the file length: the file never shrinks, and free pages left by
    # a transaction would hide what a later one adds.
    return rows, size, (pages - free) * page_size


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def report(label: str, rows: dict[str, int], size: dict[str, int], file_bytes: int) -> None:
    print(f"\n{label}")
    print(f"  {'table':<22}{'rows':>8}{'text bytes':>14}")
    for name in sorted(set(rows) | set(size)):
        if rows.get(name) or size.get(name):
            print(f"  {name:<22}{rows.get(name, 0):>8}{size.get(name, 0):>14,}")
    print(f"  {'total':<22}{sum(rows.values()):>8}{sum(size.values()):>14,}")
    print(f"  SQLite pages in use grew by: {file_bytes:,} bytes")


def main() -> None:
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            authors = [register_user(f"author{n}", f"a{n}@example.org", "x" * 12, "en")
                       for n in range(3)]  # fmt: skip
            forker = register_user("forker", "f@example.org", "x" * 12, "en")
            db.session.commit()
            rows0, size0, file0 = measure()

            docs = tuple(
                ModuleDoc(id=f"m{i}", position=i, slug=f"module-{i}", title=f"Module {i}",
                          body=body(rng, i))
                for i in range(1, MODULES + 1)
            )  # fmt: skip
            import_bundle(
                CourseBundle(
                    id="bench-course", slug="bench", title="Bench course", summary="Bench.",
                    language="en", licence="CC-BY-SA-4.0", authors=("Ana",), tags=("bench",),
                    modules=docs,
                )
            )  # fmt: skip
            for module in db.session.scalars(select(Module).order_by(Module.position)):
                for r in range(REVISIONS - 1):
                    new_body = edited(rng, module.current.body)
                    add_revision(module, new_body, author=authors[r % 3], kind="edit",
                                 parent=module.current, title=module.current.title)  # fmt: skip
            db.session.commit()
            rows1, size1, file1 = measure()

            from peerlearn.content.models import Course

            original = db.session.scalar(select(Course).where(Course.slug == "bench"))
            assert original is not None
            fork_course(forker, original, slug="bench-fork", title="Bench fork",
                        licence="CC-BY-SA-4.0")  # fmt: skip
            db.session.commit()
            rows2, size2, file2 = measure()

        print(f"{MODULES} modules x {REVISIONS} revisions, ~{BODY_BYTES:,} byte bodies")
        report("The original course added:", delta(rows1, rows0), delta(size1, size0),
               file1 - file0)  # fmt: skip
        report("The fork added:", delta(rows2, rows1), delta(size2, size1), file2 - file1)
        ratio = sum(delta(size2, size1).values()) / max(1, sum(delta(size1, size0).values()))
        print(f"\nFork text bytes are {ratio:.1%} of the original's.")


if __name__ == "__main__":
    main()
