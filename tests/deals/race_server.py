"""The demo served by gunicorn on a fresh PostgreSQL database, for the deal decision race
(the Flask test client runs one request at a time, so a race needs a real server).
Built with the ``flask`` CLI (``db upgrade``, ``demo load``, ``api-token create``)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "northwind.localhost"


@dataclass
class Served:
    port: int
    tokens: dict[str, str]
    log: Path

    def api(self, email: str, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = {"Host": HOST, "Authorization": f"Bearer {self.tokens[email]}"}
        return requests.request(
            method,
            f"http://127.0.0.1:{self.port}/api/v1{path}",
            headers=headers,
            timeout=120,
            **kwargs,  # type: ignore[arg-type]
        )


def _admin(statement: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # our own process group only
    process.wait(timeout=10)


@contextlib.contextmanager
def served_on_postgresql(emails: list[str], workdir: Path) -> Iterator[Served]:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is needed: {exc}")
        pytest.skip(f"PostgreSQL is needed: {exc}")
    name = f"cf_deal_race_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        "SECRET_KEY": "deal-race-secret",
        "LICENSE_SIGNING_KEY": "deal-race-license-key",
        "CELERY_BROKER_URL": "",
        "PASSWORD_HASH_COST": "cheap",
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "sk_test_deal_race",
        "STRIPE_PUBLISHABLE_KEY": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
    }
    process = None
    try:
        _flask(env, "db", "upgrade")
        _flask(env, "demo", "load")
        tokens = {
            email: _flask(env, "api-token", "create", email, "northwind").strip().splitlines()[-1]
            for email in emails
        }
        port, log = _port(), workdir / "gunicorn.log"
        command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", "2", "--threads", "6", "--timeout", "120"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                    break
            time.sleep(0.2)
        yield Served(port, tokens, log)
    finally:
        if process is not None:
            _stop(process)
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
