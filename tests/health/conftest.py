"""Fixtures for health: the console signed in, a Prometheus scrape, a fake broker port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from channelfront.health import status


@pytest.fixture(autouse=True)
def _broker_answers_forgotten(clock, monkeypatch):  # type: ignore[no-untyped-def]
    """Each test asks the broker afresh; its cache runs on the test's manual clock."""
    monkeypatch.setattr(status, "clock", clock)
    status.broker_cache.clear()
    yield
    status.broker_cache.clear()


@pytest.fixture
def console(admin_host):  # type: ignore[no-untyped-def]
    """The admin host client, signed in as the demo vendor admin."""
    response = admin_host.login("admin@nimbus.example")
    assert response.status_code == 302, response.get_data(as_text=True)
    return admin_host


@pytest.fixture
def scrape(client_for) -> Callable[..., dict[tuple[str, tuple[tuple[str, str], ...]], float]]:  # type: ignore[no-untyped-def]
    """``scrape()``: every sample of ``/metrics`` (asked from loopback), keyed by its name
    and sorted labels."""

    def read(**kwargs) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:  # type: ignore[no-untyped-def]
        response = client_for("127.0.0.1:8000").get("/metrics", **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        samples = {}
        for family in text_string_to_metric_families(response.get_data(as_text=True)):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return read


class SilentBroker:
    """A loopback port that accepts connections and never says a word: counts them."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent_broker() -> Iterator[SilentBroker]:
    broker = SilentBroker()
    try:
        yield broker
    finally:
        broker.close()
