"""The reseller's quote pages: make a quote (from scratch, the cart, a template or an
order), price it per line, by markup or by discount, see the margins, change it after
sending (a new revision), withdraw it, and order an accepted quote through checkout."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.template_models import OrderTemplate
from channelfront.quotes import prices, services
from channelfront.quotes.models import QuoteStatus
from tests.quotes.pages_world import (
    other_reseller,
    place_order,
    priced,
    quote_count,
    quote_form,
    reseller_user,
    shown,
    the_quote,
)
from tests.quotes.world import Shop, make_quote
from tests.row_counts import changed, row_counts

QUOTE_URL = re.compile(r"/quotes/([A-Z]+-Q-\d{6})$")


def post(client, path: str, data: dict[str, str] | None = None, form_page: str = "/quotes"):
    """POST with the CSRF token of ``form_page``."""
    return client.post(path, data={"csrf_token": client.csrf_token(form_page), **(data or {})})


def create(client, **fields: str):
    return post(client, "/quotes/new", quote_form(**fields))


def created_number(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    match = QUOTE_URL.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return html.unescape(response.get_data(as_text=True))


def row_of(text: str, sku: str) -> str:
    match = re.search(rf'<tr class="quote-line" data-sku="{sku}">(.*?)</tr>', text, re.S)
    assert match, f"no line {sku}"
    return match.group(1)


def cell(row: str, name: str) -> str:
    match = re.search(rf'class="amount {name}[^"]*">(.*?)</td>', row, re.S)
    assert match, f"no {name} in {row}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def form_value(text: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}"[^>]*? value="([^"]*)"', text)
    return match.group(1) if match else None


# Making a quote


def test_a_quote_from_scratch_is_a_draft_with_list_prices(shop: Shop, bluebird_buyer) -> None:
    form = page(bluebird_buyer, "/quotes/new")
    assert form_value(form, "valid_until") == (services.today() + timedelta(days=30)).isoformat()
    number = created_number(create(bluebird_buyer))
    quote = the_quote(number)
    assert quote.status == QuoteStatus.DRAFT
    assert quote.customer.company_name == "Acme Labs"
    assert quote.note == "Thanks for asking"
    assert quote.terms == "Net 30"
    assert [e.kind for e in quote.events] == ["draft"]
    line = priced(shop, "SHD-STD-1Y", 2)
    assert quote.lines[0].resale_unit_minor == line.price.list_price.minor
    detail = page(bluebird_buyer, f"/quotes/{number}")
    assert f"Quote {number} is saved as a draft." in detail
    assert 'data-status="draft"' in detail
    assert "Thanks for asking" in detail
    assert "Net 30" in detail
    assert number in page(bluebird_buyer, "/quotes")


def test_a_quote_from_the_cart(shop: Shop, bluebird_buyer) -> None:
    for sku, quantity in (("SHD-STD-1Y", "3"), ("INS-PERP", "1")):
        post(bluebird_buyer, "/cart/add", {"sku": sku, "quantity": quantity}, "/cart")
    cart = page(bluebird_buyer, "/cart")
    assert "/quotes/new?from=cart" in cart
    form = page(bluebird_buyer, "/quotes/new?from=cart")
    assert "The lines come from your cart." in form
    assert form_value(form, "lines[0].sku") == "SHD-STD-1Y"
    assert form_value(form, "lines[0].quantity") == "3"
    assert form_value(form, "lines[1].sku") == "INS-PERP"
    number = created_number(
        create(
            bluebird_buyer,
            **{"lines[0].quantity": "3", "lines[1].sku": "INS-PERP", "lines[1].quantity": "1"},
        )
    )
    assert {(ln.sku, ln.quantity) for ln in the_quote(number).lines} == {
        ("SHD-STD-1Y", 3),
        ("INS-PERP", 1),
    }


def test_a_quote_from_a_template(shop: Shop, bluebird_buyer) -> None:
    post(bluebird_buyer, "/cart/add", {"sku": "INS-PERP", "quantity": "4"}, "/cart")
    post(bluebird_buyer, "/orders/templates", {"name": "Office pack"}, "/orders/templates")
    template_id = db.session.scalar(
        select(OrderTemplate.id).where(OrderTemplate.name == "Office pack")
    )
    assert f"/quotes/new?id={template_id}&amp;from=template" in bluebird_buyer.get(
        "/orders/templates"
    ).get_data(as_text=True)
    form = page(bluebird_buyer, f"/quotes/new?from=template&id={template_id}")
    assert form_value(form, "lines[0].sku") == "INS-PERP"
    assert form_value(form, "lines[0].quantity") == "4"
    assert bluebird_buyer.get("/quotes/new?from=template&id=999999").status_code == 404


def test_a_quote_from_a_past_order_takes_its_end_customer(shop: Shop, bluebird_buyer) -> None:
    order = place_order(shop)
    assert f"/quotes/new?number={order.number}&amp;from=order" in bluebird_buyer.get(
        f"/orders/{order.number}"
    ).get_data(as_text=True)
    form = page(bluebird_buyer, f"/quotes/new?from=order&number={order.number}")
    assert form_value(form, "lines[0].sku") == "SHD-STD-1Y"
    assert form_value(form, "lines[1].sku") == "INS-PERP"
    assert f'<option value="{order.customer_id}" selected>' in form
    number = created_number(
        create(
            bluebird_buyer,
            end_customer_choice="existing",
            customer_id=str(order.customer_id),
            **{"lines[1].sku": "INS-PERP", "lines[1].quantity": "1"},
        )
    )
    assert the_quote(number).customer_id == order.customer_id


def test_another_companys_order_or_template_is_not_a_starting_point(shop: Shop, client_for) -> None:
    order = place_order(shop)
    otter = client_for("northwind.localhost")
    otter.login(other_reseller(shop))
    assert otter.get(f"/quotes/new?from=order&number={order.number}").status_code == 404


# Prices and margins


def test_markup_prices_every_line_on_the_buy_price(shop: Shop, bluebird_buyer) -> None:
    number = created_number(
        create(
            bluebird_buyer,
            pricing_mode="markup",
            pricing_percent="20",
            **{"lines[1].sku": "INS-PERP", "lines[1].quantity": "3"},
        )
    )
    detail = page(bluebird_buyer, f"/quotes/{number}")
    buy_total = resale_total = 0
    for sku, quantity in (("SHD-STD-1Y", 2), ("INS-PERP", 3)):
        line = priced(shop, sku, quantity)
        buy = line.price.buy_price.minor
        resale = prices.with_markup(buy, 2000)
        assert resale > buy
        row = row_of(detail, sku)
        assert cell(row, "buy-price") == shown(buy)
        assert cell(row, "resale-price") == shown(resale)
        assert cell(row, "resale-total") == shown(resale * quantity)
        assert cell(row, "line-margin") == shown((resale - buy) * quantity)
        buy_total += buy * quantity
        resale_total += resale * quantity
    assert cell(detail, "total-buy") == shown(buy_total)
    assert cell(detail, "total-resale") == shown(resale_total)
    assert cell(detail, "total-margin") == shown(resale_total - buy_total)
    # A 20 % markup is a margin of 1/6 of the resale price, give or take the rounding.
    share = Decimal(100 * (resale_total - buy_total)) / Decimal(resale_total)
    assert cell(detail, "margin-percent") == f"{share.quantize(Decimal('0.1'))}%"
    assert abs(share - Decimal(100) / 6) < Decimal("0.1")
    assert "Markup of 20% on the buy price" in detail
    assert the_quote(number).resale_total_minor == resale_total


def test_discount_prices_every_line_off_list(shop: Shop, bluebird_buyer) -> None:
    number = created_number(create(bluebird_buyer, pricing_mode="discount", pricing_percent="7.5"))
    line = priced(shop, "SHD-STD-1Y", 2)
    resale = prices.off_list(line.price.list_price.minor, 750)
    row = row_of(page(bluebird_buyer, f"/quotes/{number}"), "SHD-STD-1Y")
    assert cell(row, "list-price") == shown(line.price.list_price.minor)
    assert cell(row, "resale-price") == shown(resale)
    assert cell(row, "line-margin") == shown((resale - line.price.buy_price.minor) * 2)
    edit = page(bluebird_buyer, f"/quotes/{number}/edit")
    assert form_value(edit, "pricing_percent") == "7.5"


def test_a_price_per_line(shop: Shop, bluebird_buyer) -> None:
    number = created_number(create(bluebird_buyer, **{"lines[0].resale_price": "99.50"}))
    line = priced(shop, "SHD-STD-1Y", 2)
    row = row_of(page(bluebird_buyer, f"/quotes/{number}"), "SHD-STD-1Y")
    assert cell(row, "resale-price") == "$99.50"
    assert cell(row, "resale-total") == "$199.00"
    assert cell(row, "line-margin") == shown(19900 - line.price.buy_price.minor * 2)


def test_a_price_below_the_buy_price_shows_a_negative_margin(shop: Shop, bluebird_buyer) -> None:
    number = created_number(create(bluebird_buyer, **{"lines[0].resale_price": "0"}))
    detail = page(bluebird_buyer, f"/quotes/{number}")
    assert "margin-negative" in row_of(detail, "SHD-STD-1Y")


# Refused input


YESTERDAY = (services.today() - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"lines[0].sku": "NOPE-1"}, "lines[0].sku", "NOPE-1 is not a product you can buy here."),
        ({"lines[0].quantity": "0"}, "lines[0].quantity", "The quantity must be a whole number"),
        ({"lines[0].resale_price": "abc"}, "lines[0].resale_price", "Enter a price of 0 or more"),
        (
            {"pricing_mode": "markup", "pricing_percent": "-5"},
            "pricing_percent",
            "Enter a percentage from 0 to 1000",
        ),
        ({"valid_until": YESTERDAY}, "valid_until", "A quote is valid from today"),
        ({"language": "xx"}, "language", "Choose one of this site's languages: en, es."),
        ({"new_customer.email": "not-an-address"}, "end_customer.email", "valid e-mail"),
        (
            {"lines[0].sku": "", "lines[0].quantity": "", "lines[2].sku": "NOPE-2"},
            "lines[2].sku",
            "NOPE-2 is not a product",
        ),
        ({"lines[1].quantity": "2"}, "lines[1].sku", "Enter a SKU, or clear the line."),
        ({"lines[0].sku": "", "lines[0].quantity": ""}, "lines", "Add at least one product."),
    ],
)
def test_refused_input_is_named_next_to_its_field_and_nothing_is_written(
    shop: Shop, bluebird_buyer, fields, field, message
) -> None:
    before = row_counts()
    response = create(bluebird_buyer, note="Keep this note", **fields)
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    found = re.search(
        rf'<p class="field-error" role="alert" data-field="{re.escape(field)}">(.*?)</p>', text
    )
    assert found, text
    assert message in found.group(1)
    assert "Keep this note</textarea>" in text
    assert form_value(text, "new_customer.company_name") == "Acme Labs"
    for name, value in fields.items():
        if name.startswith("lines["):
            assert form_value(text, name) == value
    assert changed(before, row_counts()) == {}


def test_more_lines_keeps_what_was_typed(shop: Shop, bluebird_buyer) -> None:
    response = create(bluebird_buyer, action="more_lines")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert form_value(text, "lines[0].sku") == "SHD-STD-1Y"
    assert 'name="lines[7].sku"' in text
    assert quote_count() == 0


# Changing a quote


def test_editing_a_draft_keeps_its_revision(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop)
    form = page(bluebird_buyer, f"/quotes/{quote.number}/edit")
    assert "revision 2" not in form
    response = post(
        bluebird_buyer,
        f"/quotes/{quote.number}/edit",
        quote_form(end_customer_choice="existing", customer_id=str(quote.customer_id))
        | {"lines[0].quantity": "5"},
    )
    assert response.status_code == 303
    quote = the_quote(quote.number)
    assert (quote.revision, quote.status, quote.lines[0].quantity) == (1, "draft", 5)
    assert quote.events[-1].kind == "edited"


def test_editing_a_sent_quote_makes_a_new_revision(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop, status=QuoteStatus.SENT)
    form = page(bluebird_buyer, f"/quotes/{quote.number}/edit")
    assert 'data-revision="2"' in form
    assert "the link the customer has stops working" in form
    assert form_value(form, "lines[0].quantity") == "2"
    values = quote_form(end_customer_choice="existing", customer_id=str(quote.customer_id))
    response = post(
        bluebird_buyer, f"/quotes/{quote.number}/edit", values | {"lines[0].quantity": "4"}
    )
    assert response.status_code == 303
    quote = the_quote(quote.number)
    assert (quote.revision, quote.status) == (2, "draft")
    assert [e.kind for e in quote.events][-1] == "revised"
    detail = page(bluebird_buyer, f"/quotes/{quote.number}")
    assert "is now revision 2, a draft" in detail
    assert "Changed after sending: revision 2" in detail


def test_a_refused_edit_changes_nothing(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop, status=QuoteStatus.SENT)
    values = quote_form(end_customer_choice="existing", customer_id=str(quote.customer_id))
    before = row_counts()
    response = post(
        bluebird_buyer, f"/quotes/{quote.number}/edit", values | {"lines[0].quantity": "0"}
    )
    assert response.status_code == 422
    assert changed(before, row_counts()) == {}
    quote = the_quote(quote.number)
    assert (quote.revision, quote.status, quote.lines[0].quantity) == (1, "sent", 2)


def test_an_ordered_quote_cannot_be_edited(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop, status=QuoteStatus.ACCEPTED)
    assert services.move(quote, ("accepted",), QuoteStatus.ORDERED)
    db.session.commit()
    response = bluebird_buyer.get(f"/quotes/{quote.number}/edit")
    assert response.status_code == 303
    detail = page(bluebird_buyer, f"/quotes/{quote.number}")
    assert "This quote can no longer be changed." in detail
    assert "edit-quote" not in detail


def test_withdraw(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop, status=QuoteStatus.SENT)
    response = post(bluebird_buyer, f"/quotes/{quote.number}/withdraw")
    assert response.status_code == 303
    assert the_quote(quote.number).status == "withdrawn"
    detail = page(bluebird_buyer, f"/quotes/{quote.number}")
    assert "no longer works" in detail
    assert 'data-kind="withdrawn"' in detail
    again = post(bluebird_buyer, f"/quotes/{quote.number}/withdraw")
    assert again.status_code == 422
    assert "This quote can no longer be withdrawn." in again.get_data(as_text=True)


# Who may see and do what


def test_a_viewer_reads_quotes_but_cannot_make_or_change_them(
    shop: Shop, bluebird_buyer, client_for
) -> None:
    quote = make_quote(shop, status=QuoteStatus.SENT)
    reseller_user(
        shop.user("buyer@bluebird.example").company_id, "viewer@bluebird.example", "viewer"
    )
    viewer = client_for("northwind.localhost")
    viewer.login("viewer@bluebird.example")
    listed = page(viewer, "/quotes")
    assert quote.number in listed
    assert "New quote" not in listed
    detail = page(viewer, f"/quotes/{quote.number}")
    assert "withdraw-quote" not in detail
    assert "edit-quote" not in detail
    assert viewer.get("/quotes/new").status_code == 403
    assert viewer.get(f"/quotes/{quote.number}/edit").status_code == 403
    for path in (
        "/quotes/new",
        f"/quotes/{quote.number}/edit",
        f"/quotes/{quote.number}/withdraw",
        f"/quotes/{quote.number}/send",
        f"/quotes/{quote.number}/order",
    ):
        assert post(viewer, path, quote_form()).status_code == 403
    assert the_quote(quote.number).status == "sent"


def test_another_companys_quote_is_not_found(shop: Shop, bluebird_buyer) -> None:
    theirs = make_quote(shop, buyer=other_reseller(shop))
    assert theirs.number not in page(bluebird_buyer, "/quotes")
    assert bluebird_buyer.get(f"/quotes/{theirs.number}").status_code == 404
    assert bluebird_buyer.get(f"/quotes/{theirs.number}/edit").status_code == 404
    for action in ("edit", "withdraw", "send", "order"):
        assert (
            post(bluebird_buyer, f"/quotes/{theirs.number}/{action}", quote_form()).status_code
            == 404
        )
    assert the_quote(theirs.number).status == "draft"


def test_a_quote_of_another_tenant_is_not_found(shop_at, client_for) -> None:
    alpen = shop_at("alpenhandel.localhost")
    quote = make_quote(alpen)
    northwind = client_for("northwind.localhost")
    northwind.login("buyer@bluebird.example")
    assert northwind.get(f"/quotes/{quote.number}").status_code == 404
    assert post(northwind, f"/quotes/{quote.number}/withdraw").status_code == 404
    alpenhandel = client_for("alpenhandel.localhost")
    alpenhandel.login("buyer@bluebird.example")
    assert alpenhandel.get(f"/quotes/{quote.number}").status_code == 200


def test_distributor_staff_have_no_quote_pages(northwind) -> None:
    northwind.login("finance@northwind.example")
    assert northwind.get("/quotes").status_code == 403
    assert northwind.get("/quotes/new").status_code == 403


def test_the_nav_links_to_quotes_for_resellers(bluebird_buyer) -> None:
    assert 'href="/quotes"' in bluebird_buyer.get("/").get_data(as_text=True)
