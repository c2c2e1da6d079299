"""One HTTP POST of a webhook, to the address that was checked (pinned), with a timeout."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from channelfront.webhooks.address import Target

HEAD_BYTES = 500
USER_AGENT = "Channelfront-Webhooks/1.0"


@dataclass(frozen=True)
class Answer:
    """What came back: a status code and the body's first bytes, or what went wrong."""

    status_code: int | None
    duration_ms: int
    head: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to ``ip``; the Host header still names the URL's host."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """Connects to ``ip``; TLS checks the certificate against the URL's host name."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_ip = ip

    def connect(self) -> None:
        raw = socket.create_connection((self.pinned_ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST ``body``; never raises for network trouble (it is the answer's ``error``)."""
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target.host, target.port, target.ip, timeout)
    started = time.monotonic()
    all_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **headers,
    }
    try:
        connection.request("POST", target.path, body=body, headers=all_headers)
        response = connection.getresponse()
        head = response.read(HEAD_BYTES)
        status, error = response.status, None
    except TimeoutError:
        status, head, error = None, b"", f"No answer within {timeout:g} s."
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        status, head, error = None, b"", f"{type(exc).__name__}: {exc}"[:300]
    finally:
        connection.close()
    duration = int((time.monotonic() - started) * 1000)
    return Answer(status, duration, head.decode("utf-8", "replace") or None, error)
