"""Invoice pages: printable in the tenant's theme and language, who sees what, settling."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.credit import credit_status
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order, OrderEvent
from channelfront.payments import cards, devstripe
from tests.orders.test_history import customer, other_company, reseller

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # saved fine, declined when charged


def csrf(client) -> str:  # type: ignore[no-untyped-def]
    return client.csrf_token("/")


def fresh(invoice: Invoice) -> Invoice:
    db.session.expire_all()
    return db.session.get(Invoice, invoice.id)


def outstanding(shop) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    today = datetime.now(UTC).date()
    return credit_status(shop.terms.enrollment, shop.tenant.currency, today).outstanding.minor


def paid_events(invoice: Invoice) -> list[OrderEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OrderEvent).where(
                OrderEvent.order_id == invoice.order_id, OrderEvent.kind == "invoice_paid"
            )
        )
    )


def finance(client_for):  # type: ignore[no-untyped-def]
    client = client_for("northwind.localhost")
    assert client.login("finance@northwind.example").status_code == 302
    return client


def test_the_buyer_sees_a_printable_invoice(northwind_shop, invoiced, bluebird_buyer):
    invoice = invoiced(northwind_shop, po_number="PO-INV-1")
    response = bluebird_buyer.get(f"/invoices/{invoice.number}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-invoice="{invoice.number}"' in html
    assert f"Invoice {invoice.number}" in html
    assert "Northwind Distribution" in html
    assert 'data-theme="harbor"' in html
    assert 'class="bill-to">Bluebird IT' in html
    assert "Acme Corp" in html
    assert "ada@acme.example" in html
    assert "PO-INV-1" in html
    assert 'data-sku="SHD-STD-1Y"' in html
    assert 'data-sku="INS-PERP"' in html
    assert "$168.00" in html  # 2 x 84.00
    assert re.search(r'class="invoice-total"><strong>\$636\.00<', html)
    assert "On account, net 30" in html
    assert 'data-state="open"' in html
    assert "Please pay by" in html
    assert "print.css" in html
    stylesheet = bluebird_buyer.get(re.search(r'href="([^"]*print\.css)"', html).group(1))
    assert stylesheet.status_code == 200
    stylesheet.close()
    # The order page links here and back.
    order_number = db.session.get(Order, invoice.order_id).number
    assert f'href="/orders/{order_number}"' in html


def test_the_invoice_is_in_the_tenants_theme_language_and_currency(
    alpenhandel_shop, invoiced, alpenhandel
):
    invoice = invoiced(alpenhandel_shop, lines=[LineRequest("SHD-STD-1Y", 2)])
    alpenhandel.login("buyer@bluebird.example")
    html = alpenhandel.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert '<html lang="de"' in html
    assert 'data-theme="alpine"' in html
    assert "Alpenhandel GmbH" in html
    assert invoice.currency == "EUR"
    assert re.search(r'class="invoice-total"><strong>[\d.]+,\d\d\xa0€<', html)


def test_the_invoice_follows_the_language_choice(northwind_shop, invoiced, bluebird_buyer):
    invoice = invoiced(northwind_shop)
    bluebird_buyer.post(
        "/locale", data={"locale": "es", "next": "/", "csrf_token": csrf(bluebird_buyer)}
    )
    html = bluebird_buyer.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert '<html lang="es"' in html
    assert re.search(r'class="invoice-total"><strong>636,00\xa0US\$<', html)


def test_every_user_of_the_company_sees_it_and_no_one_else(northwind_shop, invoiced, client_for):
    invoice = invoiced(northwind_shop)
    theirs = invoiced(other_company(northwind_shop), new_customer=customer("Zed", "Zoe", "z@z.io"))
    reseller(northwind_shop.buyer.company_id, "viewer@bluebird.example", role="viewer")
    for email in ("approver@bluebird.example", "admin@bluebird.example", "viewer@bluebird.example"):
        client = client_for("northwind.localhost")
        client.login(email)
        assert client.get(f"/invoices/{invoice.number}").status_code == 200
        assert client.get(f"/invoices/{theirs.number}").status_code == 404
    otter = client_for("northwind.localhost")
    otter.login("buyer@otter.example")
    assert otter.get(f"/invoices/{invoice.number}").status_code == 404
    assert otter.get(f"/invoices/{theirs.number}").status_code == 200
    # The same company on another storefront does not see this storefront's invoices.
    alpen = client_for("alpenhandel.localhost")
    alpen.login("buyer@bluebird.example")
    assert alpen.get(f"/invoices/{invoice.number}").status_code == 404
    assert otter.get("/invoices/NW-INV-999999").status_code == 404
    assert otter.get("/invoices/" + "X" * 30).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(northwind_shop, invoiced, northwind):
    invoice = invoiced(northwind_shop)
    response = northwind.get(f"/invoices/{invoice.number}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_buyer_lists_the_companys_invoices_with_its_credit(
    northwind_shop, invoiced, bluebird_buyer
):
    invoice = invoiced(northwind_shop)
    theirs = invoiced(other_company(northwind_shop), new_customer=customer("Zed", "Zoe", "z@z.io"))
    html = bluebird_buyer.get("/invoices").get_data(as_text=True)
    assert f'data-invoice="{invoice.number}"' in html
    assert f'data-invoice="{theirs.number}"' not in html
    assert re.search(r'class="credit-limit">\$50,000\.00<', html)
    owed = outstanding(northwind_shop)
    assert owed >= invoice.total_minor
    assert f'class="credit-outstanding">${owed / 100:,.2f}<' in html
    assert "Mark as paid" not in html


def test_finance_lists_every_invoice_of_the_storefront(northwind_shop, invoiced, client_for):
    mine = invoiced(northwind_shop)
    theirs = invoiced(other_company(northwind_shop), new_customer=customer("Zed", "Zoe", "z@z.io"))
    client = finance(client_for)
    html = client.get("/invoices").get_data(as_text=True)
    assert ">Invoices</a>" in html  # in the navigation
    for invoice in (mine, theirs):
        assert f'data-invoice="{invoice.number}"' in html
    assert "Bluebird IT" in html
    assert "Otter Ltd" in html
    paid = client.get("/invoices?status=paid").get_data(as_text=True)
    assert f'data-invoice="{mine.number}"' not in paid


def test_overdue_invoices_are_shown_and_filtered(northwind_shop, invoiced, client_for):
    invoice = invoiced(northwind_shop)
    invoice.due_on = date.today() - timedelta(days=3)
    db.session.commit()
    client = finance(client_for)
    overdue = client.get("/invoices?status=overdue").get_data(as_text=True)
    assert f'<tr data-invoice="{invoice.number}" data-state="overdue">' in overdue
    assert f'data-invoice="{invoice.number}"' not in client.get("/invoices?status=open").get_data(
        as_text=True
    )
    detail = client.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert "Overdue" in detail
    assert "Payment was due on" in detail


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=late", "Choose open, overdue or paid invoices."),
        ("page=0", "The page must be a whole number"),
        ("page=abc", "The page must be a whole number"),
    ],
)
def test_bad_list_parameters_are_a_400(client_for, query, message):
    response = finance(client_for).get(f"/invoices?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_finance_marks_an_invoice_paid_and_the_credit_follows(
    northwind_shop, invoiced, client_for, bluebird_buyer
):
    invoice = invoiced(northwind_shop)
    before = outstanding(northwind_shop)
    client = finance(client_for)
    page = client.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert "Mark as paid" in page
    response = client.post(
        f"/invoices/{invoice.number}/mark-paid", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 303
    assert fresh(invoice).status == "paid"
    assert outstanding(northwind_shop) == before - invoice.total_minor
    [event] = paid_events(invoice)
    assert event.data["how"] == "finance"
    page = client.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert f"Invoice {invoice.number} is marked paid." in page
    assert 'data-state="paid"' in page
    assert "Mark as paid" not in page
    # A second click changes nothing.
    client.post(f"/invoices/{invoice.number}/mark-paid", data={"csrf_token": csrf(client)})
    assert len(paid_events(invoice)) == 1
    # The buyer's order history and invoice list show it paid.
    history = bluebird_buyer.get("/orders").get_data(as_text=True)
    assert 'data-invoice-state="paid"' in history


def test_only_finance_marks_invoices_paid(northwind_shop, invoiced, bluebird_buyer, client_for):
    invoice = invoiced(northwind_shop)
    response = bluebird_buyer.post(
        f"/invoices/{invoice.number}/mark-paid", data={"csrf_token": csrf(bluebird_buyer)}
    )
    assert response.status_code == 403
    assert fresh(invoice).status == "open"
    client = finance(client_for)
    assert client.post(f"/invoices/{invoice.number}/mark-paid").status_code == 400  # no CSRF
    assert fresh(invoice).status == "open"


def test_without_card_payments_the_buyer_is_told_clearly(northwind_shop, invoiced, bluebird_buyer):
    invoice = invoiced(northwind_shop)
    page = bluebird_buyer.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert "Pay by card" in page
    assert "Your company has no saved card yet." in page
    response = bluebird_buyer.post(
        f"/invoices/{invoice.number}/pay",
        data={"csrf_token": csrf(bluebird_buyer), "payment_method": "pm_card_visa"},
    )
    assert response.status_code == 422
    assert 'data-field="payment_method"' in response.get_data(as_text=True)
    assert fresh(invoice).status == "open"


def test_a_missing_card_is_named(northwind_shop, invoiced, bluebird_buyer):
    invoice = invoiced(northwind_shop)
    response = bluebird_buyer.post(
        f"/invoices/{invoice.number}/pay", data={"csrf_token": csrf(bluebird_buyer)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-field="payment_method"' in html
    assert "Choose one of your company&#39;s saved cards." in html


def test_a_viewer_cannot_pay(northwind_shop, invoiced, client_for):
    invoice = invoiced(northwind_shop)
    reseller(northwind_shop.buyer.company_id, "viewer@bluebird.example", role="viewer")
    viewer = client_for("northwind.localhost")
    viewer.login("viewer@bluebird.example")
    assert "Pay by card" not in viewer.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    response = viewer.post(
        f"/invoices/{invoice.number}/pay",
        data={"csrf_token": csrf(viewer), "payment_method": "pm_x"},
    )
    assert response.status_code == 403


def save_card(shop, number: str = GOOD_CARD) -> dict[str, str]:  # type: ignore[no-untyped-def]
    card = cards.add_card(
        shop.terms.enrollment.company_id, cards.parse_card(number, "12/34", "123")
    )
    db.session.commit()
    return card


def test_the_buyer_pays_an_invoice_by_card(northwind_shop, invoiced, bluebird_buyer, localstripe):
    card = save_card(northwind_shop)
    invoice = invoiced(northwind_shop)
    before = outstanding(northwind_shop)
    page = bluebird_buyer.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert f'<option value="{card["id"]}">' in page
    assert "ending in 4242" in page
    response = bluebird_buyer.post(
        f"/invoices/{invoice.number}/pay",
        data={"csrf_token": csrf(bluebird_buyer), "payment_method": card["id"]},
    )
    assert response.status_code == 303
    assert fresh(invoice).status == "paid"
    assert outstanding(northwind_shop) == before - invoice.total_minor
    [intent] = localstripe.intents()
    assert intent.amount == invoice.total_minor
    page = bluebird_buyer.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert f"Invoice {invoice.number} is paid. Thank you." in page
    assert "Pay by card" not in page


def test_a_declined_card_shows_the_reason_and_the_invoice_stays_open(
    northwind_shop, invoiced, bluebird_buyer, localstripe
):
    card = save_card(northwind_shop, DECLINED_CARD)
    invoice = invoiced(northwind_shop)
    response = bluebird_buyer.post(
        f"/invoices/{invoice.number}/pay",
        data={"csrf_token": csrf(bluebird_buyer), "payment_method": card["id"]},
    )
    assert response.status_code == 402
    html = response.get_data(as_text=True)
    assert "The card was declined." in html
    assert 'data-field="payment_method"' in html
    assert fresh(invoice).status == "open"


def test_stripe_out_of_reach_is_a_clear_message(
    app, northwind_shop, invoiced, bluebird_buyer, localstripe
):
    card = save_card(northwind_shop)
    invoice = invoiced(northwind_shop)
    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{devstripe.free_port()}"
    response = bluebird_buyer.post(
        f"/invoices/{invoice.number}/pay",
        data={"csrf_token": csrf(bluebird_buyer), "payment_method": card["id"]},
    )
    assert response.status_code == 503
    assert "Card payments are not available right now." in response.get_data(as_text=True)
    assert fresh(invoice).status == "open"
