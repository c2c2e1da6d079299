"""Heartbeats of the background processes.

A Celery worker writes its row (``worker:<node name>``, kind "worker") from a daemon
thread every ``HEARTBEAT_SECONDS`` while it runs, and removes it on a warm shutdown, so
a row that goes stale is a worker that died. Beat cannot write (it never touches the
database): it sends the ``health.beat`` task on the same interval with the time it sent
it, and whichever worker runs the task writes the "beat" row with that time. A beat
heartbeat is thus only seen while some worker consumes the queue.
"""

from __future__ import annotations

import logging
import threading
import weakref
from datetime import UTC, datetime

from celery import Celery, shared_task
from celery.beat import BeatLazyFunc
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from channelfront.extensions import db
from channelfront.health.models import ProcessHeartbeat
from channelfront.health.status import aware

log = logging.getLogger(__name__)
BEAT = "beat"
# Celery's signals are process-wide; each Celery app finds its own Flask app here.
_flask_apps: weakref.WeakKeyDictionary[Celery, Flask] = weakref.WeakKeyDictionary()
_running: dict[str, threading.Event] = {}


def record(name: str, kind: str, seen_at: datetime) -> None:
    """Write (or move forward) one process's heartbeat and commit."""
    for _attempt in range(2):
        row = db.session.get(ProcessHeartbeat, name)
        if row is None:
            db.session.add(ProcessHeartbeat(name=name, kind=kind, seen_at=seen_at))
        elif aware(row.seen_at) < seen_at:
            row.kind, row.seen_at = kind, seen_at
        try:
            db.session.commit()
            return
        except IntegrityError:  # the first write of two processes of the same name
            db.session.rollback()


def forget(name: str) -> None:
    db.session.execute(delete(ProcessHeartbeat).where(ProcessHeartbeat.name == name))
    db.session.commit()


def sent_now() -> str:
    """Evaluated by beat as it sends ``health.beat`` (a ``BeatLazyFunc``)."""
    return datetime.now(UTC).isoformat()


@shared_task(name="health.beat", ignore_result=True)
def beat(sent_at: str | None = None) -> None:
    """Note beat's liveness at the time beat sent this (now, when sent by hand)."""
    seen = datetime.fromisoformat(sent_at) if sent_at else datetime.now(UTC)
    record(BEAT, "beat", aware(seen))


def _beat_loop(app: Flask, name: str, stop: threading.Event) -> None:
    every = app.config.get("HEARTBEAT_SECONDS", 15)
    while not stop.is_set():
        try:
            with app.app_context():
                record(name, "worker", datetime.now(UTC))
        except Exception:  # the database may be down for a while; keep beating
            log.warning("heartbeat of %s not written", name, exc_info=True)
        stop.wait(every)


def _on_worker_ready(sender: object, **_kwargs: object) -> None:
    app = _flask_apps.get(sender.app)  # type: ignore[attr-defined]
    if app is None:
        return
    name = f"worker:{sender.hostname}"  # type: ignore[attr-defined]
    stop = _running.setdefault(name, threading.Event())
    stop.clear()
    args = (app, name, stop)
    threading.Thread(target=_beat_loop, args=args, name="heartbeat", daemon=True).start()


def _on_worker_shutdown(sender: object, **_kwargs: object) -> None:
    app = _flask_apps.get(sender.app)  # type: ignore[attr-defined]
    name = f"worker:{sender.hostname}"  # type: ignore[attr-defined]
    stop = _running.pop(name, None)
    if app is None or stop is None:
        return
    stop.set()
    try:
        with app.app_context():
            forget(name)
    except Exception:  # the row goes stale instead, as if the worker had died
        log.warning("heartbeat of %s not removed", name, exc_info=True)


def _on_child_start(**_kwargs: object) -> None:
    # The heartbeat thread gives the prefork parent pooled connections; a child forked
    # later must not share their sockets, so it forgets them (without closing them).
    for app in list(_flask_apps.values()):
        with app.app_context():
            db.engine.dispose(close=False)


def init_app(app: Flask) -> None:
    """Beat sends ``health.beat``; this app's workers start their heartbeat when ready."""
    celery: Celery = app.extensions["celery"]
    _flask_apps[celery] = app
    celery.conf.beat_schedule["health.beat"] = {
        "task": "health.beat",
        "schedule": float(app.config.get("HEARTBEAT_SECONDS", 15)),
        "kwargs": {"sent_at": BeatLazyFunc(sent_now)},
        # Sent while no worker runs, they would pile up; one older than this says nothing.
        "options": {"expires": app.config.get("HEARTBEAT_STALE_SECONDS", 60)},
    }
    worker_ready.connect(_on_worker_ready, weak=False, dispatch_uid="channelfront.heartbeat")
    worker_shutdown.connect(_on_worker_shutdown, weak=False, dispatch_uid="channelfront.shutdown")
    worker_process_init.connect(_on_child_start, weak=False, dispatch_uid="channelfront.child")
