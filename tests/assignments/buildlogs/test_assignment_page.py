"""The assignment page: prompt, rubric, deadlines in the learner's zone, and the next step."""

from __future__ import annotations

from tests.fixtures.buildlogs import COURSE, LOG, PAGE


def test_anonymous_reader_sees_prompt_rubric_and_is_asked_to_log_in(client, assignment):
    page = client.get(PAGE).get_data(as_text=True)
    assert "Build it, measure it and document it" in page
    assert '<table class="rubric">' in page and "Build quality" in page and "2 points" in page
    assert "Log in to take part" in page


def test_deadline_is_shown_in_the_learners_time_zone_and_language(
    client, login, create_user, assignment
):
    login(create_user("kigali", timezone="Africa/Kigali"))
    page = client.get(PAGE).get_data(as_text=True)
    # 2099-03-04 23:59 at -04:00 is 05:59 on the 5th in Kigali (UTC+2).
    # One format for every moment, the zone said: never a time a reader must guess about.
    assert "Mar 5, 2099, 5:59\u202fAM +0200" in page or "Mar 5, 2099, 5:59 AM +0200" in page
    login(create_user("lima", timezone="America/Lima", locale="es"))
    page = client.get(PAGE).get_data(as_text=True)
    assert "4 mar 2099, 22:59 -0500" in page


def test_phases_from_enrolment_to_submission(client, learner, add_entry):
    client.submit(f"/courses/{COURSE}/leave")
    assert "Enrol in this course" in client.get(PAGE).get_data(as_text=True)
    client.submit(f"/courses/{COURSE}/enrol")
    assert "Start your build log" in client.get(PAGE).get_data(as_text=True)
    client.submit(LOG + "/start")
    assert "Continue your build log" in client.get(PAGE).get_data(as_text=True)
    client.submit(LOG, {"title": "My digester", "summary": ""})
    add_entry()
    client.submit(LOG + "/submit")
    page = client.get(PAGE).get_data(as_text=True)
    assert "You submitted version 1 on" in page
    assert "Reviews given: 0 of 4." in page and "Review a build log" in page


def test_after_the_deadline_the_assignment_is_closed(
    client, login, create_user, course, create_assignment
):
    create_assignment(course, slug="late", submission_deadline="2020-01-01T00:00:00+00:00")
    login(create_user())
    client.submit(f"/courses/{COURSE}/enrol")
    page = client.get(f"/courses/{COURSE}/a/late").get_data(as_text=True)
    assert "Submissions are closed" in page
    assert "Start your build log" not in page
    response = client.submit(f"/courses/{COURSE}/a/late/log/start")
    assert response.status_code == 409
    assert "deadline has passed" in response.get_data(as_text=True)


def test_course_and_module_pages_link_to_the_assignment(client, assignment):
    for path in (f"/courses/{COURSE}", f"/courses/{COURSE}/m/module-1"):
        page = client.get(path).get_data(as_text=True)
        assert f'href="{PAGE}"' in page and "Gas production test" in page
    assert f'href="{PAGE}"' not in client.get(f"/courses/{COURSE}/m/module-2").get_data(
        as_text=True
    )


def test_unknown_assignment_or_course_is_404(client, assignment):
    assert client.get(f"/courses/{COURSE}/a/nope").status_code == 404
    assert client.get(f"/courses/nope/a/{ASSIGNMENT_SLUG}").status_code == 404


ASSIGNMENT_SLUG = PAGE.rsplit("/", 1)[1]
