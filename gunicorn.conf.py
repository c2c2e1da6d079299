"""gunicorn settings for Channelfront's web process, read from the environment.

``gunicorn -c gunicorn.conf.py wsgi:app`` (the Procfile's ``web``, the systemd unit).
Every setting and its default is listed in docs/operations.md; a bad value stops the
start with the variable named.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parent
# Beyond this, more processes mostly add database connections and memory: scale out
# with more web nodes instead (each worker holds up to `threads` connections).
MAX_DEFAULT_WORKERS = 8


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not low <= int(raw) <= high:
        raise SystemExit(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _cores() -> int:
    # The cores this process may run on (a container's or systemd's CPU set), not the host's.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _bind() -> list[str]:
    explicit = os.environ.get("GUNICORN_BIND", "").strip()
    if explicit:
        return [part.strip() for part in explicit.split(",") if part.strip()]
    # Loopback unless told otherwise: the TLS proxy in front is what the world talks to.
    return [f"127.0.0.1:{_whole_number('PORT', 8000, 1, 65535)}"]


STATE_DIR = Path(os.environ.get("STATE_DIR") or ROOT / "var")
# gunicorn's own files; two gunicorns on one host need separate run directories.
RUN_DIR = Path(os.environ.get("RUN_DIR") or STATE_DIR / "run")

bind = _bind()
# The app is built once, in the master, before the workers fork: a refused start (no
# SECRET_KEY, a stale catalog) stops gunicorn with one line and status 3 instead of
# failing in every worker, and workers boot in milliseconds. Code changes therefore
# need a restart, not a HUP.
preload_app = True
workers = _whole_number("GUNICORN_WORKERS", min(2 * _cores() + 1, MAX_DEFAULT_WORKERS), 1, 256)
worker_class = "gthread"
threads = _whole_number("GUNICORN_THREADS", 4, 1, 64)
timeout = _whole_number("GUNICORN_TIMEOUT", 30, 1, 3600)
graceful_timeout = _whole_number("GUNICORN_GRACEFUL_TIMEOUT", 30, 1, 3600)
# Longer than the load balancer's idle timeout, or it may reuse a connection just closed.
keepalive = _whole_number("GUNICORN_KEEPALIVE", 5, 0, 3600)

# Only these addresses may say that a request came over HTTPS (X-Forwarded-Proto);
# the app's TRUSTED_PROXIES decides the same for its own links and client addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicornc's control socket in the run directory, not the user's home; the heartbeat
# files of the workers in memory, where a slow disk cannot stall them.
control_socket = str(RUN_DIR / "gunicorn.ctl")
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(h)s "%({x-forwarded-for}i)s" "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%(request_id)s'
)


class AccessLogger(Logger):
    """The access log's ``request_id``: the X-Request-ID the app answered with, else the
    one the proxy sent, else ``-``."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["request_id"] = (
            atoms.get("{x-request-id}o") or environ.get("HTTP_X_REQUEST_ID") or "-"
        )
        return atoms


logger_class = AccessLogger


def child_exit(server: Any, worker: Any) -> None:
    """A dead worker's live gauges leave the Prometheus multiprocess directory with it."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server: Any, worker: Any) -> None:
    """A worker never shares a database connection the master may have opened."""
    import sys

    wsgi = sys.modules.get("wsgi")
    if wsgi is None:  # not preloaded: the worker builds the app itself
        return
    from channelfront.extensions import db

    with wsgi.app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
