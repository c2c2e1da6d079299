"""Sending e-mail: SMTP in production and tests, the console for ``make run``."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send(to: list[str], subject: str, body: str) -> None:
    """Send a plain-text message to each address."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    if config["MAIL_BACKEND"] == "console":
        log.warning("e-mail (console backend)\n%s", message.as_string())
        print(message.as_string(), flush=True)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        smtp.send_message(message)
