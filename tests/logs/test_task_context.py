"""A request's id follows the work it starts: written on its outbox messages, carried to
the Celery task that delivers each one (here eager, in process; tests/logs/
test_worker_logs.py runs a real worker), and set again when a message is sent later."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.extensions import db, limiter
from channelfront.outbox.models import OutboxMessage
from channelfront.outbox.services import dispatch

RESETTER = "buyer@bluebird.example"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """Each test asks for a reset link: never against another test's count."""
    limiter.reset()
    yield
    limiter.reset()


def ask_for_reset(client, request_id: str) -> None:  # type: ignore[no-untyped-def]
    token = client.csrf_token("/password/forgot")
    response = client.post(
        "/password/forgot",
        data={"email": RESETTER, "csrf_token": token},
        headers={"X-Request-ID": request_id},
    )
    assert response.status_code == 200


def reset_message(app: Flask) -> OutboxMessage:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == "mail.account")
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None
        db.session.expunge(message)
        return message


def lines_of(lines: list[str], logger: str, text: str) -> list[str]:
    return [line for line in lines if f" {logger} " in line and text in line]


def test_a_request_id_follows_its_mail_through_the_outbox(app, northwind, inbox, log_lines) -> None:  # type: ignore[no-untyped-def]
    ask_for_reset(northwind, "reset-42")
    assert len(inbox.to(RESETTER)) == 1
    assert reset_message(app).request_id == "reset-42"
    lines = log_lines()
    [sent] = lines_of(lines, "channelfront.mail.smtp", "mail sent through")
    assert "request_id=reset-42 tenant=northwind " in sent
    [task] = lines_of(lines, "celery.app.trace", "outbox.deliver")
    assert "succeeded" in task
    assert "request_id=reset-42 " in task


def test_a_message_sent_later_goes_by_the_id_of_the_request_that_wrote_it(
    app, northwind, inbox, log_lines, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # nothing listens: the mail waits
    ask_for_reset(northwind, "reset-43")
    [failed] = lines_of(log_lines(), "channelfront.mail.smtp", "mail not sent")
    assert "ERROR" in failed
    assert "request_id=reset-43 tenant=northwind " in failed

    # The mail server is back; the sweep (beat, no request) sends the message again.
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    pending = reset_message(app)
    assert pending.done_at is None
    with app.app_context():
        assert dispatch([pending.id]) == 1
    assert len(inbox.to(RESETTER)) == 1
    lines = log_lines()
    [sent] = lines_of(lines, "channelfront.mail.smtp", "mail sent through")
    assert "request_id=reset-43 tenant=northwind " in sent
    [task] = lines_of(lines, "celery.app.trace", "outbox.deliver")
    assert "request_id=reset-43 " in task


def test_work_no_request_started_goes_by_its_task_id(app, northwind, inbox, log_lines) -> None:  # type: ignore[no-untyped-def]
    ask_for_reset(northwind, "reset-44")
    with app.app_context():
        message = db.session.get(OutboxMessage, reset_message(app).id)
        message.request_id, message.done_at = None, None
        db.session.commit()
        log_lines()
        dispatch([message.id])
    [sent] = lines_of(log_lines(), "channelfront.mail.smtp", "mail sent through")
    found = re.search(r"request_id=(\S+) tenant=northwind ", sent)
    assert found
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", found[1])
