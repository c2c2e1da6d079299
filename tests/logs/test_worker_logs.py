"""Real processes with ``LOG_FORMAT=json``: a request to gunicorn with an X-Request-ID
writes a mail to the outbox; the Celery worker that delivers it logs the task's run under
that id, and beat's lines come out in the same JSON.

Runs under ``CI=true`` or with ``WORKER_TEST=1`` (otherwise skipped); then a missing
PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) fails it.
"""

from __future__ import annotations

import json
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

from tests.live import (
    HOST,
    PG_ADMIN,
    WORKER_ARGS,
    Processes,
    base_env,
    fetch,
    flask,
    require_services,
    serve,
    wait_for,
)

RUN = os.environ.get("CI") == "true" or os.environ.get("WORKER_TEST") == "1"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RUN, reason="real workers: set WORKER_TEST=1 (CI=true runs it)"),
]
REDIS_DB = int(os.environ.get("LOGS_WORKER_TEST_REDIS_DB", "9"))
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
BEAT_ARGS = ["-m", "celery", "-A", "wsgi:celery", "beat", "--loglevel=INFO"]
FIELDS = {"time", "level", "logger", "request_id", "tenant", "message"}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    require_services(BROKER)
    name = f"cf_logs_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(database: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    found = {**base_env(database, BROKER), "LOG_FORMAT": "json", "STATE_DIR": str(tmp_path)}
    flask(found, "db", "upgrade")
    flask(found, "demo", "load")
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    try:
        yield found
    finally:
        client.flushdb()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def records(processes: Processes, name: str) -> list[dict[str, Any]]:
    """The JSON log lines of one process (its other output, a banner, is left out)."""
    found = []
    for line in (processes.logs / f"{name}.log").read_text(errors="replace").splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def ask_for_reset(port: int, request_id: str) -> requests.Response:
    session = requests.Session()
    session.headers["Host"] = HOST
    url = f"http://127.0.0.1:{port}/password/forgot"
    form = session.get(url, timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token, form[:500]
    data = {"email": "buyer@bluebird.example", "csrf_token": token[1]}
    return session.post(url, data=data, headers={"X-Request-ID": request_id}, timeout=10)


def test_the_worker_logs_a_task_under_the_id_of_the_request_that_sent_it(
    database: str, env: dict[str, str], processes: Processes
) -> None:
    port = serve(processes, env)
    processes.start("worker", WORKER_ARGS, env)
    processes.start("beat", BEAT_ARGS, env)
    request_id = f"live-{uuid.uuid4().hex[:8]}"

    response = ask_for_reset(port, request_id)
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == request_id
    [(stored,)] = fetch(
        database, "SELECT request_id FROM outbox_message WHERE topic = 'mail.account'"
    )
    assert stored == request_id

    def delivered() -> list[dict[str, Any]]:
        return [
            r
            for r in records(processes, "worker")
            if r["logger"] == "celery.app.trace" and "outbox.deliver" in r["message"]
        ]

    # Beat's first sweep may send the message a second time (a no-op): same id on both.
    runs = wait_for("the worker's task line", delivered, timeout=30)
    assert "succeeded" in runs[0]["message"], processes.log("worker")
    assert {run["request_id"] for run in runs} == {request_id}

    access = [r for r in records(processes, "gunicorn") if r["logger"] == "channelfront.access"]
    [post] = [r for r in access if r["method"] == "POST"]
    assert (post["request_id"], post["tenant"], post["path"], post["status"]) == (
        request_id,
        "northwind",
        "/password/forgot",
        200,
    )

    def beat_started() -> list[dict[str, Any]]:
        return [r for r in records(processes, "beat") if r["logger"].startswith("celery.beat")]

    assert wait_for("beat's first line", beat_started, timeout=20)
    for name in ("gunicorn", "worker", "beat"):
        for record in records(processes, name):
            assert record.keys() >= FIELDS, (name, record)
