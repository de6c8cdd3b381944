"""A maintainer finds the assignment editors by following links; a learner finds none.

Before, ``/courses/<slug>/assignments`` could only be typed. Each test starts where a
maintainer looks (the course page, a module page, the assignment page) and clicks through.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.fixtures.assignment_authoring import textarea_of


@pytest.fixture
def maintainer(create_user):
    return create_user("ana")


@pytest.fixture
def biogas(create_course, maintainer):
    return create_course("biogas", maintainer=maintainer)


@pytest.fixture
def gas_test(biogas, create_assignment):
    return create_assignment(biogas, slug="gas-test")


def link(page: str, text: str) -> str:
    """The href of the link that reads ``text``; fails the test when there is none."""
    match = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(text)}</a>', page)
    assert match, f"no link “{text}”"
    return html.unescape(match.group(1))


def follow(client, page: str, text: str) -> str:
    response = client.get(link(page, text))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_from_the_course_page_a_maintainer_reaches_the_new_assignment_form(
    client, login, maintainer, biogas
):
    login(maintainer)
    page = client.get("/courses/biogas").get_data(as_text=True)

    page = follow(client, page, "Assignments")
    page = follow(client, page, "New assignment")

    assert "rubric:" in textarea_of(page)


def test_from_the_course_page_a_maintainer_reaches_the_editor_of_an_assignment(
    client, login, maintainer, gas_test
):
    login(maintainer)
    page = client.get("/courses/biogas").get_data(as_text=True)

    page = follow(client, page, "Assignments")
    page = follow(client, page, "Edit")

    assert "Edit the assignment “Gas production test”" in page
    assert "Build quality" in page  # the rubric, in the structured editor


def test_a_module_page_lists_its_assignments_with_edit_and_add_links(
    client, login, maintainer, gas_test
):
    login(maintainer)
    module = client.get(f"/courses/biogas/m/{gas_test.module.slug}").get_data(as_text=True)

    editor = follow(client, module, "Edit")
    assert "Edit the assignment “Gas production test”" in editor

    new = follow(client, module, "Add an assignment to this module")
    assert f"module: {gas_test.module.key}\n" in textarea_of(new)


def test_a_module_without_assignments_still_offers_to_add_one(client, login, maintainer, biogas):
    login(maintainer)
    page = client.get("/courses/biogas/m/module-2").get_data(as_text=True)

    new = follow(client, page, "Add an assignment to this module")

    assert "module: biogas-m2\n" in textarea_of(new)


def test_the_assignment_page_links_to_its_editor_for_maintainers(
    client, login, maintainer, gas_test
):
    login(maintainer)
    page = client.get("/courses/biogas/a/gas-test").get_data(as_text=True)

    editor = follow(client, page, "Edit this assignment")

    assert "Edit the assignment “Gas production test”" in editor


def test_a_learner_sees_no_way_to_the_editors(client, login, create_user, gas_test):
    learner = create_user("bea")
    login(learner)
    client.submit("/courses/biogas/enrol")

    pages = [
        client.get(path).get_data(as_text=True)
        for path in (
            "/courses/biogas",
            f"/courses/biogas/m/{gas_test.module.slug}",
            "/courses/biogas/m/module-2",
            "/courses/biogas/a/gas-test",
        )
    ]

    for page in pages:
        assert "/assignments" not in page
        assert "Edit this assignment" not in page
        assert "Add an assignment" not in page
    assert "Gas production test" in pages[1]  # learners still see the assignment itself
