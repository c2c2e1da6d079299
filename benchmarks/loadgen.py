"""Serving the app with gunicorn, signing in over HTTP, and loading it with wrk."""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
HOST = "northwind.localhost"
BUYER = "buyer@bluebird.example"
PASSWORD = "channelfront-demo"  # the documented demo credential
USER_AGENT = "channelfront-bench"  # the same for sign-in and load: one session identity

LUA_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p95_us=%d p99_us=%d "
    .. "mean_us=%.0f max_us=%d connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
"""


class BenchmarkFailed(click.ClickException):
    exit_code = 1


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if not match:
        raise BenchmarkFailed("no CSRF token on /login")
    return match.group(1)


def signed_in_client(app, email: str = BUYER):  # type: ignore[no-untyped-def]
    """A Flask test client of `app` on the storefront host, signed in as `email`."""
    client = app.test_client()
    base = f"http://{HOST}"
    token = csrf_token(client.get("/login", base_url=base).get_data(as_text=True))
    response = client.post(
        "/login", base_url=base, data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise BenchmarkFailed(f"in-process sign-in as {email} answered {response.status_code}")
    return client


# --- the served app ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path
) -> Iterator[None]:
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *command,
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(port, server, log)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_healthy(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkFailed(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if http_request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise BenchmarkFailed("gunicorn did not answer /healthz within 30 s")


def http_request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        all_headers = {"Host": HOST, "User-Agent": USER_AGENT, **(headers or {})}
        conn.request(method, path, body=body or None, headers=all_headers)
        response = conn.getresponse()
        headers = dict(response.getheaders())
        headers["Set-Cookie"] = ", ".join(response.msg.get_all("Set-Cookie") or [])
        return response.status, headers, response.read()
    finally:
        conn.close()


def _session_cookie(headers: dict[str, str]) -> str:
    match = re.search(r"(?:^|,\s*)(session=[^;]+)", headers.get("Set-Cookie", ""))
    if not match:
        raise BenchmarkFailed("the server set no session cookie")
    return match.group(1)


def sign_in(port: int) -> str:
    """Sign in as the demo buyer over HTTP; return the ``session=...`` cookie."""
    status, headers, body = http_request(port, "GET", "/login")
    if status != 200:
        raise BenchmarkFailed(f"GET /login answered {status}")
    cookie = _session_cookie(headers)
    form = urllib.parse.urlencode(
        {"email": BUYER, "password": PASSWORD, "csrf_token": csrf_token(body.decode())}
    )
    status, headers, _body = http_request(
        port,
        "POST",
        "/login",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    if status != 302:
        raise BenchmarkFailed(f"POST /login answered {status}")
    return _session_cookie(headers)


# --- load ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    path: str
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    bytes_per_response: int
    errors: dict[str, int]


def run_wrk(
    port: int, path: str, cookie: str, duration: int, connections: int, threads: int, lua: Path
) -> LoadResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(lua),
        "-H",
        f"Host: {HOST}",
        "-H",
        f"Cookie: {cookie}",
        "-H",
        f"User-Agent: {USER_AGENT}",
        f"http://127.0.0.1:{port}{path}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise BenchmarkFailed(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
    values = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    requests = int(values["requests"])
    seconds = values["duration_us"] / 1e6
    return LoadResult(
        path=path,
        requests=requests,
        seconds=round(seconds, 2),
        requests_per_second=round(requests / seconds, 1),
        p50_ms=values["p50_us"] / 1000,
        p90_ms=values["p90_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        bytes_per_response=int(values["bytes"] / max(requests, 1)),
        errors={k: int(values[k]) for k in ("connect", "read", "write", "status", "timeout")},
    )
