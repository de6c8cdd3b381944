"""Health check, error pages and request logging."""

from __future__ import annotations

import logging

from peerlearn import create_app


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_404_page_is_localized(client):
    english = client.get("/nowhere", headers={"Accept-Language": "en"})
    spanish = client.get("/nowhere", headers={"Accept-Language": "es"})
    assert english.status_code == spanish.status_code == 404
    assert "Page not found" in english.get_data(as_text=True)
    assert "Página no encontrada" in spanish.get_data(as_text=True)
    assert '<html lang="es">' in spanish.get_data(as_text=True)


def test_500_page_is_friendly_and_localized(app, tmp_path):
    broken = create_app(
        {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )

    @broken.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    broken.testing = False  # let the error handler run instead of re-raising
    client = broken.test_client()
    response = client.get("/boom", headers={"Accept-Language": "es"})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Traceback" not in html
    assert "Algo salió mal" in html


def test_403_page(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user())
    response = client.submit("/courses/biogas/m/module-1/progress", {"done": "1"})
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.get_data(as_text=True)


def test_every_request_is_logged(app, client, caplog):
    with caplog.at_level(logging.INFO, logger="peerlearn.request"):
        client.get("/healthz?x=1")
    line = next(r.getMessage() for r in caplog.records if r.name == "peerlearn.request")
    assert line.startswith("GET /healthz?x=1 200 ")
