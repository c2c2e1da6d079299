"""Mail through an SMTP server that wants TLS and a login, as hosted mail services do:
aiosmtpd on loopback with STARTTLS and AUTH required, or TLS from the first byte, and
a certificate made for the test by the ``openssl`` command line."""

from __future__ import annotations

import logging
import socket
import ssl
import subprocess
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask
from sqlalchemy import select

from channelfront import create_app
from channelfront.config import ConfigError
from channelfront.extensions import db, limiter
from channelfront.mail.services import send
from channelfront.mail.smtp import MailNotSent
from channelfront.outbox.models import OutboxMessage
from channelfront.outbox.tasks import deliver
from tests.mail_fixtures import Inbox

USER, PASSWORD = "mailer@channelfront.example", "correct horse battery staple"
RESETTER = "buyer@bluebird.example"
SELF_SIGNED = (
    "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost"
)


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """Each test asks for a reset link: never against another test's count."""
    limiter.reset()
    yield
    limiter.reset()


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, as a private mail relay might have."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", *SELF_SIGNED.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


class TlsInbox(Inbox):
    """An inbox that also notes whether each mail came over TLS from a signed-in user."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[bool, bool]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.sessions.append((encrypted, bool(session.authenticated)))
        return await super().handle_DATA(server, session, envelope)


def authenticator(_server, _session, _envelope, _mechanism, auth_data: Any) -> AuthResult:  # type: ignore[no-untyped-def]
    genuine = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=genuine, handled=False)


class ImplicitTlsController(Controller):
    """aiosmtpd counts only STARTTLS as TLS for AUTH; on a TLS socket, allow it and
    silence its warning about AUTH without TLS (the whole connection is TLS)."""

    def factory(self):  # type: ignore[no-untyped-def]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_tls(certificate: Certificate) -> Iterator[Callable[..., tuple[TlsInbox, int]]]:
    """``smtp_tls(implicit=False)``: a server requiring STARTTLS and AUTH, or one that
    speaks TLS from the first byte (``implicit=True``) and requires AUTH."""
    started: list[Controller] = []

    def start(*, implicit: bool = False) -> tuple[TlsInbox, int]:
        inbox, port = TlsInbox(), _free_port()
        if implicit:
            controller: Controller = ImplicitTlsController(
                inbox, hostname="127.0.0.1", port=port,
                ssl_context=certificate.server_context(),
                auth_required=True, auth_require_tls=False, authenticator=authenticator,
            )  # fmt: skip
        else:
            controller = Controller(
                inbox, hostname="127.0.0.1", port=port,
                tls_context=certificate.server_context(), require_starttls=True,
                auth_required=True, auth_require_tls=True, authenticator=authenticator,
            )  # fmt: skip
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def mail_settings(app: Flask, monkeypatch: pytest.MonkeyPatch, certificate: Certificate):  # type: ignore[no-untyped-def]
    """``mail_settings(port, **settings)``: the app mails through that loopback port."""

    def use(port: int, **settings: object) -> None:
        values = {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USERNAME": USER,
            "MAIL_PASSWORD": PASSWORD,
            "MAIL_USE_TLS": True,
            "MAIL_USE_SSL": False,
            "MAIL_CA_FILE": str(certificate.cert),
            "MAIL_TIMEOUT": 5,
            **settings,
        }
        for name, value in values.items():
            monkeypatch.setitem(app.config, name, value)

    return use


def ask_for_reset(northwind) -> None:  # type: ignore[no-untyped-def]
    token = northwind.csrf_token("/password/forgot")
    response = northwind.post("/password/forgot", data={"email": RESETTER, "csrf_token": token})
    assert response.status_code == 200, "the page never depends on the mail server"


def reset_mail(app: Flask) -> OutboxMessage:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == "mail.account")
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None
        assert message.payload["to"] == RESETTER
        db.session.expunge(message)
        return message


def test_mail_goes_out_over_starttls_with_the_right_login(
    app, northwind, smtp_tls, mail_settings
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_tls()
    mail_settings(port)
    ask_for_reset(northwind)
    [mail] = inbox.to(RESETTER)
    assert "password" in mail["Subject"].lower()
    assert inbox.sessions == [(True, True)], "over TLS, signed in"
    assert reset_mail(app).done_at is not None


def test_a_wrong_password_fails_visibly_and_the_outbox_sends_the_mail_later(
    app, northwind, smtp_tls, mail_settings, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_tls()
    mail_settings(port, MAIL_PASSWORD="not the password")
    with caplog.at_level(logging.ERROR, logger="channelfront.mail.smtp"):
        ask_for_reset(northwind)
    assert inbox.messages == []
    pending = reset_mail(app)
    assert (pending.done_at, pending.attempts) == (None, 1)
    assert f"127.0.0.1:{port} refused the login of '{USER}': 535" in caplog.text
    assert "not the password" not in caplog.text

    # The operator fixes the password; the next sweep (here: the task it sends) delivers.
    mail_settings(port)
    with app.app_context():
        deliver.run(pending.id)
    assert len(inbox.to(RESETTER)) == 1
    done = reset_mail(app)
    assert (done.done_at is not None, done.attempts) == (True, 2)


def test_mail_goes_out_over_implicit_tls(app, smtp_tls, mail_settings) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_tls(implicit=True)
    mail_settings(port, MAIL_USE_TLS=False, MAIL_USE_SSL=True)
    with app.app_context():
        send(["ops@example.com"], "Implicit TLS", "Sent over port 465's kind of TLS.")
    [mail] = inbox.to("ops@example.com")
    assert mail["Subject"] == "Implicit TLS"
    assert inbox.sessions == [(True, True)]


@pytest.mark.parametrize("implicit", [False, True])
def test_a_certificate_nobody_vouches_for_is_refused(
    app, smtp_tls, mail_settings, implicit: bool
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_tls(implicit=implicit)
    mail_settings(port, MAIL_CA_FILE="", MAIL_USE_TLS=not implicit, MAIL_USE_SSL=implicit)
    with app.app_context(), pytest.raises(MailNotSent, match="CERTIFICATE_VERIFY_FAILED"):
        send(["ops@example.com"], "Untrusted", "Never sent.")
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"MAIL_USE_TLS": True, "MAIL_USE_SSL": True}, "exclude each other"),
        ({"MAIL_USERNAME": USER, "MAIL_PASSWORD": PASSWORD}, "in clear"),
    ],
)
def test_unsafe_mail_settings_stop_the_start(settings: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        create_app({"TESTING": True, **settings})


def test_a_flag_that_is_not_true_or_false_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_USE_TLS", "maybe")
    with pytest.raises(ConfigError, match="MAIL_USE_TLS must be true or false"):
        create_app({"TESTING": True})
