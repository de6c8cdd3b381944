"""No lost edits: two people editing the same module at once."""

from __future__ import annotations

from peerlearn.content.models import CourseMaintainer
from tests.fixtures.authoring import base_revision_of, textarea_of

BODY = "## Trench\n\nDig a trench one metre deep.\n\n## Bag\n\nLay the bag in the trench.\n"


def two_editors(client, db, login, create_user, create_course):
    """Maria and Jean both maintain "biogas"; returns them and Jean's edit-form base."""
    maria, jean = create_user("maria"), create_user("jean")
    course = create_course("biogas", maintainer=maria, modules=[("Digester", BODY)])
    db.session.add(CourseMaintainer(course_id=course.id, user_id=jean.id))
    db.session.commit()
    login(jean)
    base = base_revision_of(client.get("/courses/biogas/m/module-1/edit").get_data(as_text=True))
    return maria, jean, base


def save(client, base, body, title="Digester", summary=""):
    return client.submit(
        "/courses/biogas/m/module-1/edit",
        {"title": title, "body": body, "summary": summary, "base_revision_id": base},
    )


def test_non_overlapping_edits_are_merged(client, db, login, create_user, create_course, revisions):
    maria, jean, base = two_editors(client, db, login, create_user, create_course)
    login(maria)
    maria_body = BODY.replace("one metre deep", "one metre deep and 1.5 m wide")
    assert save(client, base, maria_body, summary="Width").status_code == 302

    login(jean)  # Jean still has the form he opened before Maria saved
    jean_body = BODY.replace("Lay the bag", "Gently lay the bag")
    response = save(client, base, jean_body, title="Tube digester", summary="Careful")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "merged with theirs" in page
    assert "1.5 m wide" in page and "Gently lay the bag" in page and "Tube digester" in page

    imported, by_maria, merged = revisions("module-1")
    assert merged.kind == "merge" and merged.parent_id == by_maria.id
    assert merged.author_id == jean.id and merged.summary == "Careful"
    assert merged.body == BODY.replace("one metre deep", "one metre deep and 1.5 m wide").replace(
        "Lay the bag", "Gently lay the bag"
    )
    assert imported.kind == "import"


def test_conflicting_edits_get_a_409_page_that_keeps_the_text(
    client, db, login, create_user, create_course, revisions
):
    maria, jean, base = two_editors(client, db, login, create_user, create_course)
    login(maria)
    save(client, base, BODY.replace("Lay the bag in the trench.", "Lay the bag <carefully>.")
         .replace("one metre", "80 cm"))  # fmt: skip
    saved = revisions("module-1")

    login(jean)
    jean_body = BODY.replace("Lay the bag in the trench.", "Unroll the bag along the trench.")
    response = save(client, base, jean_body, summary="Unroll")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert revisions("module-1") == saved  # nothing saved
    assert "Edit conflict" in html and "maria saved a new version" in html
    # Jean's words are in the editor, with Maria's non-conflicting change merged in.
    text = textarea_of(html)
    assert "Unroll the bag along the trench." in text and "80 cm" in text
    assert "<carefully>" not in text
    assert "&lt;carefully&gt;" in html  # her version is shown, escaped
    assert base_revision_of(html) == str(saved[-1].id)
    assert 'value="Unroll"' in html

    # Resolving and saving from the new base works and keeps both people's history.
    resolved = text.replace("Unroll the bag along the trench.", "Unroll the bag carefully.")
    assert save(client, base_revision_of(html), resolved).status_code == 302
    last = revisions("module-1")[-1]
    assert last.kind == "edit" and last.body == resolved and last.parent_id == saved[-1].id


def test_conflicting_titles_are_a_conflict_too(
    client, db, login, create_user, create_course, revisions
):
    maria, jean, base = two_editors(client, db, login, create_user, create_course)
    login(maria)
    save(client, base, BODY, title="Biodigester")
    login(jean)
    response = save(client, base, BODY + "\nMore.\n", title="Tube digester")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Their title:" in html and "Biodigester" in html
    assert 'value="Tube digester"' in html and textarea_of(html) == BODY + "\nMore.\n"
    assert len(revisions("module-1")) == 2


def test_a_stale_edit_identical_to_the_saved_one_adds_nothing(
    client, db, login, create_user, create_course, revisions
):
    maria, jean, base = two_editors(client, db, login, create_user, create_course)
    login(maria)
    save(client, base, BODY + "Same fix.\n")
    login(jean)
    assert save(client, base, BODY + "Same fix.\n").status_code == 302
    assert len(revisions("module-1")) == 2
