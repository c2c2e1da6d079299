"""Where to go back to: a ``next`` taken from a form or a query string.

Browsers and Werkzeug are lenient with a Location header: a tab or a newline is
stripped ("/\\t/evil.example" becomes "//evil.example", another host), a backslash is
read as a slash, and a newline in a header is refused with a 500. So a ``next`` is
taken only when it is plainly a path on this host, checked both as sent and with its
percent-escapes decoded; anything else falls back to the caller's default.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_NEXT_LENGTH = 500


def _plain(text: str) -> bool:
    """No control, format or separator characters, no whitespace, no backslash."""
    return all(ch.isprintable() and not ch.isspace() and ch != "\\" for ch in text)


def _same_host_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_next(value: object) -> str | None:
    """``value`` when it is a path (and query) on this host to redirect to; else None.

    Refused: anything but a string, over MAX_NEXT_LENGTH, not starting with one "/",
    with a scheme or a host, or with a control character, whitespace or a backslash,
    raw or percent-encoded (``/%0A/x``, ``/%09/evil.example``, ``/%5Cevil.example``).
    """
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH:
        return None
    try:
        decoded = unquote(value, errors="strict")
    except UnicodeDecodeError:  # escapes that are not UTF-8 hide what they stand for
        return None
    if not all(_plain(text) and _same_host_path(text) for text in (value, decoded)):
        return None
    return value
