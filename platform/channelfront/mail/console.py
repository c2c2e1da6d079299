"""A mail as a developer reads it on the console: decoded headers, then the text part."""

from __future__ import annotations

from email.message import EmailMessage

HEADERS = ("From", "Reply-To", "To", "Subject")


def readable(message: EmailMessage) -> str:
    """Headers decoded from RFC 2047, a blank line, then the text part as plain text."""
    lines = [f"{name}: {message[name]}" for name in HEADERS if message[name] is not None]
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content() if part is not None else ""
    return "\n".join([*lines, "", text.rstrip("\n"), ""])
