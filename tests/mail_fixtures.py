"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


class InboxMessage(EmailMessage):
    """A received mail; ``get_content()`` of a multipart mail is its text part."""

    def get_content(self, *args, **kw):  # type: ignore[no-untyped-def]
        if self.is_multipart():
            body = self.get_body(preferencelist=("plain",))
            if body is not None:
                return body.get_content(*args, **kw)
        return super().get_content(*args, **kw)


_POLICY = policy.default.clone(message_factory=InboxMessage)


class Inbox:
    """Collects every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server, _session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        message = message_from_bytes(envelope.content, policy=_POLICY)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def inbox(app: Flask, smtp_server: tuple[Inbox, int]) -> Iterator[Inbox]:
    """Mail from the app goes to the loopback SMTP server for this test."""
    server, port = smtp_server
    server.messages.clear()
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield server
    finally:
        app.config.update(saved)
