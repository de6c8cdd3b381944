"""Removing a module takes its assignments with it, so the course still exports cleanly."""

from __future__ import annotations

from peerlearn.assignments.models import Assignment


def test_removing_a_module_removes_its_assignments(
    client, db, login, create_user, create_course, create_assignment, runner, tmp_path
):
    owner = create_user("amina")
    course = create_course("biogas", maintainer=owner)
    assignment = create_assignment(course, slug="gas-test")
    login(owner)
    assert client.submit("/courses/biogas/m/module-1/remove").status_code == 302
    assert db.session.get(Assignment, assignment.id).removed_at is not None
    history = client.get("/courses/biogas/history").get_data(as_text=True)
    assert "Removed the assignment" in history
    exported = runner.invoke(args=["peerlearn", "export", "biogas", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    assert not (tmp_path / "biogas" / "assignments" / "gas-test.yml").exists()
    reimport = runner.invoke(args=["peerlearn", "import", str(tmp_path / "biogas")])
    assert reimport.exit_code == 0, reimport.output
