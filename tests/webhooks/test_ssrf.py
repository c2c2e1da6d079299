"""Where webhooks may go: https and public addresses in production; loopback in tests."""

from __future__ import annotations

import ipaddress

import pytest
from flask import Flask

from channelfront.webhooks.address import AddressRefused, forbidden, resolve
from channelfront.webhooks.services import EndpointInput, EndpointRefused, check

REFUSED = [
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104  (an address refused, not bound)
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
]


@pytest.mark.parametrize("address", REFUSED)
def test_private_and_special_addresses_are_refused_even_in_development(address: str) -> None:
    assert forbidden(ipaddress.ip_address(address), allow_loopback=True)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_only_where_allowed(address: str) -> None:
    assert forbidden(ipaddress.ip_address(address), allow_loopback=False)
    assert not forbidden(ipaddress.ip_address(address), allow_loopback=True)


def test_public_addresses_pass() -> None:
    assert not forbidden(ipaddress.ip_address("93.184.216.34"), allow_loopback=False)
    assert not forbidden(ipaddress.ip_address("2606:2800:220:1::1"), allow_loopback=False)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://93.184.216.34/hook", "https://"),
        ("https://10.1.2.3/hook", "private"),
        ("https://[::ffff:192.168.0.1]/hook", "private"),
        ("https://localhost/hook", "127.0.0.1"),
        ("https://user:pw@93.184.216.34/hook", "user name"),
        ("https://93.184.216.34:99999/hook", "port"),
        ("ftp://93.184.216.34/", "https://"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_production_refuses_at_save(app: Flask, production: None, url: str, why: str) -> None:
    with app.test_request_context(), pytest.raises(EndpointRefused) as refused:
        check(EndpointInput(url, ["order.placed"]))
    assert refused.value.field == "url"
    assert why in refused.value.message


def test_production_accepts_a_public_https_address(app: Flask, production: None) -> None:
    with app.test_request_context():
        target = resolve("https://93.184.216.34:8443/in?x=1", allow_loopback=False)
    assert (target.scheme, target.host, target.port) == ("https", "93.184.216.34", 8443)
    assert target.path == "/in?x=1"
    assert target.ip == "93.184.216.34"


def test_tests_allow_http_on_loopback(app: Flask) -> None:
    with app.test_request_context():
        target = resolve("http://localhost:8080/hook", allow_loopback=True)
    assert target.ip == "127.0.0.1"
    with app.test_request_context(), pytest.raises(AddressRefused):
        resolve("http://192.168.0.10/hook", allow_loopback=True)
