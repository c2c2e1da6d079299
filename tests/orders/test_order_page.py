"""The order page: lines with their price snapshot, timeline, licenses, invoice; live status."""

import html
import re
import uuid
from datetime import UTC

import pytest
from babel.dates import format_datetime
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.fulfillment.licenses import signing_key, verify_key
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.orders.checkout import place_order
from channelfront.orders.models import Order
from channelfront.outbox.models import OutboxMessage
from channelfront.outbox.services import PENDING_KEY
from channelfront.outbox.tasks import deliver
from channelfront.pricing.models import Enrollment, Program
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.models import Tenant
from tests.orders.conftest import checkout_request
from tests.orders.test_checkout_pages import placed_order
from tests.perf.test_query_count import recorded_statements


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_order_page_shows_lines_totals_parties_licenses_and_invoice(app, ctx, bluebird_buyer):
    number = placed_order(bluebird_buyer, po_number="PO-2024-17")
    page = bluebird_buyer.get(f"/orders/{number}").get_data(as_text=True)
    order = db.session.scalar(select(Order).where(Order.number == number))
    text = text_of(page)
    assert f"Order {number}" in text
    assert 'data-status="invoiced"' in page
    assert "PO-2024-17" in text
    assert "Acme Corp, Ada Acme <ada@acme.example>, US" in text
    assert "On account" in text
    shd = re.search(r'<tr class="order-line" data-sku="SHD-STD-1Y">(.*?)</tr>', page, re.S)[1]
    assert "$120.00" in shd
    assert "$84.00" in shd
    assert "$168.00" in shd
    assert "12 months" in shd
    assert 'data-source="category"' in shd
    assert re.search(r'class="order-total"><strong>\$636\.00<', page)
    # The timeline, newest first.
    assert re.findall(r'class="timeline-event" data-kind="([^"]+)"', page) == [
        "invoiced",
        "fulfilled",
        "fulfilling",
        "accepted_on_account",
        "placed",
    ]
    assert "by Blake Buyer" in text
    keys = re.findall(r'<code class="license-key">([^<]+)</code>', page)
    assert len(keys) == 2
    for key in keys:
        assert verify_key(signing_key(app.config), key) is not None
    stored = {lic.key for lic in db.session.scalars(select(License))}
    assert set(keys) <= stored
    subscription = db.session.scalar(select(Subscription).where(Subscription.order_id == order.id))
    assert f"{subscription.starts_on:%b} {subscription.starts_on.day}, " in page
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert f"Invoice {invoice.number} issued" in text
    assert invoice.number in re.search(r'class="invoice-number">(.*?)</dd>', page, re.S)[1]
    if "invoices.detail" in app.view_functions:
        assert f'href="/invoices/{invoice.number}"' in page


def test_timeline_dates_follow_the_language(ctx, bluebird_buyer):
    number = placed_order(bluebird_buyer)
    token = bluebird_buyer.csrf_token("/cart")
    bluebird_buyer.post("/locale", data={"csrf_token": token, "locale": "es", "next": "/"})
    page = bluebird_buyer.get(f"/orders/{number}").get_data(as_text=True)
    assert '<html lang="es"' in page
    order = db.session.scalar(select(Order).where(Order.number == number))
    placed = order.events[0].at.replace(tzinfo=UTC)
    spanish = format_datetime(placed, "medium", tzinfo=UTC, locale="es")
    english = format_datetime(placed, "medium", tzinfo=UTC, locale="en")
    assert spanish != english
    assert spanish in page


@pytest.fixture
def condor(ctx, client_for):
    """Another reseller enrolled with northwind, with a buyer signed in there."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    program = db.session.scalar(select(Program).where(Program.tenant_id == tenant.id))
    company = Company(name="Condor Systems", country="US")
    db.session.add(company)
    db.session.flush()
    db.session.add(
        Enrollment(
            tenant_id=tenant.id,
            company_id=company.id,
            program_id=program.id,
            credit_limit_minor=1_000_000,
        )
    )
    db.session.add(
        User(
            email="buyer@condor.example",
            name="Cora Condor",
            password_hash=hash_password(DEMO_PASSWORD),
            kind="reseller",
            role="buyer",
            company_id=company.id,
        )
    )
    db.session.commit()
    client = client_for("northwind.localhost")
    assert client.login("buyer@condor.example").status_code == 302
    return client


def test_every_user_of_the_company_sees_the_order_and_nobody_else(
    ctx, bluebird_buyer, client_for, condor, sakura
):
    number = placed_order(bluebird_buyer)
    approver = client_for("northwind.localhost")
    approver.login("approver@bluebird.example")
    assert approver.get(f"/orders/{number}").status_code == 200
    assert condor.get(f"/orders/{number}").status_code == 404
    assert condor.get(f"/orders/{number}/status").status_code == 404
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    assert finance.get(f"/orders/{number}").status_code == 404
    sakura.login("buyer@kirin.example")
    assert sakura.get(f"/orders/{number}").status_code == 404
    alpen = client_for("alpenhandel.localhost")
    alpen.login("buyer@bluebird.example")
    assert alpen.get(f"/orders/{number}").status_code == 404
    signed_out = client_for("northwind.localhost")
    assert signed_out.get(f"/orders/{number}").status_code == 302


@pytest.mark.parametrize("number", ["NW-999999", "x" * 300, "NW-000001'--", "NW%00"])
def test_unknown_or_malformed_numbers_are_404(bluebird_buyer, number):
    response = bluebird_buyer.get(f"/orders/{number}")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_the_status_endpoint_gives_the_changing_parts(ctx, bluebird_buyer):
    number = placed_order(bluebird_buyer)
    response = bluebird_buyer.get(f"/orders/{number}/status")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    data = response.get_json()
    assert data["status"] == "invoiced"
    assert data["live"] is False
    assert set(data["regions"]) == {"status", "approval", "licenses", "invoice", "timeline"}
    assert data["regions"]["licenses"].count('class="license-key"') == 2
    assert 'data-kind="fulfilled"' in data["regions"]["timeline"]


def test_the_page_follows_fulfilment_as_it_happens(app, northwind_shop, bluebird_buyer):
    """Accepted, then fulfilled by a worker: the status endpoint sees each step."""
    shop = northwind_shop
    request = checkout_request(idempotency_key=uuid.uuid4().hex)
    order, created = place_order(shop.tenant, shop.buyer, shop.terms, "en", request)
    assert created
    [message] = db.session.info.pop(PENDING_KEY)
    db.session.commit()  # committed, not yet handed to a worker
    number = order.number

    page = bluebird_buyer.get(f"/orders/{number}").get_data(as_text=True)
    assert 'data-live="true"' in page
    assert 'data-status-url="/orders/' in page
    assert "/theme/harbor/js/order-live.js" in page
    assert "The licenses appear here as soon as they are issued." in page
    before = bluebird_buyer.get(f"/orders/{number}/status").get_json()
    assert (before["status"], before["live"]) == ("accepted_on_account", True)
    assert "license-key" not in before["regions"]["licenses"]

    deliver.run(message.id)  # what a worker does with the message

    after = bluebird_buyer.get(f"/orders/{number}/status").get_json()
    assert (after["status"], after["live"]) == ("invoiced", False)
    assert after["regions"]["licenses"].count('class="license-key"') == 2
    assert 'data-kind="fulfilled"' in after["regions"]["timeline"]
    assert "-INV-" in after["regions"]["invoice"]
    assert db.session.get(OutboxMessage, message.id).done_at is not None


def test_the_live_script_is_served(bluebird_buyer):
    response = bluebird_buyer.get("/theme/harbor/js/order-live.js")
    assert response.status_code == 200
    assert "javascript" in response.content_type
    assert "data-live-region" in response.get_data(as_text=True)
    response.close()


def statements_for(app, client, path):
    client.get(path)
    with recorded_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return list(statements)


def test_the_order_page_runs_the_same_queries_for_one_line_or_many(app, ctx, bluebird_buyer):
    small = placed_order(bluebird_buyer, lines=[("INS-PERP", "1")])
    many = [("SHD-STD-1Y", "2"), ("INS-PERP", "1"), ("SHD-ENT-1Y", "3"), ("CDE-ENT-1Y", "1")]
    big = placed_order(bluebird_buyer, lines=[*many, ("BKP-STD-1Y", "4"), ("SUP-BAS", "1")])
    for path in ("/orders/{}", "/orders/{}/status"):
        one = statements_for(app, bluebird_buyer, path.format(small))
        six = statements_for(app, bluebird_buyer, path.format(big))
        assert len(one) == len(six), "\n".join(six)
        assert len(six) <= 14, "\n".join(six)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    """The demo under gunicorn with no worker; yields (port, environment)."""
    from tests.orders.live_browser import served_without_worker

    with served_without_worker(tmp_path_factory.mktemp("live")) as served:
        yield served


def check_out(page, base: str, sku: str, customer: dict[str, str] | None = None) -> None:
    """Through the pages: add a product by SKU, check out on account."""
    page.goto(f"{base}/cart")
    quick_add = page.locator("section.quick-add form")
    quick_add.locator("input[name=sku]").fill(sku)
    with page.expect_navigation():
        quick_add.locator("button[type=submit]").click()
    page.goto(f"{base}/checkout")
    if customer:
        page.check("input[name=end_customer_choice][value=new]")
        for name, value in customer.items():
            page.fill(f"#new-{name}", value)
    page.check("input[name=payment_method][value=on_account]")
    with page.expect_navigation():
        page.click("form.checkout-form button[type=submit]")
    assert re.search(r"/orders/NW-\d{6}$", page.url), page.url


ACME_FIELDS = {
    "company_name": "Acme Corp",
    "contact_name": "Ada Acme",
    "email": "ada@acme.example",
    "country": "US",
}


@pytest.mark.browser
def test_the_page_updates_in_the_browser_while_a_worker_fulfils(live_site):
    """Real Chromium on a real server: the order is accepted, a worker fulfils it later,
    and the open page shows the licenses and the new status without being reloaded."""
    from tests.orders.live_browser import fulfil_pending, signed_in_page

    port, env = live_site
    with signed_in_page(port) as page:
        check_out(page, f"http://northwind.localhost:{port}", "INS-PERP", ACME_FIELDS)
        assert page.locator(".order-status").inner_text() == "Accepted on account"
        assert page.locator("code.license-key").count() == 0
        page.evaluate("window.sameDocument = 'not reloaded'")

        fulfil_pending(env)

        page.wait_for_selector("code.license-key", timeout=15_000)
        # A selector wait, not a JS predicate: the page's CSP forbids eval.
        page.wait_for_selector(".order-status[data-status='invoiced']", timeout=15_000)
        assert page.evaluate("window.sameDocument") == "not reloaded"
        assert page.locator(".timeline-event[data-kind=fulfilled]").count() == 1
        assert page.locator("[data-order-live]").get_attribute("data-live") == "false"


@pytest.mark.browser
def test_the_type_ahead_picks_an_earlier_customer(live_site):
    from tests.orders.live_browser import signed_in_page

    port, _env = live_site
    base = f"http://northwind.localhost:{port}"
    with signed_in_page(port) as page:
        check_out(page, base, "INS-PERP", {**ACME_FIELDS, "company_name": "Zenith Labs"})
        page.goto(f"{base}/cart")
        quick_add = page.locator("section.quick-add form")
        quick_add.locator("input[name=sku]").fill("SHD-STD-1Y")
        with page.expect_navigation():
            quick_add.locator("button[type=submit]").click()
        page.goto(f"{base}/checkout")
        search = page.locator("#customer-search")
        assert search.is_visible()
        search.fill("zeni")
        page.locator("#customer-results button", has_text="Zenith Labs").click()
        assert page.locator("input[name=end_customer_choice][value=existing]").is_checked()
        page.check("input[name=payment_method][value=on_account]")
        with page.expect_navigation():
            page.click("form.checkout-form button[type=submit]")
        assert "Zenith Labs" in page.locator(".end-customer").inner_text()
