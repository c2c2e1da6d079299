"""``/healthz/live``, ``/healthz/ready`` and ``/healthz`` (ready's old name), on any host.

Ready is 503 only when the database does not answer: a broker outage is reported and
the node stays in the load balancer, since the outbox keeps the orders meanwhile."""

import socket
import time

import pytest

from channelfront import create_app

HOSTS = ("northwind.localhost", "127.0.0.1:5000", "unknown.example", "192.0.2.7:8000")


def app_with(database_url: str, **config: object):  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **config})


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


@pytest.mark.parametrize("path", ["/healthz/live", "/healthz/ready", "/healthz"])
def test_every_probe_answers_on_any_host(client_for, path):
    for host in HOSTS:
        response = client_for(host).get(path)
        assert response.status_code == 200, (host, response.get_data(as_text=True)[:300])
        assert response.json["status"] == "ok"


def test_ready_reports_the_database_and_no_broker_when_none_is_set(client_for):
    for path in ("/healthz/ready", "/healthz"):
        response = client_for("127.0.0.1:5000").get(path)
        assert response.json["checks"] == {"database": "ok"}


def test_ready_stays_200_while_the_broker_is_down_and_says_so(app):
    down = app_with(
        app.config["SQLALCHEMY_DATABASE_URI"],
        CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )
    client = down.test_client()
    for path in ("/healthz/ready", "/healthz"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json == {"status": "ok", "checks": {"database": "ok", "broker": "down"}}
    assert client.get("/healthz/live").status_code == 200


def test_ready_reports_a_broker_that_answers(app):
    up = app_with(
        app.config["SQLALCHEMY_DATABASE_URI"], CELERY_BROKER_URL="redis://127.0.0.1:6379/15"
    )
    response = up.test_client().get("/healthz/ready")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "broker": "ok"}


def test_ready_is_503_when_the_database_is_unreachable_while_live_is_200(tmp_path):
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    client = app_with(f"sqlite:///{missing}").test_client()
    for path in ("/healthz/ready", "/healthz"):
        response = client.get(path)
        assert response.status_code == 503
        assert response.json == {"status": "down", "checks": {"database": "down"}}
    assert client.get("/healthz/live").status_code == 200


def test_ready_is_503_when_postgresql_does_not_answer():
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/none?connect_timeout=2"
    client = app_with(url).test_client()
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "down"
    assert client.get("/healthz/live").json == {"status": "ok"}


def test_a_hanging_broker_costs_one_short_probe_per_few_seconds(app, clock, silent_broker):
    """A broker that accepts and never answers: the probe gives up within about a second,
    and the probes of the next seconds reuse that answer instead of asking again."""
    hanging = app_with(
        app.config["SQLALCHEMY_DATABASE_URI"],
        CELERY_BROKER_URL=f"redis://127.0.0.1:{silent_broker.port}/0",
    )
    client = hanging.test_client()
    started = time.monotonic()
    first = client.get("/healthz/ready")
    assert time.monotonic() - started < 5
    assert first.status_code == 200
    assert first.json["checks"]["broker"] == "down"
    asked = len(silent_broker.accepted)
    assert asked >= 1

    clock.advance(4)
    started = time.monotonic()
    assert client.get("/healthz/ready").json["checks"]["broker"] == "down"
    assert time.monotonic() - started < 0.5
    assert len(silent_broker.accepted) == asked, "answered from the cache"

    clock.advance(2)
    assert client.get("/healthz/ready").json["checks"]["broker"] == "down"
    assert len(silent_broker.accepted) > asked, "asked again after five seconds"
