"""Handing a message to the SMTP server: plain, STARTTLS or implicit TLS, with a login.

``MAIL_USE_TLS`` upgrades the connection with STARTTLS (usually port 587);
``MAIL_USE_SSL`` speaks TLS from the first byte (usually port 465). Either way the
server's certificate is checked against ``MAIL_SERVER`` with the system's trusted
authorities, or only those of ``MAIL_CA_FILE`` when it is set (a private CA). A
refused login or a broken connection raises :class:`MailNotSent`, whose message
names the server and the user, never the password; the outbox keeps the mail
pending and sends it again.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)


class MailNotSent(RuntimeError):
    """The SMTP server did not take the message; it will be tried again."""


def tls_context(config: Mapping[str, Any]) -> ssl.SSLContext:
    """A client context that checks the server's certificate and host name."""
    return ssl.create_default_context(cafile=config.get("MAIL_CA_FILE") or None)


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    host, port = str(config["MAIL_SERVER"]), int(config["MAIL_PORT"])
    timeout = float(config.get("MAIL_TIMEOUT") or 10)
    if config.get("MAIL_USE_SSL"):
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(config))
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if config.get("MAIL_USE_TLS"):
        try:
            smtp.starttls(context=tls_context(config))
        except BaseException:
            smtp.close()
            raise
    return smtp


def deliver(config: Mapping[str, Any], message: EmailMessage) -> None:
    """Send one message through MAIL_SERVER, logging in when MAIL_USERNAME is set."""
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    username = str(config.get("MAIL_USERNAME") or "")
    try:
        with _connect(config) as smtp:
            if username:
                smtp.login(username, str(config.get("MAIL_PASSWORD") or ""))
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        answer = exc.smtp_error
        if isinstance(answer, bytes):
            answer = answer.decode("utf-8", "replace")
        reason = f"{where} refused the login of {username!r}: {exc.smtp_code} {answer}"
        log.error("mail not sent: %s (check MAIL_USERNAME and MAIL_PASSWORD)", reason)
        raise MailNotSent(reason) from exc
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        reason = f"{where}: {type(exc).__name__}: {exc}"
        log.error("mail not sent: %s", reason)
        raise MailNotSent(reason) from exc
    log.info("mail sent through %s", where)
