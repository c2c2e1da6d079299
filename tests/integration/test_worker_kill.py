"""Real Celery workers on Redis against PostgreSQL: fulfilment survives a killed worker
and a broker outage, and issues each license exactly once.

Runs under ``CI=true`` or with ``WORKER_TEST=1`` (otherwise skipped). Once it runs, a
missing PostgreSQL (127.0.0.1:5432, user postgres) or Redis (127.0.0.1:6379) fails it.

Everything runs as it would in production, in processes of its own: a fresh database
built by ``flask db upgrade`` and ``flask demo load``, the API served by gunicorn,
orders placed over HTTP with a token from ``flask api-token create``, and workers
started as ``celery -A wsgi:celery worker``. The worker that gets killed pauses before
each order line (``slow_worker.py``), so it can be killed -9 half-way through an order.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_DB = int(os.environ.get("WORKER_TEST_REDIS_DB", "14"))
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
HOST = "northwind.localhost"
LINE_DELAY = 0.25  # seconds the killed worker waits before each order line
WORKER_ARGS = ["worker", "--pool=solo", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "--loglevel=INFO"]  # fmt: skip

RUN = os.environ.get("CI") == "true" or os.environ.get("WORKER_TEST") == "1"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RUN, reason="real workers: set WORKER_TEST=1 (CI=true runs it)"),
]


def _require_services() -> None:
    """Fail, never skip: this test only runs when it was asked for."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required: {exc}")
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at 127.0.0.1:6379 is required: {exc}")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    _require_services()
    name = f"cf_worker_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def base_env(database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": "",
        "SECRET_KEY": "worker-test-secret",
        "LICENSE_SIGNING_KEY": "worker-test-license-key",
        "PASSWORD_HASH_COST": "cheap",
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
    }
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    # Room on Bluebird's credit line for a large order (demo limit: 50,000 USD).
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        conn.execute("UPDATE enrollment SET credit_limit_minor = 100000000000")
    return env


@pytest.fixture(scope="module")
def token(base_env: dict[str, str]) -> str:
    out = _flask(base_env, "api-token", "create", "buyer@bluebird.example", "northwind")
    return out.strip().splitlines()[-1]


@pytest.fixture
def broker() -> Iterator[str]:
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    try:
        yield BROKER
    finally:
        client.flushdb()


class Processes:
    """Processes a test started, stopped by their own ids when it ends."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


class Shop:
    """The API of the northwind storefront served by gunicorn."""

    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}/api/v1"
        self.headers = {"Host": HOST, "Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        response = requests.get(self.base + path, headers=self.headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def licensed_skus(self, limit: int) -> list[str]:
        skus: list[str] = []
        page, pages = 1, 1
        while page <= pages and len(skus) < limit:
            body = self.get(f"/products?page={page}")
            pages = body["pages"]
            skus += [i["sku"] for i in body["items"] if i["kind"] in ("perpetual", "subscription")]
            page += 1
        return skus[:limit]

    def place(self, skus: list[str]) -> requests.Response:
        body = {
            "lines": [{"sku": sku, "quantity": 1} for sku in skus],
            "end_customer": {
                "company_name": "Acme Corp",
                "contact_name": "Ada Acme",
                "email": "ada@acme.example",
                "country": "US",
            },
            "payment": {"method": "on_account"},
        }
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        return requests.post(self.base + "/orders", json=body, headers=headers, timeout=30)


def serve(processes: Processes, env: dict[str, str], token: str) -> Shop:
    port = _free_port()
    server = processes.start(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wsgi:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
        ],
        env,
    )

    def healthy() -> bool:
        assert server.poll() is None, processes.log("gunicorn")
        try:
            # Not /healthz: it reports the broker, which one test keeps down on purpose.
            url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
            return requests.get(url, headers={"Host": HOST}, timeout=2).ok
        except requests.RequestException:
            return False

    wait_for("gunicorn", healthy, timeout=30, every=0.2)
    return Shop(port, token)


def fetch(database: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        return conn.execute(sql, params).fetchall()


def state(database: str, number: str) -> dict[str, Any]:
    """What fulfilment left for an order, read straight from the database."""
    ((order_id, status),) = fetch(
        database, "SELECT id, status FROM purchase_order WHERE number = %s", number
    )
    licensed = fetch(
        database,
        "SELECT id FROM order_line WHERE order_id = %s AND kind IN ('perpetual', 'subscription')",
        order_id,
    )
    licenses = fetch(
        database, "SELECT order_line_id, key FROM license WHERE order_id = %s", order_id
    )
    events = fetch(database, "SELECT kind FROM order_event WHERE order_id = %s", order_id)
    messages = fetch(
        database,
        "SELECT done_at IS NOT NULL, attempts FROM outbox_message "
        "WHERE topic = 'order.fulfil' AND payload->>'order_id' = %s",
        str(order_id),
    )
    return {
        "status": status,
        "lines": sorted(row[0] for row in licensed),
        "licenses": [row[0] for row in licenses],
        "keys": [row[1] for row in licenses],
        "events": [row[0] for row in events],
        "invoices": fetch(database, "SELECT count(*) FROM invoice WHERE order_id = %s", order_id)[
            0
        ][0],
        "fulfil_message": messages,
    }


def assert_fulfilled_once(found: dict[str, Any]) -> None:
    assert found["status"] == "invoiced"
    assert sorted(found["licenses"]) == found["lines"], "one license per license line, no more"
    assert len(set(found["keys"])) == len(found["keys"])
    for kind in ("placed", "accepted_on_account", "fulfilling", "fulfilled", "invoiced"):
        assert found["events"].count(kind) == 1, (kind, found["events"])
    assert found["invoices"] == 1


def test_a_worker_killed_mid_fulfilment_resumes_and_issues_each_license_once(
    database: str, base_env: dict[str, str], token: str, broker: str, processes: Processes
) -> None:
    env = {**base_env, "CELERY_BROKER_URL": broker}
    shop = serve(processes, env, token)
    skus = shop.licensed_skus(40)
    assert len(skus) >= 20
    response = shop.place(skus)
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    # No worker yet: the order is accepted and its fulfilment waits in Redis.
    assert response.json()["status"] == "accepted_on_account"
    assert response.json()["licenses"] == []

    slow = processes.start(
        "slow-worker",
        [
            sys.executable,
            str(ROOT / "tests" / "integration" / "slow_worker.py"),
            str(LINE_DELAY),
            *WORKER_ARGS,
        ],
        env,
    )
    wait_for(
        "the first licenses",
        lambda: len(state(database, number)["licenses"]) >= 3 or slow.poll() is not None,
        timeout=60,
    )
    assert slow.poll() is None, processes.log("slow-worker")
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=10)
    halfway = state(database, number)
    assert halfway["status"] == "fulfilling"
    assert 0 < len(halfway["licenses"]) < len(halfway["lines"])
    time.sleep(1)
    assert state(database, number)["licenses"] == halfway["licenses"]

    processes.start(
        "worker", [sys.executable, "-m", "celery", "-A", "wsgi:celery", *WORKER_ARGS], env
    )
    # The killed worker never acknowledged its message. The periodic outbox.sweep (beat,
    # every 30 s) sends pending messages again once they are 10 s old; send it as beat would.
    sender = Celery(broker=broker, set_as_current=False)

    def finished() -> bool:
        if state(database, number)["status"] == "invoiced":
            return True
        sender.send_task("outbox.sweep")
        return False

    try:
        wait_for("the restarted worker to finish the order", finished, timeout=120, every=3)
    finally:
        sender.close()
    done = state(database, number)
    assert_fulfilled_once(done)
    assert done["fulfil_message"] == [(True, 2)]
    assert set(halfway["keys"]) <= set(done["keys"]), "keys issued before the kill are kept"
    order = shop.get(f"/orders/{number}")
    assert order["status"] == "invoiced"
    assert {lic["key"] for lic in order["licenses"]} == set(done["keys"])
    verified = _flask(base_env, "licenses", "verify", done["keys"][0])
    assert verified.startswith("VALID")


def test_with_the_broker_down_orders_are_accepted_and_fulfilled_later(
    database: str, base_env: dict[str, str], token: str, broker: str, processes: Processes
) -> None:
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    shop = serve(processes, {**base_env, "CELERY_BROKER_URL": closed}, token)
    skus = shop.licensed_skus(5)
    started = time.monotonic()
    response = shop.place(skus)
    assert response.status_code == 201, response.text
    assert time.monotonic() - started < 15
    number = response.json()["number"]
    pending = state(database, number)
    assert pending["status"] == "accepted_on_account"
    assert pending["licenses"] == []
    assert pending["fulfil_message"] == [(False, 0)]

    # The broker is back: the deploy's `flask outbox drain` (or the sweep) delivers.
    drained = _flask({**base_env, "CELERY_BROKER_URL": broker}, "outbox", "drain")
    assert "message(s) handled" in drained
    assert_fulfilled_once(state(database, number))
    assert state(database, number)["fulfil_message"] == [(True, 1)]
