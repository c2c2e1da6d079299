"""A large customer list checked and imported by a real Celery worker, its progress seen
over HTTP as the page sees it.

Runs under ``CI=true`` or with ``WORKER_TEST=1`` (otherwise skipped). Once it runs, a
missing PostgreSQL (127.0.0.1:5432, user postgres) or Redis (127.0.0.1:6379) fails it.

Everything runs in processes of its own, as in production: a fresh database built by
``flask db upgrade`` and ``flask demo load``, the app under gunicorn, a buyer signed in
with a requests session (the CSRF token read from each form), and a worker started as
``celery -A wsgi:celery worker``. The worker pauses at each progress report (every 250
rows), so the test sees the bar move instead of racing a check that ends in a blink.
Test-only: the app itself has no such hook.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests

from channelfront.demo.seed import DEMO_PASSWORD
from tests.live import (
    HOST,
    PG_ADMIN,
    ROOT,
    Processes,
    flask,
    free_port,
    require_services,
    wait_for,
)

# Not the Redis database of the other worker tests: they flush theirs.
REDIS_DB = int(os.environ.get("IMPORT_WORKER_REDIS_DB", "12"))
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
BUYER = "buyer@bluebird.example"
ROWS = 3000  # over the 500 rows checked inline: the upload goes to the worker
PAUSE = 0.15  # seconds the worker waits at each progress report (12 per pass)
WORKER_ARGS = ["worker", "--pool=solo", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "--loglevel=INFO"]  # fmt: skip
# The worker of the app, pausing at each progress report the import commits.
SLOW_WORKER = f"""
import time
from channelfront.customers import import_tasks

_progress = import_tasks._progress

def slow_progress(import_id):
    report = _progress(import_id)

    def paused(done, total):
        report(done, total)
        time.sleep({PAUSE})

    return paused

import_tasks._progress = slow_progress
from wsgi import celery
celery.worker_main({WORKER_ARGS!r})
"""

RUN = os.environ.get("CI") == "true" or os.environ.get("WORKER_TEST") == "1"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RUN, reason="real workers: set WORKER_TEST=1 (CI=true runs it)"),
]


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    require_services(BROKER)
    name = f"cf_import_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def env(database: str) -> dict[str, str]:
    found = {
        **os.environ,
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": BROKER,
        "SECRET_KEY": "import-worker-test-secret",
        "LICENSE_SIGNING_KEY": "import-worker-test-license-key",
        "PASSWORD_HASH_COST": "cheap",
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
    }
    flask(found, "db", "upgrade")
    flask(found, "demo", "load")
    return found


@pytest.fixture
def broker() -> Iterator[str]:
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    try:
        yield BROKER
    finally:
        client.flushdb()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


class Browser:
    """A signed-in user's requests to the storefront served by gunicorn."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()
        self.session.headers["Host"] = HOST

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=10, allow_redirects=False)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.base + path, timeout=30, allow_redirects=False, **kwargs)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, page.text[-2000:]
        found = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str) -> None:
        form = {"email": email, "password": DEMO_PASSWORD, "csrf_token": self.csrf_token("/login")}
        response = self.post("/login", data=form)
        assert response.status_code == 302, response.text[-2000:]

    def status(self, import_id: int) -> dict[str, Any]:
        response = self.get(f"/customers/import/{import_id}/status")
        assert response.status_code == 200, response.text[-2000:]
        return dict(response.json())


def serve(processes: Processes, env: dict[str, str]) -> Browser:
    port = free_port()
    server = processes.start(
        "gunicorn",
        ["-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4"],
        env,
    )  # fmt: skip

    def healthy() -> bool:
        assert server.poll() is None, processes.log("gunicorn")
        try:
            url = f"http://127.0.0.1:{port}/login"
            return requests.get(url, headers={"Host": HOST}, timeout=2).ok
        except requests.RequestException:
            return False

    wait_for("gunicorn", healthy, timeout=30, every=0.2)
    return Browser(port)


def customer_list(tag: str) -> bytes:
    lines = ["company_name;contact_name;email;country;vat_id;crm_account_id"]
    lines += [
        f"Company {tag} {n};Person {n};p{n}@{tag}.example;DE;;{tag.upper()}-{n}"
        for n in range(1, ROWS + 1)
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def watch(browser: Browser, import_id: int, working: str, until: str) -> list[dict[str, Any]]:
    """Every status answer from now until the import leaves ``working``."""
    seen: list[dict[str, Any]] = []

    def finished() -> bool:
        seen.append(browser.status(import_id))
        return seen[-1]["status"] != working

    wait_for(f"the import to leave {working}", finished, timeout=30, every=0.05)
    assert seen[-1]["status"] == until, seen[-1]
    return seen


def assert_moving(seen: list[dict[str, Any]], working: str) -> None:
    """The bar moved: several row counts part-way, never going back, ending at the total."""
    done = [s["processed_rows"] for s in seen if s["status"] == working]
    part_way = {n for n in done if 0 < n < ROWS}
    assert len(part_way) >= 3, done
    assert done == sorted(done), done
    assert all(s["working"] for s in seen if s["status"] == working)
    assert seen[-1]["processed_rows"] == seen[-1]["total_rows"] == ROWS
    assert not seen[-1]["working"]


def customers(database: str, tag: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        return conn.execute(
            "SELECT email, count(*) FROM customer WHERE email LIKE %s GROUP BY email",
            (f"%@{tag}.example",),
        ).fetchall()


def test_a_large_list_is_checked_and_imported_by_the_worker_with_the_bar_moving(
    database: str, env: dict[str, str], broker: str, processes: Processes
) -> None:
    worker = processes.start("worker", ["-c", SLOW_WORKER], env)
    browser = serve(processes, env)
    assert worker.poll() is None, processes.log("worker")
    browser.sign_in(BUYER)
    tag = f"w{uuid.uuid4().hex[:6]}"

    token = browser.csrf_token("/customers/import")
    files = {"file": ("customers.csv", customer_list(tag), "text/csv")}
    uploaded = browser.post("/customers/import", data={"csrf_token": token}, files=files)
    assert uploaded.status_code == 303, uploaded.text[-2000:]
    found = re.search(r"/customers/import/(\d+)$", uploaded.headers["Location"])
    assert found, uploaded.headers["Location"]
    import_id = int(found.group(1))

    page = browser.get(f"/customers/import/{import_id}")
    assert page.status_code == 200
    assert "data-import-progress" in page.text, "the page shows the bar while the worker checks"
    checked = watch(browser, import_id, "checking", "checked")
    assert_moving(checked, "checking")
    assert checked[-1]["counts"] == {"new": ROWS, "updated": 0, "unchanged": 0, "invalid": 0}
    assert customers(database, tag) == [], "nothing is written before Import"

    token = browser.csrf_token(f"/customers/import/{import_id}")
    started = browser.post(f"/customers/import/{import_id}/run", data={"csrf_token": token})
    assert started.status_code == 303, started.text[-2000:]
    imported = watch(browser, import_id, "importing", "done")
    assert_moving(imported, "importing")
    assert "import-done" in browser.get(f"/customers/import/{import_id}").text

    written = customers(database, tag)
    assert len(written) == ROWS
    assert {count for _, count in written} == {1}, "each customer once"
    again = browser.post(f"/customers/import/{import_id}/run", data={"csrf_token": token})
    assert again.status_code == 409
    assert len(customers(database, tag)) == ROWS
    worker_log = (processes.logs / "worker.log").read_text(errors="replace")
    assert worker.poll() is None, worker_log
    for task in ("customers.check_import", "customers.run_import"):
        assert re.search(rf"Task {task}\[[-0-9a-f]+\] succeeded", worker_log), worker_log
