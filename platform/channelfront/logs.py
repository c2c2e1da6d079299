"""One logging setup for the web, worker and beat processes.

Every line says when (UTC), how bad, which logger, which request and which tenant:
plain text by default, one JSON object a line with ``LOG_FORMAT=json``; the least
level is ``LOG_LEVEL``. Lines go to standard error.

A web request takes its id from an ``X-Request-ID`` header when that is a safe token,
else makes one, and answers with it. The id follows the work the request starts: it is
written on the outbox messages the request adds, travels in the headers of the Celery
tasks it sends, and is set again in the worker while a task (or a message's handler)
runs. A task sent by no request (beat's) goes by its own task id.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from celery import signals
from flask import Flask, g, has_app_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wrappers import Response

from channelfront.tenancy.scoping import active_tenant_id

HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s tenant=%(tenant)s %(message)s"
)
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(tenant)s %(message)s"
JSON_NAMES = {"asctime": "time", "levelname": "level", "name": "logger"}

access_log = logging.getLogger("channelfront.access")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_task_tokens: dict[str, Token[str | None]] = {}
# Tenant id to slug, learnt from requests and from every Tenant row loaded; a log line
# must never query the database.
_slugs: dict[int, str] = {}
_state: dict[str, Any] = {"handler": None, "settings": ("INFO", "text")}


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for, if any."""
    return _request_id.get()


def accepted_request_id(raw: str | None) -> str:
    """The caller's id when it is a safe token (at most 64 of A-Z a-z 0-9 . _ -), else a new one."""
    if raw and _SAFE_ID.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


@contextmanager
def request_id_scope(value: str | None) -> Iterator[None]:
    """Run a block under this request id (an outbox message's); None keeps the current one."""
    if not value:
        yield
        return
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)


def remember_tenant(tenant_id: int, slug: str) -> None:
    _slugs[tenant_id] = slug


def _tenant_label() -> str:
    tenant_id = active_tenant_id()
    if tenant_id is None:
        return "-"
    slug = _slugs.get(tenant_id)
    if slug is None and has_app_context():
        info = g.get("tenant")
        if info is not None and info.id == tenant_id:
            slug = _slugs[tenant_id] = info.slug
    return slug or f"#{tenant_id}"


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``tenant`` (slug) to every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        if not hasattr(record, "tenant"):
            record.tenant = _tenant_label()
        return True


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn and pytest replace it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        return


def _formatter(fmt: str) -> logging.Formatter:
    formatter: logging.Formatter
    if fmt == "json":
        formatter = JsonFormatter(JSON_FIELDS, rename_fields=JSON_NAMES)
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatter.default_msec_format = "%s.%03dZ"
    return formatter


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Send every logger's lines through one handler on the root logger (idempotent)."""
    root = logging.getLogger()
    previous = _state["handler"]
    if previous is not None:
        root.removeHandler(previous)
    handler = _Stderr()
    handler.addFilter(ContextFilter())
    handler.setFormatter(_formatter(fmt))
    root.addHandler(handler)
    root.setLevel(level)
    # Flask's own handler on the app's logger would write our lines a second time.
    logging.getLogger("channelfront").removeHandler(default_handler)
    _state.update(handler=handler, settings=(level, fmt))


def _start_request() -> None:
    request_id = accepted_request_id(request.headers.get(HEADER))
    g.request_id = request_id
    g.request_started = time.perf_counter()
    _request_id.set(request_id)


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[HEADER] = request_id
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else 0.0
    # The path without its query string, which may carry tokens.
    fields = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": duration,
    }
    access_log.info("%(method)s %(path)s %(status)s %(duration_ms)sms", fields, extra=fields)
    return response


def _end_request(_exc: BaseException | None) -> None:
    _request_id.set(None)


def _on_publish(headers: dict[str, Any] | None = None, **_kw: Any) -> None:
    """A task sent while a request (or task) runs carries its id."""
    request_id = _request_id.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


def _on_prerun(task_id: str | None = None, task: Any = None, **_kw: Any) -> None:
    context = getattr(task, "request", None)
    found = getattr(context, "request_id", None) or (getattr(context, "headers", None) or {}).get(
        "request_id"
    )
    if not found and getattr(context, "is_eager", False):
        found = _request_id.get()  # run in place: the caller's request goes on
    if task_id:
        _task_tokens[task_id] = _request_id.set(found or task_id)


def _on_postrun(task_id: str | None = None, **_kw: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        try:
            _request_id.reset(token)
        except ValueError:  # set in another context: leave nothing behind
            _request_id.set(None)


def _on_celery_logging(**_kw: Any) -> None:
    """Worker and beat: our setup, not Celery's (which would replace the root handler)."""
    configure(*_state["settings"])


def _on_tenant_loaded(target: Any, *_args: Any) -> None:
    # Only what the load brought: reading an expired attribute here would query again.
    loaded = target.__dict__
    if loaded.get("id") is not None and loaded.get("slug"):
        remember_tenant(loaded["id"], loaded["slug"])


def _connect_signals() -> None:
    from sqlalchemy import event

    from channelfront.tenancy.models import Tenant

    for signal, receiver in (
        (signals.before_task_publish, _on_publish),
        (signals.task_prerun, _on_prerun),
        (signals.task_postrun, _on_postrun),
        (signals.setup_logging, _on_celery_logging),
    ):
        signal.connect(receiver, weak=False, dispatch_uid=f"channelfront.logs.{receiver.__name__}")
    for name in ("load", "refresh"):
        if not event.contains(Tenant, name, _on_tenant_loaded):
            event.listen(Tenant, name, _on_tenant_loaded)


def init_app(app: Flask) -> None:
    """Configure logging from LOG_LEVEL and LOG_FORMAT; request ids and the access log."""
    configure(app.config.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "text"))
    _connect_signals()
    # Registered first, so the id is set before the tenant is resolved and the access
    # line is written after every other after_request hook.
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
