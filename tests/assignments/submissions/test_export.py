"""The zip export: one folder per learner's latest submitted version."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from peerlearn.assignments.export import Bundle, ExportTexts, folder_name, log_markdown, photo_names
from peerlearn.assignments.measurements import Measurement
from peerlearn.assignments.models import PhotoBlob
from peerlearn.assignments.snapshots import EntryView, LogView, PhotoView
from peerlearn.extensions import db
from tests.fixtures.submissions import add_entry, submit


def test_zip_holds_latest_versions_with_photos(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    make_log: Callable[..., Any], setting: dict[str, Any],
) -> None:  # fmt: skip
    assignment = setting["assignment"]
    ana = make_log(create_user("ana.m"), assignment, entries=2, photos=1, submissions=1)
    add_entry(ana, 7, "Second version only.", photos=[(999, "Gas [flame] | test")])
    db.session.commit()
    submit(ana)
    add_entry(ana, 9, "Unsubmitted draft.")
    db.session.commit()
    make_log(create_user("ben_2"), assignment, entries=1, photos=0, submissions=1)
    make_log(create_user("cleo"), assignment, entries=1, photos=1)  # draft only: left out

    login(setting["maintainer"])
    response = client.get(setting["zip"])
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "digesters-gas-test-submissions.zip" in disposition

    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = sorted(archive.namelist())
    photo_files = [n for n in names if n.startswith("ana.m/photos/")]
    assert names == sorted(["README.md", "ana.m/log.md", "ben_2/log.md", *photo_files])
    assert len(photo_files) == 3

    blobs = {b.sha256: b.display for b in db.session.scalars(db.select(PhotoBlob))}
    for name in photo_files:
        _number, rest = name.removeprefix("ana.m/photos/").split("-", 1)
        sha8 = rest.removesuffix(".jpg")
        (sha,) = [s for s in blobs if s.startswith(sha8)]
        assert archive.read(name) == blobs[sha]
    assert sorted(n.split("/")[-1].split("-")[0] for n in photo_files) == ["1", "2", "3"]

    log_md = archive.read("ana.m/log.md").decode()
    assert log_md.startswith("# ana.m's digester\n")
    assert "*Version 2, submitted " in log_md
    assert "## Saturday, March 1, 2025" in log_md
    assert "Day 1: **dug** the trench." in log_md
    assert "Second version only." in log_md and "Unsubmitted draft" not in log_md
    assert "| Measurement | Value | Unit |" in log_md
    assert "| Gas production | 0.1 | m³/day |" in log_md
    first_photo = next(n for n in photo_files if "/1-" in n)
    assert f"![Trench 1.0]({first_photo.removeprefix('ana.m/')})" in log_md
    assert "![Gas \\[flame\\] \\| test](photos/3-" in log_md

    readme = archive.read("README.md").decode()
    assert readme.startswith("# Gas production test\n")
    assert "2 learners' latest submitted versions." in readme
    assert "[ana.m](ana.m/log.md): Version 2" in readme


def test_zip_with_no_submissions_has_only_the_readme(
    client: Any, login: Callable[..., Any], setting: dict[str, Any]
) -> None:
    login(setting["maintainer"])
    archive = zipfile.ZipFile(io.BytesIO(client.get(setting["zip"]).get_data()))
    assert archive.namelist() == ["README.md"]
    assert "0 learners'" in archive.read("README.md").decode()


def _texts() -> ExportTexts:
    return ExportTexts(
        measurements="Measurements",
        measurement="Measurement",
        value="Value",
        unit="Unit",
        version_line=lambda version, at: f"Version {version}",
        entry_date=lambda day: day.isoformat(),
        number=lambda value: str(value),
        readme=lambda written: "",
    )


def test_folder_names_are_safe_and_unique() -> None:
    taken: set[str] = set()
    assert folder_name("ana", taken) == "ana"
    assert folder_name("ANA", taken) == "ana-2"
    assert folder_name("../etc/passwd", taken) == "_etc_passwd"
    assert folder_name("..", taken) == "learner"


def test_markdown_escapes_captions_and_cells_and_reuses_a_photo() -> None:
    photo = PhotoView("ab" * 32, "a | b ]", 10, 10, 5, 5)
    entry = EntryView(
        date(2025, 1, 2),
        "Text *kept* as Markdown.",
        (photo, photo),
        (Measurement("T | x", Decimal("24.5"), "°C"),),
    )
    view = LogView("Title", "", (entry,))
    names = photo_names(view, {photo.sha256: (b"x", "image/webp")})
    assert names == {photo.sha256: "photos/1-abababab.webp"}
    bundle = Bundle("u", 1, datetime(2025, 1, 3, tzinfo=UTC), view)
    text = log_markdown(bundle, names, _texts())
    assert "![a \\| b \\]](photos/1-abababab.webp)" in text
    assert "| T \\| x | 24.5 | °C |" in text
    assert "Text *kept* as Markdown." in text
