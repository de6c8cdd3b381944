"""Adding, editing, moving and removing modules."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from peerlearn.content.models import Module, ModuleRevision
from tests.fixtures.authoring import base_revision_of, textarea_of


def outline(client, slug="biogas"):
    html = client.get(f"/courses/{slug}").get_data(as_text=True)
    return re.findall(rf'<li><a href="/courses/{slug}/m/[^"]+">([^<]+)</a>', html)


def test_add_module_appends_it_with_a_slug_from_its_title(client, db, editor, events):
    response = client.submit(
        "/courses/biogas/modules/new",
        {"title": "Señal y ruido", "slug": "", "body": "## Hola\r\n\r\nTexto.\r\n"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/biogas/m/senal-y-ruido")
    page = client.get("/courses/biogas/m/senal-y-ruido").get_data(as_text=True)
    assert '<h2 id="hola">Hola</h2>' in page
    assert outline(client)[-1] == "Señal y ruido"
    module = db.session.scalar(select(Module).where(Module.slug == "senal-y-ruido"))
    assert len(module.key) == 36
    assert module.current.kind == "create" and module.current.author.username == "maria"
    assert module.current.body == "## Hola\n\nTexto.\n"  # browser CRLF stored as LF
    assert [e.kind for e in events()] == ["module_added"]

    client.submit("/courses/biogas/modules/new", {"title": "Señal y ruido", "body": "Otra."})
    assert db.session.scalar(select(Module.id).where(Module.slug == "senal-y-ruido-2"))
    taken = client.submit(
        "/courses/biogas/modules/new", {"title": "X", "slug": "module-1", "body": "Keep me"}
    )
    assert taken.status_code == 422
    assert "Another module of this course uses this address." in taken.get_data(as_text=True)
    assert "Keep me" in textarea_of(taken.get_data(as_text=True))


def test_preview_shows_sanitized_markdown_and_saves_nothing(client, db, editor, revisions):
    before = revisions("module-1")
    body = "## Trench\n\n**dig** it\n\n<script>alert(1)</script>\n"
    response = client.submit(
        "/courses/biogas/m/module-1/edit",
        {"title": "Module 1", "body": body, "summary": "", "preview": "Preview",
         "base_revision_id": str(before[-1].id)},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>dig</strong>" in html and "<script>alert" not in html
    assert textarea_of(html) == body
    assert base_revision_of(html) == str(before[-1].id)
    assert revisions("module-1") == before
    new = client.submit(
        "/courses/biogas/modules/new", {"title": "Draft", "body": "*hi*", "preview": "Preview"}
    )
    assert new.status_code == 200 and "<em>hi</em>" in new.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Module.id))) == 3


def test_edit_saves_a_revision_from_its_base(client, db, editor, revisions):
    form = client.get("/courses/biogas/m/module-1/edit").get_data(as_text=True)
    assert textarea_of(form) == "## Part 1\n\nText of module 1.\n"
    base = base_revision_of(form)
    response = client.submit(
        "/courses/biogas/m/module-1/edit",
        {"title": "Why biogas", "body": "## Part 1\n\nBetter text.\n", "summary": "Clearer",
         "base_revision_id": base},
    )  # fmt: skip
    assert response.status_code == 302
    assert "Your changes are saved." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    first, second = revisions("module-1")
    assert second.kind == "edit" and second.parent_id == first.id == int(base)
    assert second.summary == "Clearer" and second.title == "Why biogas"
    assert outline(client)[0] == "Why biogas"


def test_saving_identical_text_makes_no_revision(client, editor, revisions):
    base = base_revision_of(client.get("/courses/biogas/m/module-1/edit").get_data(as_text=True))
    response = client.submit(
        "/courses/biogas/m/module-1/edit",
        {"title": "Module 1", "body": "## Part 1\r\n\r\nText of module 1.\r\n",
         "summary": "nothing", "base_revision_id": base},
    )  # fmt: skip
    assert response.status_code == 302
    assert len(revisions("module-1")) == 1


@pytest.mark.parametrize(
    ("title", "message"), [("", "Give it a title."), ("x" * 201, "at most 200 characters")]
)
def test_form_errors_keep_the_text(client, editor, revisions, title, message):
    base = base_revision_of(client.get("/courses/biogas/m/module-1/edit").get_data(as_text=True))
    body = "A long careful rewrite that must not be lost.\n"
    response = client.submit(
        "/courses/biogas/m/module-1/edit",
        {"title": title, "body": body, "summary": "", "base_revision_id": base},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and textarea_of(html) == body
    assert len(revisions("module-1")) == 1


def test_a_forged_base_revision_is_a_bad_request(client, create_course, editor, revisions):
    other = create_course("other")
    foreign = other.modules[0].current_revision_id
    for base in ("", "abc", "999999", str(foreign)):
        response = client.submit(
            "/courses/biogas/m/module-1/edit",
            {"title": "T", "body": "B", "summary": "", "base_revision_id": base},
        )
        assert response.status_code == 400
    assert len(revisions("module-1")) == 1


def test_move_modules_up_and_down(client, editor, events):
    assert client.get("/courses/biogas/modules").status_code == 200
    client.submit("/courses/biogas/m/module-3/move", {"direction": "up"})
    assert outline(client) == ["Module 1", "Module 3", "Module 2"]
    client.submit("/courses/biogas/m/module-1/move", {"direction": "down"})
    assert outline(client) == ["Module 3", "Module 1", "Module 2"]
    response = client.submit("/courses/biogas/m/module-3/move", {"direction": "up"})
    assert response.status_code == 302  # already first: nothing happens
    assert outline(client) == ["Module 3", "Module 1", "Module 2"]
    assert client.submit("/courses/biogas/m/module-3/move", {"direction": "x"}).status_code == 400
    assert [e.kind for e in events()] == ["module_moved", "module_moved"]
    history = client.get("/courses/biogas/history").get_data(as_text=True)
    assert "Moved the module “Module 3” from position 3 to 2." in history


def test_remove_module_keeps_its_history(client, db, editor, events):
    confirm = client.get("/courses/biogas/m/module-2/remove")
    assert confirm.status_code == 200 and "Its text and history are kept." in confirm.get_data(
        as_text=True
    )
    assert client.submit("/courses/biogas/m/module-2/remove").status_code == 302
    assert outline(client) == ["Module 1", "Module 3"]
    assert client.get("/courses/biogas/m/module-2").status_code == 404
    module = db.session.scalar(select(Module).where(Module.slug == "module-2"))
    assert module.removed_at is not None
    assert (
        db.session.scalar(
            select(func.count(ModuleRevision.id)).where(ModuleRevision.module_id == module.id)
        )
        == 1
    )
    assert [e.kind for e in events()] == ["module_removed"]
    assert "Removed the module “Module 2”." in client.get("/courses/biogas/history").get_data(
        as_text=True
    )
    # The address is free again for a new module.
    client.submit("/courses/biogas/modules/new", {"title": "Module 2", "body": "New."})
    assert outline(client) == ["Module 1", "Module 3", "Module 2"]


def test_module_tools_show_edit_only_to_maintainers(client, login, create_user, editor):
    page = client.get("/courses/biogas/m/module-1").get_data(as_text=True)
    assert "/courses/biogas/m/module-1/edit" in page and "/m/module-1/history" in page
    login(create_user("learner"))
    page = client.get("/courses/biogas/m/module-1").get_data(as_text=True)
    assert "/courses/biogas/m/module-1/edit" not in page and "/m/module-1/history" in page
    course_page = client.get("/courses/biogas").get_data(as_text=True)
    assert "Course history" in course_page and "Edit settings" not in course_page


GETS = ["/courses/biogas/modules", "/courses/biogas/modules/new",
        "/courses/biogas/m/module-1/edit", "/courses/biogas/m/module-1/remove"]  # fmt: skip
POSTS = ["/courses/biogas/modules/new", "/courses/biogas/m/module-1/edit",
         "/courses/biogas/m/module-1/move", "/courses/biogas/m/module-1/remove",
         "/courses/biogas/m/module-1/revert"]  # fmt: skip


@pytest.mark.parametrize("path", GETS)
def test_editing_pages_need_a_maintainer(client, login, create_user, create_course, path):
    create_course("biogas")
    assert client.get(path).status_code == 302
    login(create_user())
    assert client.get(path).status_code == 403
    assert client.get(path.replace("biogas", "nope")).status_code == 404


@pytest.mark.parametrize("path", POSTS)
def test_editing_posts_need_a_maintainer_and_csrf(
    client, db, login, create_user, create_course, revisions, path
):
    create_course("biogas")
    data = {"title": "Hacked", "body": "x", "direction": "down", "revision_id": "1"}
    assert client.post(path, data=data).status_code == 400  # no CSRF token
    anonymous = client.submit(path, data)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(create_user())
    assert client.submit(path, data).status_code == 403
    assert client.post(path, data=data).status_code == 400
    assert outline(client) == ["Module 1", "Module 2", "Module 3"]
    assert len(revisions("module-1")) == 1


def test_unknown_modules_are_404(client, editor):
    for path in ["/courses/biogas/m/nope/edit", "/courses/biogas/m/nope/history",
                 "/courses/biogas/m/nope/diff?from=1&to=2"]:  # fmt: skip
        assert client.get(path).status_code == 404
    assert client.submit("/courses/biogas/m/nope/move", {"direction": "up"}).status_code == 404
    assert client.submit("/courses/biogas/m/nope/remove").status_code == 404
