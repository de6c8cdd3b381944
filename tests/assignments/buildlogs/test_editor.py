"""Writing a build log: title, entries in date order, measurements and their chart."""

from __future__ import annotations

import re

from tests.fixtures.buildlogs import LOG


def test_start_then_write_title_summary_and_entries_in_date_order(client, started, add_entry):
    response = client.submit(
        LOG, {"title": "Tube digester in Kayonza", "summary": "We *built* it."}
    )
    assert response.status_code == 302
    add_entry("Filled it with **slurry**.", "2026-05-10")
    add_entry("Dug the trench.", "2026-05-01")
    page = client.get(LOG).get_data(as_text=True)
    assert "Tube digester in Kayonza" in page and "<em>built</em>" in page
    assert "<strong>slurry</strong>" in page
    assert page.index("Dug the trench.") < page.index("Filled it with")
    assert '<time datetime="2026-05-01">May 1, 2026</time>' in page


def test_new_entry_date_defaults_to_today_in_the_learners_zone(client, started):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    page = client.get(LOG).get_data(as_text=True)
    today = datetime.now(ZoneInfo("UTC")).date().isoformat()
    assert re.search(rf'name="new-entry_date"[^>]*value="{today}"', page)


def test_entry_text_is_sanitized_markdown(client, started, add_entry):
    add_entry("<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))")
    page = client.get(LOG).get_data(as_text=True)
    page = page.split('class="preview"')[1].split("Edit your build log")[0]  # not the textarea
    assert "<script>alert(1)" not in page and "onerror" not in page
    assert 'href="javascript' not in page


def test_missing_fields_are_form_errors_and_keep_what_was_typed(client, started):
    response = client.submit(LOG + "/entries", {"new-entry_date": "2026-05-01", "new-text": ""})
    assert response.status_code == 400
    assert "Write what you did." in response.get_data(as_text=True)
    response = client.submit(LOG + "/entries", {"new-entry_date": "", "new-text": "Mixed cement"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the date of this work." in page and "Mixed cement</textarea>" in page
    response = client.submit(LOG, {"title": "", "summary": "Kept summary"})
    assert response.status_code == 400
    assert "Give your build log a title." in response.get_data(as_text=True)
    assert "Kept summary" in response.get_data(as_text=True)


def test_edit_and_delete_an_entry(client, started, add_entry):
    entry = add_entry("First try.")
    client.submit(
        f"{LOG}/entries/{entry}",
        {f"e{entry}-entry_date": "2026-06-02", f"e{entry}-text": "Second try."},
    )
    page = client.get(LOG).get_data(as_text=True)
    assert "Second try." in page and "First try." not in page
    assert "Jun 2, 2026" in page
    client.submit(f"{LOG}/entries/{entry}/delete")
    assert "Second try." not in client.get(LOG).get_data(as_text=True)


def test_measurements_in_english_and_a_chart_for_a_repeated_one(client, started, add_entry):
    first, second = add_entry(day="2026-05-01"), add_entry(day="2026-05-08")
    for entry, value in ((first, "0.5"), (second, "1,200.25")):
        response = client.submit(
            f"{LOG}/entries/{entry}/measurements",
            {
                f"m{entry}-name": "Gas production",
                f"m{entry}-value": value,
                f"m{entry}-unit": "L/day",
            },
        )
        assert response.status_code == 302
    page = client.get(LOG).get_data(as_text=True)
    assert ">1,200.25</td>" in page and ">0.5</td>" in page
    assert page.count("<svg") == 1
    assert "Gas production (L/day)" in page and ">Date<" in page


def test_measurement_typed_the_spanish_way(client, login, create_user, add_entry, assignment):
    login(create_user("rosa", locale="es"))
    client.submit("/courses/biogas/enrol")
    client.submit(LOG + "/start")
    entry = add_entry()
    response = client.submit(
        f"{LOG}/entries/{entry}/measurements",
        {
            f"m{entry}-name": "Producción de gas",
            f"m{entry}-value": "0,8",
            f"m{entry}-unit": "m³/día",
        },
    )
    assert response.status_code == 302
    page = client.get(LOG).get_data(as_text=True)
    assert ">0,8</td>" in page and "m³/día" in page
    from peerlearn.assignments.models import EntryMeasurement
    from peerlearn.extensions import db

    assert str(db.session.scalar(db.select(EntryMeasurement.value)).normalize()) == "0.8"


def test_a_bad_value_is_an_error_on_that_field_and_keeps_the_others(client, started, add_entry):
    entry = add_entry()
    response = client.submit(
        f"{LOG}/entries/{entry}/measurements",
        {f"m{entry}-name": "Slurry temperature", f"m{entry}-value": "warm", f"m{entry}-unit": "°C"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="m\d+-value-error">Enter a number', page)
    assert 'value="Slurry temperature"' in page and 'value="°C"' in page and 'value="warm"' in page
    response = client.submit(
        f"{LOG}/entries/{entry}/measurements",
        {f"m{entry}-name": "", f"m{entry}-value": "3", f"m{entry}-unit": ""},
    )
    assert response.status_code == 422
    assert re.search(r'id="m\d+-name-error">Fill this in.', response.get_data(as_text=True))


def test_remove_a_measurement(client, started, add_entry):
    from peerlearn.assignments.models import EntryMeasurement
    from peerlearn.extensions import db

    entry = add_entry()
    client.submit(
        f"{LOG}/entries/{entry}/measurements",
        {f"m{entry}-name": "Depth", f"m{entry}-value": "1.2", f"m{entry}-unit": "m"},
    )
    measurement = db.session.scalar(db.select(EntryMeasurement.id))
    assert (
        client.submit(f"{LOG}/entries/{entry}/measurements/{measurement}/delete").status_code == 302
    )
    assert db.session.scalar(db.select(db.func.count(EntryMeasurement.id))) == 0
