"""Sending e-mail: SMTP in production and tests, the console for ``make run``.

Every mail is multipart/alternative: the text body as given, and an HTML part made
from it in the storefront's mail layout (see :mod:`channelfront.mail.compose`).
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app
from flask_babel import get_locale

from channelfront.mail import smtp
from channelfront.mail.brand import brand_of
from channelfront.mail.compose import html_body
from channelfront.mail.console import readable


def _language(locale: str | None) -> str:
    if locale:
        return locale
    current = get_locale()
    return str(current) if current is not None else "en"


def build(
    to: list[str],
    subject: str,
    body: str,
    *,
    reseller: str | None = None,
    locale: str | None = None,
) -> EmailMessage:
    """The message as it is sent, with the brand's sender, reply address and HTML part."""
    brand = brand_of(reseller)
    message = EmailMessage()
    message["From"] = brand.sender
    if brand.reply_to:
        message["Reply-To"] = brand.reply_to
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    message.add_alternative(html_body(body, subject, brand, _language(locale)), subtype="html")
    return message


def send(
    to: list[str],
    subject: str,
    body: str,
    *,
    reseller: str | None = None,
    locale: str | None = None,
) -> None:
    """Send a message to each address; ``reseller`` brands mail to an end customer."""
    config = current_app.config
    message = build(to, subject, body, reseller=reseller, locale=locale)
    if config["MAIL_BACKEND"] == "console":
        print(readable(message), flush=True)
        return
    smtp.deliver(config, message)
