"""Celery bound to the Flask app: eager in-process without a broker, Redis in production."""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from flask import Flask, current_app


def init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks run inside the Flask app context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("CELERY_BROKER_URL") or "memory://"
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=broker,
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=not app.config.get("CELERY_BROKER_URL"),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        broker_connection_retry_on_startup=True,
        # Beat's state goes to STATE_DIR even when started without --schedule: never into
        # the code directory (its default is the working directory).
        beat_schedule_filename=str(Path(app.config["STATE_DIR"]) / "celerybeat-schedule"),
        beat_schedule={
            "outbox-sweep": {"task": "outbox.sweep", "schedule": 30.0},
            # Statements close after their grace days; closing twice changes nothing.
            "statements-close": {"task": "statements.close_due", "schedule": 3600.0},
            # Approval steps past their due time escalate or reject the order.
            "approvals-expire": {"task": "approvals.expire_due", "schedule": 300.0},
            # Quotes past their validity expire; buyers hear 7 days and 1 day before.
            "quotes-expire": {"task": "quotes.expire_and_remind", "schedule": 3600.0},
            "deals-expire": {"task": "deals.expire", "schedule": 3600.0},
            "webhooks-retry": {"task": "webhooks.retry_due", "schedule": 30.0},
        },
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def app_task(name: str) -> Task:
    """The task bound to this Flask app's Celery.

    A shared task called directly runs on Celery's default app, which is whichever
    Flask app was created last in the process (a second app in a test or a script
    would take over the first one's tasks).
    """
    celery: Celery = current_app.extensions["celery"]
    return celery.tasks[name]
