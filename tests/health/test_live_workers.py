"""Real processes: a Celery worker writes its own heartbeat and removes it on a warm
shutdown, beat's heartbeat arrives through a worker, and /metrics served by two
gunicorn workers adds up what every process counted (the order placed in gunicorn, its
fulfilment timed in the Celery worker) through PROMETHEUS_MULTIPROC_DIR.

Runs under ``CI=true`` or with ``WORKER_TEST=1`` (otherwise skipped); then a missing
PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) fails it. Heartbeats every second
here (``HEARTBEAT_SECONDS=1``) so the test sees them move.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families

from channelfront import create_app
from channelfront.health import status
from tests.live import (
    HOST,
    PG_ADMIN,
    WORKER_ARGS,
    Processes,
    base_env,
    fetch,
    flask,
    free_port,
    require_services,
    wait_for,
)

RUN = os.environ.get("CI") == "true" or os.environ.get("WORKER_TEST") == "1"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RUN, reason="real workers: set WORKER_TEST=1 (CI=true runs it)"),
]
REDIS_DB = int(os.environ.get("HEALTH_WORKER_TEST_REDIS_DB", "11"))
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
BEAT_ARGS = ["-m", "celery", "-A", "wsgi:celery", "beat", "--loglevel=INFO"]


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    require_services(BROKER)
    name = f"cf_health_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def prepared(database: str) -> dict[str, str]:
    env = base_env(database, BROKER)
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    return env


@pytest.fixture
def env(prepared: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    try:
        yield {**prepared, "HEARTBEAT_SECONDS": "1", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    finally:
        client.flushdb()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def heartbeats(database: str) -> dict[str, tuple[str, datetime]]:
    rows = fetch(database, "SELECT name, kind, seen_at FROM process_heartbeat")
    return {name: (kind, seen_at) for name, kind, seen_at in rows}


def test_a_worker_beats_while_it_runs_and_beat_is_seen_through_it(
    database: str, env: dict[str, str], processes: Processes, tmp_path: Path
) -> None:
    worker = processes.start("worker", WORKER_ARGS, env)
    schedule = str(tmp_path / "beat-schedule")
    processes.start("beat", [*BEAT_ARGS, "--schedule", schedule], env)

    def worker_row() -> tuple[str, tuple[str, datetime]] | None:
        assert worker.poll() is None, processes.log("worker")
        found = [(n, row) for n, row in heartbeats(database).items() if n.startswith("worker:")]
        return found[0] if found else None

    name, (kind, first_seen) = wait_for("the worker's heartbeat", worker_row, timeout=30)
    assert kind == "worker"
    assert name.startswith("worker:celery@")

    def moved_on() -> bool:
        return heartbeats(database)[name][1] > first_seen

    wait_for("the worker's next heartbeat", moved_on, timeout=10)
    wait_for("beat's heartbeat", lambda: "beat" in heartbeats(database), timeout=30)
    assert heartbeats(database)["beat"][0] == "beat"
    assert "Task health.beat[" in processes.log("worker")

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    with app.app_context():
        found = {p.name: p for p in status.processes()}
    assert not found[name].stale
    assert not found["beat"].stale
    assert found[name].age_seconds < 5

    worker.send_signal(signal.SIGTERM)  # a warm shutdown says goodbye
    worker.wait(timeout=30)
    assert name not in heartbeats(database), processes.log("worker")


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert response.status_code == 200, response.text[:500]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_add_up_every_gunicorn_and_celery_process(
    env: dict[str, str], processes: Processes
) -> None:
    worker = processes.start("worker", WORKER_ARGS, env)
    port = free_port()
    server = processes.start(
        "gunicorn",
        ["-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "2"],
        env,
    )  # fmt: skip
    live = f"http://127.0.0.1:{port}/healthz/live"

    def serving() -> bool:
        assert server.poll() is None, processes.log("gunicorn")
        try:
            return requests.get(live, timeout=2).ok
        except requests.RequestException:
            return False

    wait_for("gunicorn", serving, timeout=30, every=0.2)
    for _ in range(20):  # spread over both workers
        assert requests.get(live, timeout=5).ok

    token = flask(env, "api-token", "create", "buyer@bluebird.example", "northwind")
    headers = {"Host": HOST, "Authorization": f"Bearer {token.strip().splitlines()[-1]}"}
    order = {
        "lines": [{"sku": "SHD-STD-1Y", "quantity": 1}],
        "end_customer": {
            "company_name": "Acme Corp",
            "contact_name": "Ada Acme",
            "email": "ada@acme.example",
            "country": "US",
        },
        "payment": {"method": "on_account"},
    }
    base = f"http://127.0.0.1:{port}/api/v1"
    placed = requests.post(
        f"{base}/orders",
        json=order,
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert placed.status_code == 201, placed.text
    number = placed.json()["number"]

    def fulfilled() -> bool:
        answer = requests.get(f"{base}/orders/{number}", headers=headers, timeout=10)
        return answer.json()["status"] == "invoiced"

    wait_for("the worker to fulfil the order", fulfilled, timeout=30, every=0.3)

    samples = scrape(port)
    files = [path.name for path in Path(env["PROMETHEUS_MULTIPROC_DIR"]).iterdir()]
    assert any(name.endswith(f"_{worker.pid}.db") for name in files), files
    requests_live = (("endpoint", "health.live"), ("method", "GET"), ("status", "200"))
    assert samples[("channelfront_http_requests_total", requests_live)] >= 21
    placed_key = (("payment_method", "on_account"), ("tenant", "northwind"))
    assert samples[("channelfront_orders_placed_total", placed_key)] == 1
    # Observed in the Celery worker's process, read through gunicorn's.
    fulfilled_key = ("channelfront_order_fulfilment_seconds_count", (("tenant", "northwind"),))
    assert samples[fulfilled_key] == 1
    assert samples[("channelfront_database_up", ())] == 1

    refused = requests.get(
        f"http://127.0.0.1:{port}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5
    )
    assert refused.status_code == 404
