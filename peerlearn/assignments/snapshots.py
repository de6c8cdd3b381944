"""One shape for showing a build log, whether it is the learner's draft or a submitted
version: the draft is turned into the same plain data that a submission stores as JSON.

So the learner's page, the maintainer's view and (later) the reviewer's view render one
template, and a submitted version can never change when the draft does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from peerlearn.assignments.measurements import Measurement, Series, chartable, series_from_entries
from peerlearn.assignments.models import BuildLog


@dataclass(frozen=True)
class PhotoView:
    sha256: str
    caption: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int


@dataclass(frozen=True)
class EntryView:
    entry_date: date
    text: str
    photos: tuple[PhotoView, ...]
    measurements: tuple[Measurement, ...]


@dataclass(frozen=True)
class LogView:
    title: str
    summary: str
    entries: tuple[EntryView, ...]

    @property
    def series(self) -> list[Series]:
        """Measurements repeated across entries, as chartable time series."""
        return chartable(
            series_from_entries([(entry.entry_date, entry.measurements) for entry in self.entries])
        )


def snapshot_data(log: BuildLog) -> dict[str, Any]:
    """The log as plain JSON-ready data (entries in date order)."""
    return {
        "title": log.title,
        "summary": log.summary,
        "entries": [
            {
                "date": entry.entry_date.isoformat(),
                "text": entry.text,
                "photos": [
                    {
                        "sha256": photo.blob.sha256,
                        "caption": photo.caption,
                        "width": photo.blob.display_width,
                        "height": photo.blob.display_height,
                        "thumb_width": photo.blob.thumbnail_width,
                        "thumb_height": photo.blob.thumbnail_height,
                    }
                    for photo in entry.photos
                ],
                "measurements": [
                    {"name": m.name, "value": str(m.value.normalize()), "unit": m.unit}
                    for m in entry.measurements
                ],
            }
            for entry in log.entries
        ],
    }


def snapshot_json(log: BuildLog) -> str:
    return json.dumps(snapshot_data(log), ensure_ascii=False, sort_keys=True)


def view_from_data(data: dict[str, Any]) -> LogView:
    return LogView(
        title=data["title"],
        summary=data["summary"],
        entries=tuple(
            EntryView(
                entry_date=date.fromisoformat(entry["date"]),
                text=entry["text"],
                photos=tuple(PhotoView(**photo) for photo in entry["photos"]),
                measurements=tuple(
                    Measurement(m["name"], Decimal(m["value"]), m["unit"])
                    for m in entry["measurements"]
                ),
            )
            for entry in data["entries"]
        ),
    )


def view_of_log(log: BuildLog) -> LogView:
    """The learner's current draft, shaped like a submission."""
    return view_from_data(snapshot_data(log))


def view_of_snapshot(snapshot: str) -> LogView:
    return view_from_data(json.loads(snapshot))
