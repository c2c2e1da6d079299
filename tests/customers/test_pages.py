"""The customer pages: list, search, filters, paging, detail, edit, merge, archive, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from channelfront.audit.models import AuditEvent
from channelfront.customers import services
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order
from channelfront.subscriptions.models import Subscription
from tests.customers.world import (
    add_customer,
    company_id,
    make_quote,
    other_company,
    place_order,
    set_used,
    tenant,
)

ROW = re.compile(r'<tr data-customer="(\d+)"')


def listed(client, query: str = "") -> list[int]:
    response = client.get(f"/customers{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [int(found) for found in ROW.findall(response.get_data(as_text=True))]


def post(client, path: str, **data: str):
    data["csrf_token"] = client.csrf_token("/customers")
    return client.post(path, data=data)


def test_recent_customers_come_first(shop, signed_in):
    old = add_customer("Old Co", "a@old.example")
    ordered = add_customer("Ordered Co", "a@ordered.example")
    quoted = add_customer("Quoted Co", "a@quoted.example")
    now = datetime.now(UTC)
    for row in (old, ordered, quoted):
        set_used(row, now - timedelta(days=30))
    set_used(place_order(ordered), now - timedelta(days=2))
    set_used(make_quote(quoted), now - timedelta(days=1))
    fresh = add_customer("Fresh Co", "a@fresh.example")
    set_used(fresh, now - timedelta(days=10))
    client = signed_in("buyer@bluebird.example")
    assert listed(client) == [quoted.id, ordered.id, fresh.id, old.id]


def test_search_covers_names_email_vat_and_crm_id_and_country_filters(shop, signed_in):
    a = add_customer("Globex", "it@globex.example", country="DE", vat_id="DE123456789")
    b = add_customer("Initech", "ops@initech.example", crm_account_id="SF-0042")
    client = signed_in("buyer@bluebird.example")
    assert listed(client, "?q=globex") == [a.id]
    assert listed(client, "?q=OPS@INITECH") == [b.id]
    assert listed(client, "?q=de1234") == [a.id]
    assert listed(client, "?q=sf-0042") == [b.id]
    assert listed(client, "?q=Casey") == sorted([a.id, b.id], reverse=True)
    assert listed(client, "?country=de") == [a.id]
    assert listed(client, "?q=%25") == []
    for bad in ("?country=Germany", "?q=" + "x" * 101, "?q=%00", "?archived=yes", "?page=x"):
        response = client.get(f"/customers{bad}")
        assert response.status_code == 400, bad


def test_paging_and_a_page_past_the_end(shop, signed_in, app):
    app.config["CUSTOMER_LIST_PAGE_SIZE"] = 2
    try:
        made = [add_customer(f"Co {n}", f"a{n}@co.example") for n in range(5)]
        client = signed_in("buyer@bluebird.example")
        first, second, third = listed(client), listed(client, "?page=2"), listed(client, "?page=3")
        assert [len(first), len(second), len(third)] == [2, 2, 1]
        assert set(first + second + third) == {c.id for c in made}
        assert listed(client, "?page=99") == third
        assert "Page 3 of 3" in client.get("/customers?page=99").get_data(as_text=True)
    finally:
        app.config.pop("CUSTOMER_LIST_PAGE_SIZE")


def _count_queries(client, path: str) -> int:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return len(statements)


def test_the_list_costs_the_same_queries_for_1_and_30_customers(shop, signed_in):
    client = signed_in("buyer@bluebird.example")
    first = add_customer("Only Co", "a@only.example")
    place_order(first)
    one = _count_queries(client, "/customers")
    for n in range(29):
        make_quote(add_customer(f"Many {n}", f"m{n}@many.example"))
    thirty = _count_queries(client, "/customers")
    assert len(listed(client)) == 25
    assert one == thirty


def test_a_customers_page_shows_orders_subscriptions_licenses_and_quotes(shop, signed_in):
    customer = add_customer()
    order = place_order(customer)
    quote = make_quote(customer)
    subscription = db.session.scalars(
        select(Subscription).where(Subscription.order_id == order.id)
    ).one()
    client = signed_in("buyer@bluebird.example")
    html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert f'data-order="{order.number}"' in html
    assert f'data-quote="{quote.number}"' in html
    assert f'data-subscription="{subscription.id}"' in html
    assert subscription.ends_on.isoformat() in html
    assert 'class="license-key"' in html


def test_edit_saves_every_field_with_an_audit_entry(shop, signed_in):
    customer = add_customer()
    client = signed_in("buyer@bluebird.example")
    form = {
        "company_name": "Acme Labs GmbH",
        "contact_name": "Dana",
        "email": "dana@acme.example",
        "country": "de",
        "vat_id": "DE 123.456.789",
        "crm_account_id": "0015g00000AbCdE",
    }
    response = post(client, f"/customers/{customer.id}", **form)
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Customer, customer.id)
    assert (saved.company_name, saved.country, saved.vat_id, saved.crm_account_id) == (
        "Acme Labs GmbH",
        "DE",
        "DE123456789",
        "0015g00000AbCdE",
    )
    event_ = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "customer.updated", AuditEvent.subject_id == str(customer.id)
        )
    ).one()
    assert event_.after["crm_account_id"] == "0015g00000AbCdE"
    assert event_.before["email"] == "it@acme.example"
    assert listed(client, "?q=0015g") == [customer.id]


def test_a_bad_edit_names_the_field_and_writes_nothing(shop, signed_in):
    customer = add_customer()
    client = signed_in("buyer@bluebird.example")
    for field, value in (("email", "nope"), ("country", "Germany"), ("crm_account_id", "a b")):
        form = {
            "company_name": "X",
            "contact_name": "Y",
            "email": "x@y.example",
            "country": "US",
            field: value,
        }
        response = post(client, f"/customers/{customer.id}", **form)
        assert response.status_code == 422
        assert f'data-field="{field}"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).company_name == "Acme Labs"


def test_merge_moves_orders_subscriptions_and_quotes_to_the_survivor(shop, signed_in):
    survivor = add_customer("Acme", "it@acme.example")
    duplicate = add_customer("ACME Inc.", "it2@acme.example", crm_account_id="CRM-1")
    order = place_order(duplicate)
    quote = make_quote(duplicate)
    client = signed_in("buyer@bluebird.example")
    response = post(client, f"/customers/{survivor.id}/merge", duplicate_id=str(duplicate.id))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, order.id).customer_id == survivor.id
    assert {s.customer_id for s in db.session.scalars(select(Subscription))} >= {survivor.id}
    assert not db.session.scalars(
        select(Subscription).where(Subscription.customer_id == duplicate.id)
    ).all()
    assert quote.number in client.get(f"/customers/{survivor.id}").get_data(as_text=True)
    assert db.session.get(Customer, duplicate.id).merged_into_id == survivor.id
    assert db.session.get(Customer, survivor.id).crm_account_id == "CRM-1"
    assert listed(client, "?archived=1") == [survivor.id]
    assert client.get(f"/customers/{duplicate.id}").status_code == 404
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "customer.merged")
    ).one()
    again = post(client, f"/customers/{survivor.id}/merge", duplicate_id=str(duplicate.id))
    assert again.status_code == 422
    itself = post(client, f"/customers/{survivor.id}/merge", duplicate_id=str(survivor.id))
    assert itself.status_code == 422


def test_archive_hides_from_pickers_and_checkout_but_keeps_history(shop, signed_in):
    customer = add_customer()
    order = place_order(customer)
    client = signed_in("buyer@bluebird.example")
    assert post(client, f"/customers/{customer.id}/archive").status_code == 303
    assert listed(client) == []
    assert listed(client, "?archived=1") == [customer.id]
    assert client.get("/customers/search?q=acme").get_json()["customers"] == []
    with pytest.raises(OrderInputError, match="no such customer"):
        services.get_for_company(company_id(), customer.id)
    assert order.number in client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert post(client, f"/customers/{customer.id}/unarchive").status_code == 303
    assert [c["id"] for c in client.get("/customers/search?q=acme").get_json()["customers"]] == [
        customer.id
    ]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"customer.archived", "customer.unarchived"} <= actions


def test_a_viewer_reads_but_cannot_change(shop, viewer):
    customer = add_customer()
    html = viewer.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "Acme Labs" in html
    assert "customer-form" not in html
    assert "archive-form" not in html
    for path in ("", "/archive", "/unarchive", "/merge"):
        assert post(viewer, f"/customers/{customer.id}{path}").status_code == 403


def test_another_companys_or_tenants_customer_is_not_found(shop, shop_at, signed_in):
    otter = add_customer("Otter's", "a@otter.example", company=other_company())
    client = signed_in("buyer@bluebird.example")
    assert client.get(f"/customers/{otter.id}").status_code == 404
    assert post(client, f"/customers/{otter.id}/archive").status_code == 404
    shop_at("alpenhandel.localhost")
    alpen = add_customer("Alpen Kunde", "a@alpen.example")
    assert alpen.tenant_id == tenant("alpenhandel").id
    assert client.get(f"/customers/{alpen.id}").status_code == 404
    assert alpen.id not in listed(client, "?archived=1")


def test_staff_and_the_console_have_no_customer_pages(shop, signed_in, admin_host):
    staff = signed_in("admin@northwind.example")
    assert staff.get("/customers").status_code == 404
    admin_host.login("admin@nimbus.example")
    assert admin_host.get("/customers").status_code == 404


def test_csv_download_has_stable_columns_and_defuses_formulas(shop, signed_in):
    customer = add_customer("=HYPERLINK(1)", "a@evil.example", crm_account_id="+CRM", vat_id=None)
    place_order(customer)
    add_customer("-Minus", "@at.example")
    client = signed_in("buyer@bluebird.example")
    response = client.get("/customers.csv", buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "id",
        "company_name",
        "contact_name",
        "email",
        "country",
        "vat_id",
        "crm_account_id",
        "archived",
        "created_at",
        "last_order_at",
    ]
    by_id = {int(row[0]): row for row in rows[1:]}
    row = by_id[customer.id]
    assert [row[1], row[6], row[7]] == ["'=HYPERLINK(1)", "'+CRM", "false"]
    assert row[9]
    other = next(r for i, r in by_id.items() if i != customer.id)
    assert [other[1], other[3], other[9]] == ["'-Minus", "'@at.example", ""]


def test_the_nav_links_the_customer_list(shop, signed_in):
    client = signed_in("buyer@bluebird.example")
    assert 'href="/customers"' in client.get("/catalog").get_data(as_text=True)
