"""Every request finds its tenant by Host header, and fails closed."""

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.tenancy.hosts import CACHE_SECONDS, InvalidHost, normalize_host
from channelfront.tenancy.models import Tenant

TENANT_NAMES = ("Northwind", "Alpenhandel", "Sakura", "Nimbus")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NorthWind.LocalHost:5000", "northwind.localhost"),
        ("shop.northwind.example.", "shop.northwind.example"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_host_names_are_normalized(raw, expected):
    assert normalize_host(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "a" * 300, "bad host", "exa$mple.com", "[::1]:80", "northwind.localhost:abc", "-x-.com"],
)
def test_garbage_host_names_are_refused(raw):
    with pytest.raises(InvalidHost):
        normalize_host(raw)


def test_alias_host_and_port_reach_the_same_tenant(client_for):
    for host in ("shop.northwind.example", "NORTHWIND.localhost:5000"):
        page = client_for(host).get("/").get_data(as_text=True)
        assert "Northwind Distribution" in page


@pytest.mark.parametrize(
    "host",
    ["nobody.example", "x" * 300 + ".example", "bad host", "[::1]", "a..b", "ünknown.example"],
)
def test_unknown_or_garbage_host_gets_a_neutral_answer(client_for, host):
    response = client_for("placeholder").get("/", headers={"Host": host})
    assert response.status_code in (400, 404)
    page = response.get_data(as_text=True)
    assert not any(name in page for name in TENANT_NAMES)
    assert "<h1>" in page


def _set_status(slug: str, status: str) -> None:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    tenant.status = status
    db.session.commit()


def test_suspended_tenant_gets_a_503_page(ctx, northwind):
    _set_status("northwind", "suspended")
    response = northwind.get("/")
    assert response.status_code == 503
    assert "Northwind" not in response.get_data(as_text=True)
    assert northwind.get("/catalog").status_code == 503


def test_draft_tenant_is_not_served(ctx, sakura):
    _set_status("sakura", "draft")
    assert sakura.get("/").status_code == 404


def test_a_change_made_elsewhere_is_served_once_the_host_cache_expires(ctx, northwind, clock):
    assert northwind.get("/").status_code == 200
    # Written as another web process would, without dropping this process's cached map.
    _set_status("northwind", "suspended")
    clock.advance(CACHE_SECONDS - 1)
    assert northwind.get("/").status_code == 200
    clock.advance(2)
    assert northwind.get("/").status_code == 503
