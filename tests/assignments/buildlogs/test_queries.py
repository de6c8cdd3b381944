"""The log page costs the same number of queries with one entry or with many."""

from __future__ import annotations

import re

from tests.fixtures.buildlogs import LOG, PAGE, jpeg_bytes, upload


def _fill(client, add_entry, count: int, start: int) -> None:
    for n in range(count):
        entry = add_entry(f"Entry {start + n}", f"2026-05-{start + n:02d}")
        upload(
            client,
            f"{LOG}/entries/{entry}/photos",
            jpeg_bytes(color=(start + n, 0, 0)),
            f"p{entry}",
        )
        client.submit(
            f"{LOG}/entries/{entry}/measurements",
            {f"m{entry}-name": "Depth", f"m{entry}-value": str(n + 1), f"m{entry}-unit": "m"},
        )


def test_log_page_queries_do_not_grow_with_entries_and_photos(
    client, started, add_entry, count_queries
):
    client.submit(LOG, {"title": "Digester", "summary": ""})
    _fill(client, add_entry, 1, 1)
    client.submit(LOG + "/submit")
    with count_queries() as one:
        assert client.get(LOG).status_code == 200
    with count_queries() as one_page:
        client.get(PAGE)
    _fill(client, add_entry, 6, 2)
    client.submit(LOG + "/submit")
    with count_queries() as seven:
        page = client.get(LOG).get_data(as_text=True)
    with count_queries() as seven_page:
        client.get(PAGE)
    assert page.count('loading="lazy"') == 7 and "<svg" in page
    assert seven.count == one.count
    assert seven_page.count == one_page.count
    with count_queries() as version:
        client.get(LOG + "/versions/2")
    assert version.count <= one.count


_PHOTO_BYTES = re.compile(r"photo_blobs(?:_\d+)?\.(?:display|thumbnail)\b(?!_)")


def test_pages_that_show_photos_do_not_load_their_bytes(client, started, add_entry, count_queries):
    """A log's pages need each photo's id and size for its ``<img>``; the JPEG bytes come
    from the photo route when the browser asks. Loading them with the page cost every
    worker the photos it had shown."""
    client.submit(LOG, {"title": "Digester", "summary": ""})
    _fill(client, add_entry, 3, 1)
    client.submit(LOG + "/submit")
    for path in (LOG, PAGE, LOG + "/versions/1"):
        with count_queries() as page:
            assert client.get(path).status_code == 200
        loaded = [s for s in page.statements if _PHOTO_BYTES.search(s)]
        assert loaded == [], (path, loaded)
    photo = re.search(r'src="([^"]*/photos/[^"]+)"', client.get(LOG).get_data(as_text=True))
    assert photo is not None
    served = client.get(photo.group(1))
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data
