"""Vendor admins set a storefront's sender and support addresses on the console."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant


@pytest.fixture
def console(admin_host):  # type: ignore[no-untyped-def]
    response = admin_host.login("admin@nimbus.example")
    assert response.status_code == 302
    return admin_host


@pytest.fixture
def northwind_id(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(Tenant.id).where(Tenant.slug == "northwind"))


def read(app, statement):  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.execute(statement).all()


def post(console, tenant_id: int, **data: str):  # type: ignore[no-untyped-def]
    token = console.csrf_token(f"/admin/tenants/{tenant_id}")
    return console.post(f"/admin/tenants/{tenant_id}/mail", data={**data, "csrf_token": token})


def addresses(app, tenant_id: int):  # type: ignore[no-untyped-def]
    return read(app, select(Tenant.mail_sender, Tenant.support_email).where(Tenant.id == tenant_id))


def test_a_vendor_admin_sets_both_addresses_and_it_is_audited(app, console, northwind_id) -> None:
    page = console.get(f"/admin/tenants/{northwind_id}").get_data(as_text=True)
    assert 'id="mail"' in page
    response = post(
        console,
        northwind_id,
        mail_sender="orders@northwind.example",
        support_email="help@nw.example",
    )
    assert response.status_code == 302
    assert addresses(app, northwind_id) == [("orders@northwind.example", "help@nw.example")]
    events = read(
        app,
        select(AuditEvent.before, AuditEvent.after).where(
            AuditEvent.action == "tenant.mail_addresses_changed"
        ),
    )
    assert events == [
        (
            {"mail_sender": None, "support_email": None},
            {"mail_sender": "orders@northwind.example", "support_email": "help@nw.example"},
        )
    ]
    # Emptied again: the deployment defaults apply.
    assert post(console, northwind_id, mail_sender="", support_email="").status_code == 302
    assert addresses(app, northwind_id) == [(None, None)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mail_sender", "not an address"),
        ("support_email", "help@"),
        ("mail_sender", "a@b.example\r\nBcc: x@y.example"),
        ("support_email", "x" * 250 + "@a.example"),
    ],
)
def test_a_bad_address_is_refused_by_name_and_nothing_is_written(
    app, console, northwind_id, field: str, value: str
) -> None:
    other = "support_email" if field == "mail_sender" else "mail_sender"
    response = post(console, northwind_id, **{field: value, other: "ok@example.com"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "error-summary" in page
    assert f'id="{field}-mail"' in page
    assert addresses(app, northwind_id) == [(None, None)]


def test_a_foreign_or_unknown_tenant_is_not_found(console) -> None:
    assert post(console, 999_999, mail_sender="a@b.example", support_email="").status_code == 404
