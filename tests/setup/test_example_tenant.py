"""The shipped example manifest syncs on a database that has only the vendor."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.tenancy.models import Tenant


def test_the_example_tenant_syncs_after_setup(set_up, cli, browse, sign_in):
    assert browse("example.localhost")("GET", "/login").status_code == 404
    assert set_up().exit_code == 0
    result = cli("tenants", "sync")
    assert result.exit_code == 0, result.output
    assert "example: example.localhost" in result.output
    tenant = db.session.scalar(select(Tenant))
    assert (tenant.slug, tenant.status, tenant.vendor.slug) == ("example", "draft", "acme")
    # A draft's host answers only its sign-in pages, in its own name.
    storefront = browse("example.localhost")
    assert "Example Distribution" in storefront("GET", "/login").get_data(as_text=True)
    assert storefront("GET", "/").status_code == 404
    response, console = sign_in("ada@acme.example")
    assert response.status_code == 302
    assert "Example Distribution" in console("GET", "/admin/").get_data(as_text=True)
    again = cli("tenants", "sync")
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 1


def test_sync_before_setup_says_to_run_setup(cli):
    result = cli("tenants", "sync")
    assert result.exit_code != 0
    assert "run `flask setup` first" in result.output
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 0


def test_a_new_installation_from_setup_to_a_catalog(set_up, cli, sign_in):
    """The operator's first steps, each from the shipped files."""
    assert set_up().exit_code == 0
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    result = cli("catalog", "import", str(examples / "catalog.csv"))
    assert result.exit_code == 0, result.output
    assert cli("tenants", "sync").exit_code == 0
    response, console = sign_in("ada@acme.example")
    assert response.status_code == 302
    products = console("GET", "/admin/products").get_data(as_text=True)
    assert "VLT-STD-1Y" in products
    assert "Vault Standard (1 year)" in products
