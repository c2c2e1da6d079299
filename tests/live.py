"""The app as it runs in production, for the tests with real workers (webhooks, the
customer import): a fresh PostgreSQL database (migrations and demo data), Redis as the
broker, gunicorn, Celery workers in processes of their own, and a receiver that notes
each request as it arrives.

A missing PostgreSQL or Redis fails the test that asked for them; it never skips.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "northwind.localhost"
WORKER_ARGS = ["-m", "celery", "-A", "wsgi:celery", "worker", "--pool=solo",
               "--without-gossip", "--without-mingle", "--without-heartbeat",
               "--loglevel=INFO"]  # fmt: skip


def require_services(broker: str) -> None:
    """Fail, never skip: the test only runs when it was asked for."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required: {exc}")
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at 127.0.0.1:6379 is required: {exc}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def flask(env: dict[str, str], *args: str) -> str:
    """``flask --app wsgi ARGS`` in a process of its own; its standard output."""
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


def fetch(database: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        return conn.execute(sql, params).fetchall()


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


class Processes:
    """Processes a test started, killed by their own ids when it ends."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
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


class Api:
    """``/api/v1`` of the northwind storefront served by gunicorn, as one token."""

    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}/api/v1"
        self.headers = {"Host": HOST, "Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)


def serve(processes: Processes, env: dict[str, str]) -> int:
    """gunicorn on a free loopback port; the port once it answers."""
    port = free_port()
    server = processes.start(
        "gunicorn",
        ["-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}", "--threads", "4"],
        env,
    )

    def healthy() -> bool:
        assert server.poll() is None, processes.log("gunicorn")
        try:
            url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
            return requests.get(url, headers={"Host": HOST}, timeout=2).ok
        except requests.RequestException:
            return False

    wait_for("gunicorn", healthy, timeout=30, every=0.2)
    return port


@dataclass
class Arrival:
    headers: dict[str, str]
    body: bytes


@dataclass
class SlowReceiver:
    """Notes each request the moment it arrives, then takes ``first_sleep`` seconds to
    answer the first one (the sender is inside its HTTP call meanwhile) and answers 200."""

    first_sleep: float
    port: int = 0
    arrivals: list[Arrival] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/crm/hooks"

    def note(self, arrival: Arrival) -> int:
        with self.lock:
            self.arrivals.append(arrival)
            self.arrived.set()
            return len(self.arrivals)


def serve_receiver(receiver: SlowReceiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if receiver.note(Arrival(headers, body)) == 1:
                time.sleep(receiver.first_sleep)
            try:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender is gone

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def base_env(database: str, broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": broker,
        "SECRET_KEY": "webhook-worker-test-secret",
        "LICENSE_SIGNING_KEY": "webhook-worker-test-license-key",
        "PASSWORD_HASH_COST": "cheap",
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
    }
