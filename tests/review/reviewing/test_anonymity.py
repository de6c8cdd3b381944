"""Double-blind review: no page a reviewer can reach names the author, and the author's
page names no reviewer.

The reviewer's pages are found by following every local link from the assignment page and
the review page (as a crawler would), so a page added later is checked without changing
this test.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlparse

from peerlearn.assignments.models import BuildLogEntry, EntryPhoto
from peerlearn.extensions import db
from peerlearn.review.models import Review
from tests.fixtures.review import submit_log
from tests.fixtures.submissions import photo_blob

HREF = re.compile(r'(?:href|src|action)="([^"]+)"')
#: Links a crawl must not follow: they change state or leave the reviewer's session.
SKIP = ("/logout", "/language", "/static/")

COMPLETE = {"level-build": "2", "comment-build": "Fine.", "overall": "Clear photos, good work."}


def _identity(user) -> list[str]:
    return [user.username, user.email, user.email.split("@")[0]]


def _crawl(client, start: list[str], limit: int = 60) -> dict[str, str]:
    """GET every local page reachable from ``start`` in two hops; {path: html}."""
    seen: dict[str, str] = {}
    frontier = list(start)
    for _depth in range(2):
        found: list[str] = []
        for path in frontier:
            if path in seen or len(seen) >= limit or any(s in path for s in SKIP):
                continue
            response = client.get(path)
            body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            seen[path] = body
            for link in HREF.findall(body):
                url = urlparse(urljoin("http://localhost" + path, link.replace("&amp;", "&")))
                if url.netloc == "localhost" and url.path not in seen:
                    found.append(url.path + (f"?{url.query}" if url.query else ""))
        frontier = found
    return seen


def test_no_page_a_reviewer_reaches_names_the_author(client, login, review_class):
    rc = review_class(3, must_review=1, must_be_reviewed=1)
    author = rc.learners[1]
    log = rc.logs[author.id]
    # A log with a photo, so photo URLs are checked too; resubmitted with it.
    entry = BuildLogEntry(log_id=log.id, entry_date=date(2025, 3, 2), text="Photo day.")
    db.session.add(entry)
    db.session.flush()
    db.session.add(EntryPhoto(entry_id=entry.id, blob_id=photo_blob(7).id, caption="Trench"))
    db.session.flush()
    db.session.expire(log)
    submit_log(author, rc.assignment, title="Digester log")
    db.session.commit()
    reviewer = rc.learners[0]
    login(reviewer)
    base = f"/courses/{rc.course.slug}/a/{rc.assignment.slug}"
    # The queue hands out the least-reviewed, oldest log: make sure it is the author's.
    response = client.submit(base + "/reviews/next")
    review = db.session.get(Review, int(response.headers["Location"].rsplit("/", 1)[1]))
    target = next(u for u in rc.learners if u.id == review.log.user_id)

    before = _crawl(client, [base, f"/reviews/{review.id}", "/notifications"])
    client.submit(f"/reviews/{review.id}", {**COMPLETE, "action": "submit"})
    after = _crawl(client, [base, f"/reviews/{review.id}", "/notifications"])

    pages = {**before, **{f"{path} (after)": html for path, html in after.items()}}
    assert any("/photos/" in html for html in pages.values()) or target.id != author.id
    assert f"/reviews/{review.id}" in pages
    for path, html in pages.items():
        for secret in _identity(target):
            assert secret not in html, f"{path} shows {secret!r}"
            assert secret not in path


def test_the_author_sees_reviewer_numbers_not_names(client, login, review_class):
    rc = review_class(3, must_review=2, must_be_reviewed=2)
    reviewers = rc.learners[:2]
    target = rc.learners[2]
    for reviewer in reviewers:
        login(reviewer)
        base = f"/courses/{rc.course.slug}/a/{rc.assignment.slug}"
        for _ in range(2):  # each reviews both other logs, so the target gets both
            response = client.submit(base + "/reviews/next")
            review_id = int(response.headers["Location"].rsplit("/")[-1])
            client.submit(f"/reviews/{review_id}", {**COMPLETE, "action": "submit"})
        client.submit("/logout")
    login(target)
    feedback = client.get(f"/courses/{rc.course.slug}/a/{rc.assignment.slug}/feedback")
    assert "Reviewer 1" in feedback.get_data(as_text=True)
    assert "Reviewer 2" in feedback.get_data(as_text=True)
    pages = _crawl(client, [f"/courses/{rc.course.slug}/a/{rc.assignment.slug}/feedback",
                            "/notifications"])  # fmt: skip
    for path, html in pages.items():
        for reviewer in reviewers:
            for secret in _identity(reviewer):
                assert secret not in html, f"{path} shows {secret!r}"
