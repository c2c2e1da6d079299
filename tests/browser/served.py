"""The demo served as in production for browser tests: migrated and loaded by the
``flask`` CLI into its own SQLite file, served by gunicorn on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def demo_env(workdir: Path, **settings: str | None) -> dict[str, str]:
    """The environment of the served demo: ``settings`` added to it (None: removed)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'storefront.db'}",
        "SECRET_KEY": "browser-test-secret",
        "LICENSE_SIGNING_KEY": "browser-test-license-key",
        "ADMIN_HOST": "admin.localhost",
        "PASSWORD_HASH_COST": "cheap",
        "CELERY_BROKER_URL": "",
        # Every browser signs in from 127.0.0.1; the throttle has tests of its own.
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
        # This checkout's code, whatever the virtualenv has installed.
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }
    for name, value in settings.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@contextmanager
def served_demo(workdir: Path, **settings: str | None) -> Iterator[int]:
    """Serve the demo from ``workdir``; yields the port. ``settings`` as for demo_env."""
    env = demo_env(workdir, **settings)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo", "load"]):
        done = subprocess.run([*flask, *command], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"flask {' '.join(command)} failed:\n{done.stderr[-3000:]}"
    port = free_port()
    log_path = workdir / "gunicorn.log"
    log = log_path.open("wb")
    gunicorn = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*gunicorn, "--workers", "1", "--threads", "4"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        try:
            _wait_until_healthy(f"http://127.0.0.1:{port}/healthz", server)
        except RuntimeError as exc:
            log.flush()
            pytest.fail(f"{exc}\n{log_path.read_text()[-3000:]}")
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
