"""Module history, comparing revisions and reverting."""

from __future__ import annotations

import re

from peerlearn.content.models import Module
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db as _db


def edit_many(db, user, count, slug="module-1"):
    """``count`` edits of a module, each adding a line, as if saved one after another."""
    module = db.session.scalar(db.select(Module).where(Module.slug == slug))
    body = module.current.body
    for i in range(count):
        body += f"Step {i} done well.\n"
        add_revision(
            module,
            body,
            author=user,
            kind="edit",
            parent=module.current,
            summary=f"step {i}",
            title=module.current.title,
        )
    _db.session.commit()
    return module


def revision_ids(html):
    return [int(v) for v in re.findall(r'name="to" value="(\d+)"', html)]


def test_history_lists_revisions_newest_first(client, db, login, create_user, editor, revisions):
    maria, _course = editor
    edit_many(db, maria, 2)
    html = client.get("/courses/biogas/m/module-1/history").get_data(as_text=True)
    assert re.findall(r"<strong>Revision (\d+)</strong>", html) == ["3", "2", "1"]
    assert "course authors" in html and "maria" in html and "imported" in html
    assert "+4 words" in html and "\u22120 words" not in html and "step 1" in html
    assert "Revert to this revision" in html
    login(create_user("learner"))
    html = client.get("/courses/biogas/m/module-1/history").get_data(as_text=True)
    assert "Revert to this revision" not in html and "Revision 3" in html


def test_history_pages_and_query_count(client, db, editor, count_queries):
    maria, _course = editor
    edit_many(db, maria, 3, "module-2")
    with count_queries() as few:
        small = client.get("/courses/biogas/m/module-2/history")
    edit_many(db, maria, 30, "module-1")
    with count_queries() as many:
        big = client.get("/courses/biogas/m/module-1/history")
    assert small.status_code == big.status_code == 200
    html = big.get_data(as_text=True)
    assert len(revision_ids(html)) == 20 and "Page 1 of 2" in html
    assert many.count == few.count
    second = client.get("/courses/biogas/m/module-1/history?page=2").get_data(as_text=True)
    assert re.findall(r"<strong>Revision (\d+)</strong>", second)[-1] == "1"
    assert len(revision_ids(second)) == 11
    assert client.get("/courses/biogas/m/module-1/history?page=3").status_code == 404
    assert client.get("/courses/biogas/m/module-1/history?page=0").status_code == 404


def test_diff_page_shows_words_added_and_removed(client, db, editor, revisions):
    maria, _course = editor
    module = db.session.scalar(db.select(Module).where(Module.slug == "module-1"))
    lines = [f"Line {i} stays." for i in range(20)]
    old = add_revision(
        module, "\n".join(lines) + "\n", author=maria, kind="edit", title="Old <title>"
    )
    lines[10] = "Line 10 <b>changed</b> a lot."
    new = add_revision(
        module, "\n".join(lines) + "\n", author=maria, kind="edit", title="New title"
    )
    db.session.commit()
    response = client.get(f"/courses/biogas/m/module-1/diff?from={old.id}&to={new.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Changes from revision 2 to revision 3" in html
    assert "<del>Line 10 stays.</del>" in html
    assert "<ins>Line 10 &lt;b&gt;changed&lt;/b&gt; a lot.</ins>" in html
    assert "<del>Old &lt;</del><ins>New </ins>title<del>&gt;</del>" in html
    assert "8 unchanged lines" in html and "7 unchanged lines" in html
    assert "Line 9 stays." in html and "Line 3 stays." not in html


def test_diff_rejects_bad_revision_ids(client, db, create_course, editor, revisions):
    other = create_course("other")
    foreign = other.modules[0].current_revision_id
    own = revisions("module-1")[0].id
    other_module = revisions("module-2")[0].id
    for query in [f"from={own}", f"from={own}&to=x", f"from={own}&to={foreign}",
                  f"from={own}&to={other_module}", f"from=99999&to={own}",
                  "from=-1&to=1e9"]:  # fmt: skip
        assert client.get(f"/courses/biogas/m/module-1/diff?{query}").status_code == 404
    assert client.get(f"/courses/biogas/m/module-1/diff?from={own}&to={own}").status_code == 200


def test_revert_adds_a_new_revision_with_the_old_text(client, db, editor, revisions):
    maria, _course = editor
    edit_many(db, maria, 2)
    first = revisions("module-1")[0]
    response = client.submit("/courses/biogas/m/module-1/revert", {"revision_id": first.id})
    assert response.status_code == 302
    assert "Reverted to revision 1." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    history = revisions("module-1")
    assert len(history) == 4
    reverted = history[-1]
    assert reverted.kind == "revert" and reverted.body == first.body
    assert reverted.summary == "Reverted to revision 1" and reverted.parent_id == history[2].id
    page = client.get("/courses/biogas/m/module-1").get_data(as_text=True)
    assert "Step 0" not in page
    # Reverting to what is already there adds nothing.
    client.submit("/courses/biogas/m/module-1/revert", {"revision_id": first.id})
    assert len(revisions("module-1")) == 4
    assert (
        client.submit(
            "/courses/biogas/m/module-1/revert", {"revision_id": revisions("module-2")[0].id}
        ).status_code
        == 404
    )
    assert client.submit("/courses/biogas/m/module-1/revert", {}).status_code == 404


def test_history_and_diff_are_public(client, create_course, revisions):
    create_course("biogas")
    rev = revisions("module-1")[0].id
    assert client.get("/courses/biogas/m/module-1/history").status_code == 200
    assert client.get(f"/courses/biogas/m/module-1/diff?from={rev}&to={rev}").status_code == 200
    assert client.get("/courses/nope/m/module-1/history").status_code == 404
    assert client.get("/courses/biogas/history").status_code == 200


def test_history_links_each_revision_to_its_changes(client, db, editor, revisions):
    maria, _course = editor
    edit_many(db, maria, 1)
    first, second = revisions("module-1")
    html = client.get("/courses/biogas/m/module-1/history").get_data(as_text=True)
    assert f"/courses/biogas/m/module-1/diff?from={first.id}&amp;to={second.id}" in html


def test_one_word_is_one_word(client, db, editor, revisions):
    maria, _course = editor
    module = db.session.scalar(db.select(Module).where(Module.slug == "module-1"))
    add_revision(
        module,
        module.current.body + "Done.\n",
        author=maria,
        kind="edit",
        parent=module.current,
        summary="one word",
        title=module.current.title,
    )
    _db.session.commit()
    html = client.get("/courses/biogas/m/module-1/history").get_data(as_text=True)
    assert "+1 word<" in html and "+1 words" not in html
