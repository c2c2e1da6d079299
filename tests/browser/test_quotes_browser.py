"""A quote's whole loop in Chromium, on a served demo whose cards go to localstripe.

Northwind's partner manager lets Gold resellers' special prices up to 15% off through
without a person; Bluebird's buyer quotes two Shield Standard licenses to a new end
customer at a 25% markup, asks 10% off the buy price on the line (approved at once)
and sends the quote. The end customer opens the mailed link in another browser context
(no account), on a phone too, and pays with 4242 4242 4242 4242. Then: the order is
Bluebird's, at the special price; the margin is Bluebird's credit note; localstripe
holds exactly one succeeded PaymentIntent, for the resale total.

The demo is served for this module alone (the special price rule it writes would change
what other browser tests see), with Stripe pointed at the session's localstripe.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
import stripe

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.served import served_demo
from tests.mail_fixtures import Inbox
from tests.stripe_fixtures import WEBHOOK_SECRET, LocalStripe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOST = "northwind.localhost"
PASSWORD = "channelfront-demo"
BUYER = "buyer@bluebird.example"
PARTNER_MANAGER = "partners@northwind.example"
CUSTOMER_EMAIL = "it@harbor-labs.example"
CUSTOMER_NAME = "Harbor Labs"
SKU = "SHD-STD-1Y"
QUANTITY = 2
LINK = re.compile(r"https?://\S+")
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: tuple[Inbox, int],
    localstripe_server: str,
) -> Iterator[tuple[int, Path]]:
    """The demo under gunicorn, cards in test mode on localstripe; (port, database file)."""
    workdir = tmp_path_factory.mktemp("quotes-browser")
    with served_demo(
        workdir,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_server[1]),
        STRIPE_SECRET_KEY="sk_test_quotes_browser",
        STRIPE_API_BASE=localstripe_server,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_PUBLISHABLE_KEY=None,
    ) as port:
        yield port, workdir / "storefront.db"


@pytest.fixture(scope="module")
def browser(served: tuple[int, Path]):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def cards(localstripe_server: str) -> LocalStripe:
    server = LocalStripe(
        localstripe_server,
        stripe.StripeClient(
            "sk_test_quotes_browser",
            base_addresses={"api": localstripe_server},
            max_network_retries=0,
        ),
    )
    server.wipe()
    return server


def at(port: int, path: str) -> str:
    return f"http://{HOST}:{port}{path}"


def half_even(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / denominator).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def shown(minor: int) -> str:
    """An amount in cents as the English pages write it, without the sign ("1,234.50")."""
    return f"{Decimal(minor).scaleb(-2):,.2f}"


def rows(database: Path, sql: str, *params: object) -> list[tuple]:
    """Read the served demo's database (read only, outside the app)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


def mail_about(mail: Inbox, address: str, part: str, timeout: float = 10) -> EmailMessage:
    """The newest mail to ``address`` with a link containing ``part`` (waiting for it:
    the outbox hands mail to SMTP after the request's commit)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.to(address) if part in m.get_content()]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            pytest.fail(f"no mail to {address} with {part!r}; got {len(mail.to(address))}")
        time.sleep(0.1)


def link_in(message: EmailMessage, part: str) -> str:
    found = [url for url in LINK.findall(message.get_content()) if part in url]
    assert found, message.get_content()
    return found[0]


def submit(page, form) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def signed_in(browser, port: int, email: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="en-US", viewport=DESK).new_page()
    page.goto(at(port, "/login"))
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", PASSWORD)
    submit(page, page.locator("main form:has([name=password])"))
    assert "/login" not in page.url, page.locator("main").inner_text()
    return page


def open_page(page, port: int, path: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(at(port, path))
    assert response is not None
    assert response.status == 200, f"{path}: {response.status}"


def flash(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(".flash, .flashes, [role=status], [role=alert]").all_inner_texts()


def gold_rule(port: int, browser) -> None:  # type: ignore[no-untyped-def]
    """The partner manager lets Gold's requests up to 15% off, lines up to $5,000, through."""
    staff = signed_in(browser, port, PARTNER_MANAGER)
    open_page(staff, port, "/partners/special-price-rules")
    form = staff.locator("main section.special-rule:has(h2:text-is('Gold')) form")
    assert form.count() == 1, staff.locator("main").inner_text()
    form.locator("[name=auto_max_discount_percent]").fill("15")
    form.locator("[name=auto_max_line_total]").fill("5000.00")
    submit(staff, form)
    assert staff.url.endswith("/partners/special-price-rules"), staff.locator("main").inner_text()
    assert "Gold" in " ".join(flash(staff))
    staff.context.close()


def new_quote(buyer, port: int) -> str:  # type: ignore[no-untyped-def]
    """The buyer quotes the line to a new end customer at a 25% markup; the quote's number."""
    open_page(buyer, port, "/quotes/new")
    form = buyer.locator("main form:has([name='lines[0].sku'])")
    form.locator("[name='lines[0].sku']").fill(SKU)
    form.locator("[name='lines[0].quantity']").fill(str(QUANTITY))
    form.locator("[name=end_customer_choice][value=new]").check()
    for name, value in {
        "company_name": CUSTOMER_NAME,
        "contact_name": "Harper Harbor",
        "email": CUSTOMER_EMAIL,
        "country": "US",
    }.items():
        form.locator(f"[name='new_customer.{name}']").fill(value)
    form.locator("[name=pricing_mode][value=markup]").check()
    form.locator("[name=pricing_percent]").fill("25")
    form.locator("[name=note]").fill("Two seats for the Harbor Labs office.")
    submit(buyer, form)  # the first button saves the draft
    match = re.search(r"/quotes/([A-Z]+-Q-\d{6})$", buyer.url)
    assert match, buyer.locator("main").inner_text()
    return match.group(1)


def ask_special_price(buyer) -> None:  # type: ignore[no-untyped-def]
    """10% off the buy price on the quote's line: Gold's rule approves it at once."""
    ask = buyer.locator(f"main tr.quote-line[data-sku='{SKU}'] details.special-price-ask")
    assert ask.count() == 1, buyer.locator("main").inner_text()
    ask.locator("summary").click()
    form = ask.locator("form[action*='/special-price']")
    form.locator("[name=discount_percent]").fill("10")
    form.locator("[name=justification]").fill("Competing offer from another distributor.")
    submit(buyer, form)
    assert "The special price is approved." in " ".join(flash(buyer)), buyer.locator(
        "main"
    ).inner_text()


def send_quote(buyer, number: str) -> None:  # type: ignore[no-untyped-def]
    form = buyer.locator(f"main form[action$='/quotes/{number}/send']")
    assert form.count() == 1, buyer.locator("main").inner_text()
    submit(buyer, form)
    assert f"Quote {number} is sent to {CUSTOMER_EMAIL}." in " ".join(flash(buyer))


def fits_a_phone(browser, url: str) -> None:  # type: ignore[no-untyped-def]
    phone = browser.new_context(locale="en-US", viewport=PHONE)
    page = phone.new_page()
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    phone.close()
    assert width <= PHONE["width"], f"the customer's page is {width} px wide on a phone"


def pay(page) -> None:  # type: ignore[no-untyped-def]
    """The customer pays with the test card on the page (typed card: test mode)."""
    form = page.locator("main form:has([name=card_number])")
    assert form.count() == 1, page.locator("main").inner_text()
    form.locator("[name=card_number]").fill("4242 4242 4242 4242")
    form.locator("[name=expiry]").fill("12/34")
    form.locator("[name=cvc]").fill("123")
    submit(page, form)


def test_a_quote_from_markup_to_the_customer_paying_by_card(
    browser, served: tuple[int, Path], cards: LocalStripe, smtp_server: tuple[Inbox, int]
) -> None:
    port, database = served
    mail = smtp_server[0]
    gold_rule(port, browser)

    buyer = signed_in(browser, port, BUYER)
    number = new_quote(buyer, port)
    [(quote_id, resale_total, status)] = rows(
        database, "SELECT id, resale_total_minor, status FROM quote WHERE number = ?", number
    )
    [(buy_unit, resale_unit)] = rows(
        database,
        "SELECT buy_unit_minor, resale_unit_minor FROM quote_line WHERE quote_id = ?",
        quote_id,
    )
    assert status == "draft"
    assert resale_unit == half_even(buy_unit * 125, 100)
    assert resale_total == resale_unit * QUANTITY

    ask_special_price(buyer)
    [(request_status, auto, approved_unit)] = rows(
        database,
        "SELECT status, auto_approved, approved_unit_minor FROM special_price_request "
        "WHERE quote_id = ?",
        quote_id,
    )
    assert (request_status, auto) == ("approved", 1)
    assert approved_unit == half_even(buy_unit * 90, 100)

    send_quote(buyer, number)
    message = mail_about(mail, CUSTOMER_EMAIL, "/q/")
    link = link_in(message, "/q/")
    buy_prices = {buy_unit, buy_unit * QUANTITY, approved_unit, approved_unit * QUANTITY}
    assert shown(resale_total) in message.get_content()
    assert not [m for m in buy_prices if shown(m) in message.get_content()]

    # The end customer: another browser, no account.
    customer = browser.new_context(locale="en-US", viewport=DESK).new_page()
    response = customer.goto(link)
    assert response is not None
    assert response.status == 200
    html = customer.content()
    text = customer.locator("main").inner_text()
    assert CUSTOMER_NAME in text
    assert "Bluebird IT" in text
    assert shown(resale_total) in text
    for minor in buy_prices:
        for written in {shown(minor), shown(minor).replace(",", ""), str(minor)}:
            assert written not in html, f"buy price {written} on the customer's page"
    fits_a_phone(browser, link)
    assert rows(database, "SELECT status FROM quote WHERE id = ?", quote_id) == [("viewed",)]

    # A second tab keeps the form open: its payment comes after the first one.
    stale = customer.context.new_page()
    stale.goto(link)
    pay(customer)
    paid = customer.locator("main .quote-paid")
    assert paid.count() == 1, customer.locator("main").inner_text()

    # The order: Bluebird's, for the end customer, at the special price, paid by card.
    [(order_id, order_number, order_total, method, order_status, company, for_customer)] = rows(
        database,
        "SELECT o.id, o.number, o.total_minor, o.payment_method, o.status, c.name, "
        "o.customer_id = q.customer_id FROM purchase_order o "
        "JOIN quote q ON q.order_id = o.id JOIN company c ON c.id = o.company_id "
        "WHERE q.id = ?",
        quote_id,
    )
    assert (company, for_customer) == ("Bluebird IT", 1)
    assert method == "end_customer_card"
    assert order_status in ("paid", "fulfilled", "invoiced"), order_status
    order_lines = rows(
        database,
        "SELECT unit_price_minor, price_source, quantity FROM order_line WHERE order_id = ?",
        order_id,
    )
    assert [(unit, source) for unit, source, _q in order_lines] == [(approved_unit, "special")]
    assert order_total == approved_unit * QUANTITY
    assert rows(database, "SELECT status FROM quote WHERE id = ?", quote_id) == [("paid",)]

    # The margin is Bluebird's credit note, shown on its commissions page.
    margin = resale_total - order_total
    [(note_number, note_amount)] = rows(
        database, "SELECT number, amount_minor FROM credit_note WHERE order_id = ?", order_id
    )
    assert note_amount == margin
    open_page(buyer, port, "/commissions")
    note = buyer.locator(f"main tr.credit-note-row[data-credit-note='{note_number}']")
    assert note.count() == 1, buyer.locator("main").inner_text()
    assert order_number in note.inner_text()
    assert shown(margin) in note.inner_text()
    open_page(buyer, port, f"/quotes/{number}")
    assert buyer.locator("main article.quote-page").get_attribute("data-status") == "paid"
    assert buyer.locator("main .quote-order").inner_text() == order_number

    # The customer's card was charged once, the resale total.
    intents = cards.intents()
    assert [(i.status, i.amount, i.currency) for i in intents] == [
        ("succeeded", resale_total, "usd")
    ]

    # Paying again from the stale tab charges nothing more, and says the quote is paid.
    assert order_number in paid.inner_text()
    pay(stale)
    assert stale.locator("main .quote-paid").count() == 1, stale.locator("main").inner_text()
    assert stale.locator("main form:has([name=card_number])").count() == 0
    assert "This quote is already paid. Nothing more was charged." in flash(stale)
    assert len(cards.intents()) == 1
