"""Taking upstream changes into a fork: the count on the course page, clean merges that
credit the upstream author, conflicts resolved in the form, modules added upstream."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from peerlearn.authoring.editing import add_module
from peerlearn.content.models import CourseEvent, CourseMaintainer, Module, ModuleRevision
from tests.fixtures.forks import BODY, course, hidden_of, module, textarea_of


@pytest.fixture
def setup(db, client, login, create_user, biogas, fork):
    """biogas forked by the signed-in maintainer jean into "biogas-rw"; carla edits upstream."""
    jean, carla = create_user("jean"), create_user("carla")
    fork("biogas", jean, "biogas-rw")
    login(jean)
    return jean, carla


def not_taken(client, slug: str = "biogas-rw") -> str:
    html = client.get(f"/courses/{slug}").get_data(as_text=True)
    match = re.search(r"(\d+) upstream changes? not taken", html)
    return match.group(1) if match else ("0" if "Up to date with" in html else "?")


def test_upstream_changes_are_counted_on_the_course_page(client, db, setup, edit, create_user):
    jean, carla = setup
    assert not_taken(client) == "0"
    edit("biogas", "module-1", carla, body=BODY.replace("No flames.", "No open flames."))
    edit("biogas", "module-2", carla, title="The trench")
    edit("biogas", "module-3", carla, body="Go.\n")  # a new revision with the same text
    edit("biogas-rw", "module-3", jean, body="Start.\n")
    assert not_taken(client) == "2"
    html = client.get("/courses/biogas-rw").get_data(as_text=True)
    assert 'href="/courses/biogas-rw/sync"' in html
    # A module added upstream counts too; one the fork already has an equal copy of not.
    edit("biogas-rw", "module-2", jean, title="The trench")
    biogas = course(db, "biogas")
    add_module(carla, biogas, title="Feeding", slug="feeding", body="Daily.\n")
    db.session.commit()
    assert not_taken(client) == "2"


def test_clean_sync_credits_the_upstream_author(client, db, setup, edit):
    jean, carla = setup
    edit(
        "biogas-rw", "module-1", jean, body=BODY.replace("Dig a trench.", "Dig a trench 1 m deep.")
    )
    theirs = edit("biogas", "module-1", carla, body=BODY.replace("No flames.", "No open flames."))
    page = client.get("/courses/biogas-rw/sync")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Merges cleanly" in html and "No<ins> open</ins> flames." in html
    assert "Upstream version by carla" in html
    response = client.submit("/courses/biogas-rw/sync", {"token": hidden_of(html, "token")})
    assert response.status_code == 302
    mine = module(db, "biogas-rw", "module-1")
    assert mine.current.body == BODY.replace("Dig a trench.", "Dig a trench 1 m deep.").replace(
        "No flames.", "No open flames."
    )
    assert mine.current.kind == "sync"
    assert mine.current.author_id == carla.id and mine.current.saved_by_id == jean.id
    assert mine.upstream_revision_id == theirs.id
    assert not_taken(client) == "0"
    assert (
        db.session.scalar(
            select(func.count(CourseEvent.id)).where(
                CourseEvent.kind == "synced", CourseEvent.course_id == mine.course_id
            )
        )
        == 1
    )
    assert "carla" in client.get("/courses/biogas-rw").get_data(as_text=True)


def test_conflict_is_resolved_in_the_form(client, db, setup, edit):
    jean, carla = setup
    edit("biogas-rw", "module-1", jean, body=BODY.replace("No flames.", "Keep fire away."))
    theirs = edit("biogas", "module-1", carla, body=BODY.replace("No flames.", "No open flames."),
                  title="Materials and safety")  # fmt: skip
    html = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    assert "Your version" in html and "Upstream version" in html
    assert "Keep fire away." in html and "No open flames." in html
    prefilled = textarea_of(html, f"body-{module(db, 'biogas-rw', 'module-1').id}")
    assert "Keep fire away." in prefilled and "No open flames." not in prefilled
    module_id = module(db, "biogas-rw", "module-1").id
    resolved = BODY.replace("No flames.", "No open flames: keep fire away.")
    response = client.submit(
        "/courses/biogas-rw/sync",
        {"token": hidden_of(html, "token"), f"title-{module_id}": "Materials and safety",
         f"body-{module_id}": resolved.replace("\n", "\r\n")},
    )  # fmt: skip
    assert response.status_code == 302
    mine = module(db, "biogas-rw", "module-1")
    assert mine.current.body == resolved and mine.current.title == "Materials and safety"
    assert mine.current.author_id == carla.id and mine.current.saved_by_id == jean.id
    assert mine.upstream_revision_id == theirs.id
    assert not_taken(client) == "0"


def test_stale_preview_is_refused(client, db, setup, edit):
    _jean, carla = setup
    edit("biogas", "module-1", carla, body="First.\n")
    token = hidden_of(client.get("/courses/biogas-rw/sync").get_data(as_text=True), "token")
    edit("biogas", "module-1", carla, body="Second.\n")
    response = client.submit("/courses/biogas-rw/sync", {"token": token})
    assert response.status_code == 409
    assert "changed while you were reviewing" in response.get_data(as_text=True)
    assert module(db, "biogas-rw", "module-1").current.kind == "fork"


def test_module_added_upstream_is_offered_and_added(client, db, setup, edit):
    jean, carla = setup
    add_module(carla, course(db, "biogas"), title="Feeding", slug="feeding", body="Daily.\n")
    add_module(carla, course(db, "biogas"), title="Slurry", slug="slurry", body="Fertiliser.\n")
    add_module(jean, course(db, "biogas-rw"), title="Our feeding", slug="feeding", body="Ours.\n")
    db.session.commit()
    assert not_taken(client) == "2"
    html = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox"[^>]*name="add" value="(\d+)"', html)
    assert len(boxes) == 2 and "Feeding" in html and "Slurry" in html
    feeding = module(db, "biogas", "feeding")
    response = client.submit(
        "/courses/biogas-rw/sync", {"token": hidden_of(html, "token"), "add": str(feeding.id)}
    )
    assert response.status_code == 302
    added = db.session.scalar(
        select(Module).where(
            Module.key == feeding.key, Module.course_id == course(db, "biogas-rw").id
        )
    )
    assert added.slug == "feeding-2" and added.position == 5
    assert added.upstream_module_id == feeding.id
    assert added.current.kind == "sync" and added.current.author_id == carla.id
    assert added.current.saved_by_id == jean.id
    page = client.get("/courses/biogas-rw").get_data(as_text=True)
    assert "Feeding" in page and not_taken(client) == "1"


def test_sync_permissions(client, db, login, create_user, setup, biogas):
    _jean, carla = setup
    assert client.get("/courses/nope/sync").status_code == 404
    assert client.get("/courses/biogas/sync").status_code == 403  # jean does not maintain it
    assert client.post("/courses/biogas-rw/sync", data={"token": ""}).status_code == 400
    client.submit("/logout")
    anonymous = client.get("/courses/biogas-rw/sync")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.submit("/courses/biogas-rw/sync").status_code == 302
    login(carla)
    assert client.get("/courses/biogas-rw/sync").status_code == 403
    assert client.submit("/courses/biogas-rw/sync").status_code == 403
    assert "Review and take them" not in client.get("/courses/biogas-rw").get_data(as_text=True)
    maria = create_user("maria")

    db.session.add(CourseMaintainer(course_id=course(db, "biogas").id, user_id=maria.id))
    db.session.commit()
    client.submit("/logout")
    login(maria)
    assert client.get("/courses/biogas/sync").status_code == 404  # not a fork
    assert db.session.scalar(select(func.count(ModuleRevision.id)).where(
        ModuleRevision.kind == "sync")) == 0  # fmt: skip
