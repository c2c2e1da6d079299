"""Heartbeats: beat's is written by the ``health.beat`` task with the time beat sent it,
and a process whose last heartbeat is older than the limit (60 s) is stale.

A real worker writing its own heartbeat is in ``test_live_workers.py`` (slow)."""

from datetime import UTC, datetime, timedelta

from celery.beat import Scheduler
from sqlalchemy import select

from channelfront.celery_app import app_task
from channelfront.extensions import db
from channelfront.health import heartbeat, status
from channelfront.health.models import ProcessHeartbeat


def rows() -> dict[str, tuple[str, datetime]]:
    found = db.session.scalars(select(ProcessHeartbeat)).all()
    return {row.name: (row.kind, status.aware(row.seen_at)) for row in found}


def test_beat_sends_its_send_time_and_a_worker_records_it(app, ctx):
    celery = app.extensions["celery"]
    entry = celery.conf.beat_schedule["health.beat"]
    assert entry["schedule"] == 15.0
    before = datetime.now(UTC)
    # Beat's own sending code, as `celery beat` runs it (no broker here: the task runs now).
    scheduler = Scheduler(app=celery, lazy=True)
    scheduler.apply_async(scheduler.Entry(name="health.beat", app=celery, **entry))
    after = datetime.now(UTC)
    kind, seen = rows()["beat"]
    assert kind == "beat"
    assert before <= seen <= after


def test_a_late_beat_message_is_recorded_with_the_time_beat_sent_it(app, ctx):
    sent = datetime.now(UTC) - timedelta(seconds=45)
    app_task("health.beat").delay(sent_at=sent.isoformat())
    assert rows()["beat"] == ("beat", sent)
    [beat] = [p for p in status.processes() if p.kind == "beat"]
    assert 45 <= beat.age_seconds < 50
    assert not beat.stale

    # An even older message handled after it does not move the heartbeat back.
    app_task("health.beat").delay(sent_at=(sent - timedelta(seconds=30)).isoformat())
    assert rows()["beat"] == ("beat", sent)


def test_processes_older_than_sixty_seconds_are_stale(app, ctx):
    now = datetime.now(UTC)
    heartbeat.record("worker:celery@fresh", "worker", now - timedelta(seconds=14))
    heartbeat.record("worker:celery@edge", "worker", now - timedelta(seconds=60))
    heartbeat.record("worker:celery@gone", "worker", now - timedelta(seconds=61))
    heartbeat.record("beat", "beat", now - timedelta(minutes=10))
    found = {p.name: p for p in status.processes(now)}
    assert [p.name for p in status.processes(now)] == [
        "beat",
        "worker:celery@edge",
        "worker:celery@fresh",
        "worker:celery@gone",
    ]
    assert {name: p.stale for name, p in found.items()} == {
        "beat": True,
        "worker:celery@edge": False,
        "worker:celery@fresh": False,
        "worker:celery@gone": True,
    }
    assert found["worker:celery@gone"].age_seconds == 61
    assert found["worker:celery@fresh"].as_json()["age_seconds"] == 14


def test_the_stale_limit_is_a_setting(app, ctx, monkeypatch):
    now = datetime.now(UTC)
    heartbeat.record("worker:celery@slow", "worker", now - timedelta(seconds=100))
    monkeypatch.setitem(app.config, "HEARTBEAT_STALE_SECONDS", 120)
    [slow] = [p for p in status.processes(now) if p.name == "worker:celery@slow"]
    assert not slow.stale


def test_a_heartbeat_moves_forward_in_place(app, ctx):
    now = datetime.now(UTC)
    heartbeat.record("worker:celery@one", "worker", now - timedelta(seconds=30))
    heartbeat.record("worker:celery@one", "worker", now)
    assert rows()["worker:celery@one"] == ("worker", now)
    heartbeat.forget("worker:celery@one")
    assert "worker:celery@one" not in rows()
