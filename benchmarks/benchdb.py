"""Fresh benchmark databases (temporary SQLite, or a new PostgreSQL database) built as the
deploy step builds them: ``flask db upgrade`` and ``flask demo load``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loadgen import HOST, ROOT, BenchmarkFailed, LoadResult, http_request

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    import psycopg

    name = f"cf_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, broker: str = "") -> dict[str, str]:
    """The environment of the served app and of its ``flask`` commands."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-secret",
        "LICENSE_SIGNING_KEY": "benchmark-license-key",
        "ADMIN_HOST": "admin.localhost",
        "PASSWORD_HASH_COST": "cheap",
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "CELERY_BROKER_URL": broker,
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }


def flask_cli(env: dict[str, str], *args: str) -> str:
    """Run a ``flask --app wsgi`` command as the deploy step would; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkFailed(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def build(env: dict[str, str]) -> None:
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "demo", "load")


def raw_url(database_url: str) -> str:
    """The URL for psycopg (no SQLAlchemy driver suffix)."""
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def execute(database_url: str, sql: str, *params: object) -> list[tuple]:
    """Run one statement on the benchmark database, outside the app (and its tenant scope)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            rows = conn.execute(sql.replace("%s", "?"), params).fetchall()
        conn.close()
        return rows
    import psycopg

    with psycopg.connect(raw_url(database_url)) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def api_token(env: dict[str, str], email: str, tenant: str) -> str:
    return flask_cli(env, "api-token", "create", email, tenant).strip().splitlines()[-1]


def run_wrk_with(
    port: int,
    path: str,
    headers: list[str],
    seconds: int,
    connections: int,
    threads: int,
    lua: Path,
    script_args: list[str] | None = None,
) -> LoadResult:
    """wrk against one path with extra headers (``"Name: value"``); its ``BENCH`` line parsed."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", "-s", str(lua), "-H", f"Host: {HOST}"]  # fmt: skip
    for header in headers:
        command += ["-H", header]
    command.append(f"http://127.0.0.1:{port}{path}")
    if script_args:
        command += ["--", *script_args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise BenchmarkFailed(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
    values = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    requests = int(values["requests"])
    duration = values["duration_us"] / 1e6
    return LoadResult(
        path=path,
        requests=requests,
        seconds=round(duration, 2),
        requests_per_second=round(requests / duration, 1),
        p50_ms=values["p50_us"] / 1000,
        p90_ms=values["p90_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        bytes_per_response=int(values["bytes"] / max(requests, 1)),
        errors={k: int(values[k]) for k in ("connect", "read", "write", "status", "timeout")},
    )


@contextmanager
def served(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn (gthread) on 127.0.0.1:port; yields the master process once it answers."""
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "gthread",
               "--threads", str(threads)]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise BenchmarkFailed(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                if http_request(port, "GET", "/api/v1/openapi.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchmarkFailed("gunicorn did not answer within 30 s")
            time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (gunicorn's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak since start) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values
