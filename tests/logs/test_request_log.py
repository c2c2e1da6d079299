"""Each web request has an id: the caller's X-Request-ID when it is a safe token, else a
new one; it is answered in X-Request-ID and printed on the request's log lines, with the
tenant, in text or JSON, on one access line per request."""

from __future__ import annotations

import json
import re

import pytest

from channelfront import logs
from channelfront.config import ConfigError, from_environment

HEX_ID = re.compile(r"[0-9a-f]{32}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def access_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if " channelfront.access " in line]


def test_a_safe_incoming_id_is_answered_and_logged_with_the_tenant(northwind, log_lines) -> None:  # type: ignore[no-untyped-def]
    response = northwind.get("/login", headers={"X-Request-ID": "lb-7f3a.retry_2"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.retry_2"
    [line] = access_lines(log_lines())
    time, level, logger, rest = line.split(" ", 3)
    assert TIME.fullmatch(time)
    assert (level, logger) == ("INFO", "channelfront.access")
    assert re.fullmatch(
        r"request_id=lb-7f3a\.retry_2 tenant=northwind GET /login 200 \d+\.\dms", rest
    ), rest


@pytest.mark.parametrize(
    "sent",
    ["", "a" * 65, "two words", "x;rm -rf", "<script>", "caf\u00e9", "%0d%0aSet-Cookie:x"],
)
def test_an_unsafe_id_is_replaced_by_a_new_one(northwind, log_lines, sent: str) -> None:  # type: ignore[no-untyped-def]
    answered = northwind.get("/login", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert HEX_ID.fullmatch(answered)
    lines = log_lines()
    assert f"request_id={answered} " in access_lines(lines)[0]
    assert not sent or not any(sent in line for line in lines)


def test_requests_without_an_id_each_get_their_own(northwind, admin_host, log_lines) -> None:  # type: ignore[no-untyped-def]
    first = northwind.get("/login").headers["X-Request-ID"]
    second = northwind.get("/login").headers["X-Request-ID"]
    console = admin_host.get("/login").headers["X-Request-ID"]
    assert len({first, second, console}) == 3
    assert all(HEX_ID.fullmatch(found) for found in (first, second, console))
    lines = access_lines(log_lines())
    assert f"request_id={console} tenant=- GET /login 200" in lines[2], "the console: no tenant"


def test_refused_requests_are_logged_too(client_for, log_lines) -> None:  # type: ignore[no-untyped-def]
    response = client_for("nobody.localhost").get("/", headers={"X-Request-ID": "unknown-host"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "unknown-host"
    [line] = access_lines(log_lines())
    assert "request_id=unknown-host tenant=- GET / 404" in line


def test_json_lines_carry_the_same_fields(northwind, log_lines) -> None:  # type: ignore[no-untyped-def]
    logs.configure("INFO", "json")
    northwind.get("/login?next=/cart", headers={"X-Request-ID": "json-1"})
    records = [json.loads(line) for line in log_lines()]
    assert records, "no log line"
    for record in records:
        assert {"time", "level", "logger", "request_id", "tenant", "message"} <= record.keys()
    [access] = [r for r in records if r["logger"] == "channelfront.access"]
    assert TIME.fullmatch(access["time"])
    assert access["level"] == "INFO"
    assert (access["request_id"], access["tenant"]) == ("json-1", "northwind")
    assert (access["method"], access["path"], access["status"]) == ("GET", "/login", 200)
    assert isinstance(access["duration_ms"], float)
    assert "next=" not in json.dumps(access), "query strings may carry tokens: not logged"


def test_log_level_hides_the_lines_below_it(northwind, log_lines) -> None:  # type: ignore[no-untyped-def]
    logs.configure("WARNING", "text")
    northwind.get("/login")
    assert access_lines(log_lines()) == []


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("LOG_LEVEL", "verbose", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of text, json"),
    ],
)
def test_bad_log_settings_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=named):
        from_environment()


def test_log_settings_ignore_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    settings = from_environment()
    assert (settings["LOG_LEVEL"], settings["LOG_FORMAT"]) == ("WARNING", "json")
