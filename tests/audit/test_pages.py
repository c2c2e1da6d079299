"""Who reads which events on /company/audit, /partners/audit and /admin/audit; filters; CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from tests.audit.conftest import company_id, tenant_id

# label: (tenant, company, action, actor, day)
EVENTS = {
    "bluebird-northwind": (
        "northwind",
        "Bluebird IT",
        "enrollment.credit_limit_changed",
        "admin@northwind.example",
        1,
    ),
    "bluebird-alpenhandel": (
        "alpenhandel",
        "Bluebird IT",
        "enrollment.program_changed",
        "admin@alpenhandel.example",
        2,
    ),
    "bluebird-everywhere": (None, "Bluebird IT", "user.role_changed", "admin@bluebird.example", 3),
    "bluebird-sakura": ("sakura", "Bluebird IT", "enrollment.removed", "admin@nimbus.example", 4),
    "otter-northwind": (
        "northwind",
        "Otter Ltd",
        "enrollment.credit_limit_changed",
        "admin@northwind.example",
        5,
    ),
    "kirin-sakura": ("sakura", "Kirin Systems", "invoice.marked_paid", "admin@nimbus.example", 6),
    "northwind-rules": ("northwind", None, "program_rule.added", "admin@nimbus.example", 7),
    "alpenhandel-rules": ("alpenhandel", None, "program_rule.added", "admin@nimbus.example", 8),
    "vendor-only": (None, None, "company.created", "admin@nimbus.example", 9),
}
ALL = set(EVENTS)


@pytest.fixture
def logged(ctx) -> None:  # type: ignore[no-untyped-def]
    """Otter Ltd enrolled on northwind, and one event of each kind of reader's wall (Nov 2026)."""
    otter = Company(name="Otter Ltd", country="GB")
    db.session.add(otter)
    db.session.flush()
    gold = db.session.scalar(
        select(Program).where(Program.tenant_id == tenant_id("northwind"), Program.slug == "gold")
    )
    db.session.add(
        Enrollment(
            tenant_id=gold.tenant_id, company_id=otter.id, program_id=gold.id, credit_limit_minor=1
        )
    )
    for label, (tenant, company, action, actor, day) in EVENTS.items():
        user = db.session.scalar(select(User).where(User.email == actor))
        event = record(
            action,
            otter,
            label=label,
            before={"credit_limit": {"minor": 100_000, "currency": "USD"}, "role": "buyer"},
            after={"credit_limit": {"minor": 250_000, "currency": "USD"}, "role": "approver"},
            tenant_id=tenant_id(tenant) if tenant else None,
            company_id=company_id(company) if company else None,
            actor=user,
        )
        event.at = datetime(2026, 11, day, 12, tzinfo=UTC)
    db.session.commit()


def seen(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    return {label for label in EVENTS if f": {label}<" in html}


def signed_in(client_for, host: str, email: str):  # type: ignore[no-untyped-def]
    client = client_for(host)
    assert client.login(email).status_code == 302
    return client


def test_a_company_admin_reads_their_company_on_its_storefronts_only(logged, client_for):
    admin = signed_in(client_for, "northwind.localhost", "admin@bluebird.example")
    mine = {"bluebird-northwind", "bluebird-alpenhandel", "bluebird-everywhere"}
    assert seen(admin.get("/company/audit")) == mine
    elsewhere = signed_in(client_for, "alpenhandel.localhost", "admin@bluebird.example")
    assert seen(elsewhere.get("/company/audit")) == mine


def test_a_distributor_admin_reads_their_tenant_only(logged, client_for):
    admin = signed_in(client_for, "northwind.localhost", "admin@northwind.example")
    expected = {"bluebird-northwind", "otter-northwind", "northwind-rules"}
    assert seen(admin.get("/partners/audit")) == expected
    other = signed_in(client_for, "alpenhandel.localhost", "admin@alpenhandel.example")
    assert seen(other.get("/partners/audit")) == {"bluebird-alpenhandel", "alpenhandel-rules"}


def test_a_vendor_admin_reads_everything(logged, console):
    assert seen(console.get("/admin/audit")) == ALL


@pytest.mark.parametrize(
    ("host", "email", "path"),
    [
        ("northwind.localhost", "buyer@bluebird.example", "/company/audit"),
        ("northwind.localhost", "approver@bluebird.example", "/company/audit"),
        ("northwind.localhost", "admin@northwind.example", "/company/audit"),
        ("northwind.localhost", "finance@northwind.example", "/partners/audit"),
        ("northwind.localhost", "partners@northwind.example", "/partners/audit"),
        ("northwind.localhost", "admin@bluebird.example", "/partners/audit"),
    ],
)
def test_other_roles_get_403(logged, client_for, host, email, path):
    client = signed_in(client_for, host, email)
    assert client.get(path).status_code == 403
    assert client.get(f"{path}?format=csv").status_code == 403


def test_vendor_ops_get_403_and_pages_stay_on_their_hosts(ctx, console, client_for):
    ops = User(
        email="ops@nimbus.example",
        name="Ops",
        password_hash=db.session.scalar(
            select(User.password_hash).where(User.email == "admin@nimbus.example")
        ),
        kind="vendor",
        role="vendor_ops",
    )
    db.session.add(ops)
    db.session.commit()
    assert (
        signed_in(client_for, "admin.localhost", "ops@nimbus.example")
        .get("/admin/audit")
        .status_code
        == 403
    )
    assert console.get("/company/audit").status_code == 404
    assert console.get("/partners/audit").status_code == 404
    assert client_for("northwind.localhost").get("/company/audit").status_code == 302


def test_filters(logged, console):
    assert seen(console.get("/admin/audit?from=2026-11-03&to=2026-11-05")) == {
        "bluebird-everywhere",
        "bluebird-sakura",
        "otter-northwind",
    }
    assert seen(console.get("/admin/audit?action=program_rule.added")) == {
        "northwind-rules",
        "alpenhandel-rules",
    }
    assert seen(console.get("/admin/audit?actor=NORTHWIND")) == {
        "bluebird-northwind",
        "otter-northwind",
    }
    assert seen(console.get("/admin/audit?actor=%25")) == set()
    assert seen(console.get("/admin/audit?subject=company")) == ALL
    assert seen(console.get("/admin/audit?subject=invoice")) == set()


def test_filters_keep_to_the_readers_wall(logged, client_for):
    admin = signed_in(client_for, "northwind.localhost", "admin@bluebird.example")
    assert seen(admin.get("/company/audit?action=enrollment.credit_limit_changed")) == {
        "bluebird-northwind"
    }


def test_newest_first_and_paged(logged, console, app):
    html = console.get("/admin/audit").get_data(as_text=True)
    order = [label for label in re.findall(r": ([a-z-]+)<", html) if label in EVENTS]
    assert order == sorted(EVENTS, key=lambda label: -EVENTS[label][4])
    assert "Page 1 of" not in html
    app.config["AUDIT_PAGE_SIZE"] = 4
    try:
        first = console.get("/admin/audit?actor=nimbus")
        assert "Page 1 of 2" in first.get_data(as_text=True)
        assert len(seen(first)) == 4
        second = console.get("/admin/audit?actor=nimbus&page=2")
        assert seen(first) | seen(second) == {k for k, v in EVENTS.items() if "nimbus" in v[3]}
    finally:
        del app.config["AUDIT_PAGE_SIZE"]


def test_changes_read_as_before_and_after(logged, client_for):
    admin = signed_in(client_for, "northwind.localhost", "admin@bluebird.example")
    html = admin.get("/company/audit").get_data(as_text=True)
    assert "Credit limit changed" in html
    assert (
        '<span class="change-before">$1,000.00</span> → <span class="change-after">$2,500.00</span>'
        in html
    )
    assert (
        '<span class="change-before">Buyer</span> → <span class="change-after">Approver</span>'
        in html
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-11-05&to=2026-11-01", "to"),
        ("action=user.exploded", "action"),
        ("subject=tenant", "subject"),
        ("actor=" + "x" * 255, "actor"),
        ("actor=%00", "actor"),
        ("page=0", "page"),
        ("page=%C2%B2", "page"),
        ("format=xlsx", "format"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(logged, console, query, field):
    response = console.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert console.get(f"/admin/audit?{query}&format=csv").status_code == 400


def test_csv_has_the_filtered_rows(logged, client_for):
    admin = signed_in(client_for, "northwind.localhost", "admin@northwind.example")
    response = admin.get(
        "/partners/audit?format=csv&action=enrollment.credit_limit_changed", buffered=True
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == [
        "Date (UTC)",
        "Who",
        "Action",
        "Record",
        "Record id",
        "Name",
        "Before",
        "After",
    ]
    assert [row[5] for row in table[1:]] == ["otter-northwind", "bluebird-northwind"]
    assert table[1][0] == "2026-11-05 12:00:00"
    assert table[1][2] == "Credit limit changed"
    assert table[1][6] == "Credit limit: $1,000.00; Role: Buyer"
    assert table[1][7] == "Credit limit: $2,500.00; Role: Approver"


def test_csv_cells_cannot_run_as_formulas(ctx, console):
    otter = Company(name="Formula Ltd", country="GB")
    db.session.add(otter)
    db.session.flush()
    record("company.created", otter, label="=HYPERLINK(1)", after={"name": "@SUM(A1)"})
    db.session.commit()
    response = console.get("/admin/audit?format=csv&action=company.created", buffered=True)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    [mine] = [row for row in rows if "HYPERLINK" in row[5]]
    assert mine[5] == "'=HYPERLINK(1)"
    assert mine[7] == "Name: @SUM(A1)"
