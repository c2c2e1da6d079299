"""The app under gunicorn with the checkout's gunicorn.conf.py, behind a TLS proxy.

The proxy (a load balancer on another address, so gunicorn's own FORWARDED_ALLOW_IPS
does not cover it) sends X-Forwarded-Proto: https. With TRUSTED_PROXIES=1 the app's
links are https:// (ProxyFix); the host stays the Host header, never X-Forwarded-Host;
HSTS is sent. Without TRUSTED_PROXIES the same headers change nothing. The access log
carries the request id; a worker that dies leaves Prometheus' multiprocess directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.live import HOST, free_port, wait_for
from tests.ops.conftest import ROOT, operator_env

pytestmark = pytest.mark.slow
ELSEWHERE = "10.9.9.9"  # the load balancer's address: not this connection's


class Gunicorn:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log_path = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env={**env, "PORT": str(self.port)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for("gunicorn", self.ready, timeout=60, every=0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ready(self) -> bool:
        assert self.process.poll() is None, self.log()
        try:
            return requests.get(self.url("/healthz"), timeout=2).status_code < 500
        except requests.RequestException:
            return False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=40)


@pytest.fixture
def serve(ops_database: str, compiled_translations: Path, tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    started: list[Gunicorn] = []

    def start(**settings: str) -> Gunicorn:
        state = tmp_path / f"state{len(started)}"
        env = {
            **operator_env(ops_database, compiled_translations),
            "STATE_DIR": str(state),
            **settings,
        }
        server = Gunicorn(env, tmp_path / f"gunicorn{len(started)}.log")
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


def invoice_url(server: Gunicorn, token: str, **headers: str) -> requests.Response:
    return requests.get(
        server.url("/api/v1/invoices"),
        headers={"Host": HOST, "Authorization": f"Bearer {token}", **headers},
        timeout=30,
    )


PROXIED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-For": "203.0.113.7",
    "X-Request-ID": "req-ops-proxy-1",
}


def test_behind_a_trusted_proxy_links_are_https_on_the_host_asked_for(serve, buyer_token):
    server = serve(TRUSTED_PROXIES="1", FORWARDED_ALLOW_IPS=ELSEWHERE, GUNICORN_WORKERS="1")
    answer = invoice_url(server, buyer_token, **PROXIED)
    assert answer.status_code == 200, answer.text
    links = [item["url"] for item in answer.json()["items"]]
    assert links, "the demo buyer has invoices"
    assert all(link.startswith(f"https://{HOST}/invoices/") for link in links), links
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"

    page = requests.get(server.url("/login"), headers={"Host": HOST, **PROXIED}, timeout=30)
    assert page.status_code == 200
    assert "Secure" in page.headers["Set-Cookie"].split("; "), page.headers

    # The access log: the client as the app sees it (ProxyFix rewrote the address), the
    # forwarded chain as sent, and the request id that ties the line to the app's log.
    wait_for("the access log line", lambda: "req-ops-proxy-1" in server.log(), timeout=10)
    (line,) = [x for x in server.log().splitlines() if "GET /api/v1/invoices HTTP" in x]
    assert line.startswith('203.0.113.7 "203.0.113.7" "GET /api/v1/invoices HTTP/1.1" 200 ')
    assert line.endswith(" request_id=req-ops-proxy-1")


def test_without_trusted_proxies_forwarded_headers_change_nothing(serve, buyer_token):
    server = serve(TRUSTED_PROXIES="0", FORWARDED_ALLOW_IPS=ELSEWHERE, GUNICORN_WORKERS="1")
    answer = invoice_url(server, buyer_token, **PROXIED)
    assert answer.status_code == 200, answer.text
    links = [item["url"] for item in answer.json()["items"]]
    assert all(link.startswith(f"http://{HOST}/invoices/") for link in links), links
    assert "Strict-Transport-Security" not in answer.headers


def test_a_dead_workers_live_gauges_leave_the_multiprocess_directory(serve, tmp_path):
    metrics = tmp_path / "prometheus"
    metrics.mkdir()
    server = serve(PROMETHEUS_MULTIPROC_DIR=str(metrics), GUNICORN_WORKERS="1")
    (worker,) = server.workers()
    # What a live gauge of that worker leaves (prometheus_client names it by pid).
    gauge = metrics / f"gauge_livesum_{worker}.db"
    gauge.write_bytes(b"")
    os.kill(worker, signal.SIGKILL)
    wait_for("gunicorn's child_exit hook", lambda: not gauge.exists(), timeout=20)
    wait_for("a new worker", lambda: server.workers() not in ([], [worker]), timeout=30)
    assert (tmp_path / "state0" / "run" / "gunicorn.ctl").is_socket()
