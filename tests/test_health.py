"""``/healthz`` reports the database and the broker, on any host."""

from channelfront import create_app


def test_healthz_reports_database_ok(northwind, client_for):
    for client in (northwind, client_for("127.0.0.1:5000"), client_for("unknown.example")):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json["checks"]["database"] == "ok"
        assert "broker" not in response.json["checks"]


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "down"


def test_healthz_is_503_when_the_broker_is_down(app):
    down = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        }
    )
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "broker": "down"}
