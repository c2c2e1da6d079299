"""From the console's wizard to a reseller's first paid order, in Chromium, for a tenant
that the demo does not know: no seed row is made for it.

A vendor admin first makes the tenant's look in the theme editor: a stored theme from the
Harbor pack with its own colours, a flat header and a PNG logo, published. It onboards
"Severn Trading" (GBP, severn.localhost) choosing that theme and no colours of its own,
which is how a new tenant gets a logo: list prices are imported from an uploaded CSV
file, a program with one category discount is made, the distributor's admin is invited,
the checklist passes without waivers and the tenant goes live; the admin then gives it
its own sender and support addresses. The distributor admin accepts the invitation from
the mail. A reseller applies at ``/apply``, confirms its address, is approved into the
program by the distributor admin, accepts its own invitation and signs in; the
storefront's header shows the theme's logo and primary colour. It sees the GBP prices,
saves a card, orders one subscription for an end customer and pays by card
(localstripe). The order is fulfilled with a license key, and the buyer's mail comes from
"Severn Trading" <orders@severn.example> with an HTML part in the tenant's layout: the
theme's logo, loaded from the tenant's host, and its primary colour.

The demo is served for this module alone, with cards on the session's localstripe
(the shared demo of the other browser tests has no card payments).
"""

from __future__ import annotations

import hashlib
import re
import struct
import time
import zlib
from collections.abc import Iterator
from decimal import Decimal
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
import stripe

from channelfront.demo.catalog_data import products
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.served import served_demo
from tests.mail_fixtures import Inbox
from tests.stripe_fixtures import WEBHOOK_SECRET, LocalStripe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = "admin.localhost"
HOST = "severn.localhost"
TENANT = "Severn Trading"
SENDER = "orders@severn.example"
SUPPORT = "help@severn.example"
VENDOR_ADMIN = "admin@nimbus.example"
DEMO_PASSWORD = "channelfront-demo"
LEAD = "lead@severn.example"
RESELLER = "rhian@riverside.example"
PASSWORD = "severn-bore-5520"
STRIPE_KEY = "sk_test_first_order"
THEME = "Severn Green"
THEME_SLUG = "severn-green"
PRIMARY = "#0b3d2e"
ACCENT = "#005a8c"
SKU = "SHD-STD-1Y"
LIST_PENCE = 8900  # what the CSV sets for SKU: £89.00
DISCOUNT = 20  # the program's discount on Security
LINK = re.compile(r"https?://\S+")
DESK = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def port(
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: tuple[Inbox, int],
    localstripe_server: str,
) -> Iterator[int]:
    workdir = tmp_path_factory.mktemp("first-order-browser")
    with served_demo(
        workdir,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_server[1]),
        STRIPE_SECRET_KEY=STRIPE_KEY,
        STRIPE_API_BASE=localstripe_server,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_PUBLISHABLE_KEY=None,
    ) as served_port:
        yield served_port


@pytest.fixture(scope="module")
def browser(port: int):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def cards(localstripe_server: str) -> LocalStripe:
    client = stripe.StripeClient(
        STRIPE_KEY, base_addresses={"api": localstripe_server}, max_network_retries=0
    )
    server = LocalStripe(localstripe_server, client)
    server.wipe()
    return server


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour RGB PNG, made with zlib and struct only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


LOGO = png(96, 32, (11, 61, 46))
LOGO_PATH = f"/brand/logos/{hashlib.sha256(LOGO).hexdigest()}"


def at(host: str, port: int, path: str) -> str:
    return f"http://{host}:{port}{path}"


def main_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("main").inner_text()


def submit(page, field_name: str) -> None:  # type: ignore[no-untyped-def]
    """Click the submit button of the form holding the named field, and wait for the page."""
    form = page.locator(f"main form:has([name={field_name}])")
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def sign_in(page, host: str, port: int, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(at(host, port, "/login"))
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", password)
    submit(page, "password")
    assert "/login" not in page.url, main_text(page)


def mail_to(mail: Inbox, address: str, part: str, timeout: float = 10) -> EmailMessage:
    """The newest mail to ``address`` whose text holds ``part``, waiting for it: the
    outbox hands mail to SMTP after the request's commit."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.to(address) if part in m.get_content()]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            pytest.fail(f"no mail to {address} with {part!r}; got {len(mail.to(address))}")
        time.sleep(0.1)


def link_in(message: EmailMessage, part: str, port: int) -> str:
    """The mailed link holding ``part``, on the served port (the mail names the host only)."""
    found = [url for url in LINK.findall(message.get_content()) if part in url]
    assert found, message.get_content()
    assert f"//{HOST}" in found[0], found[0]
    return re.sub(r"//[^/]+/", f"//{HOST}:{port}/", found[0], count=1)


def price_list(path: Path) -> Path:
    """The vendor's whole catalog in pounds, as a spreadsheet would save it."""
    rows = ["sku,amount"]
    for item in products():
        pence = LIST_PENCE if item.sku == SKU else round(item.usd_cents * 79 / 100)
        rows.append(f"{item.sku},{Decimal(pence).scaleb(-2):.2f}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def pounds(pence: int) -> str:
    return f"£{Decimal(pence).scaleb(-2):,.2f}"


def make_the_theme(page, port: int) -> None:  # type: ignore[no-untyped-def]
    """The vendor admin's stored theme for the new tenant: Harbor with its own colours, a
    flat header bar in the primary colour and a PNG logo, saved as version 2 and published."""
    page.goto(at(ADMIN, port, "/admin/themes/new"))
    page.fill("main input[name=name]", THEME)
    page.fill("main input[name=slug]", THEME_SLUG)
    page.select_option("main select[name=parent]", label="Harbor")
    submit(page, "slug")
    assert f"Theme {THEME} is created as version 1." in main_text(page)
    page.fill("main input[type=color][name=primary]", PRIMARY)
    page.fill("main input[type=color][name=accent]", ACCENT)
    page.select_option("main select[name=header]", "flat")
    page.set_input_files(
        "main input[type=file][name=logo]",
        files=[{"name": "severn.png", "mimeType": "image/png", "buffer": LOGO}],
    )
    submit(page, "accent")
    assert f"Version 2 of {THEME} is saved." in main_text(page), main_text(page)
    assert page.locator("main img.current-logo").get_attribute("src") == LOGO_PATH
    with page.expect_navigation():
        page.locator("main tr[data-version='2']").get_by_role("button", name="Publish").click()
    assert f"Version 2 of {THEME} is published." in main_text(page)


def run_the_wizard(page, port: int, prices_csv: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(at(ADMIN, port, "/admin/onboarding"))
    page.fill("main input[name=name]", TENANT)
    page.fill("main input[name=slug]", "severn")
    submit(page, "slug")
    assert page.url.endswith("/hosts"), main_text(page)
    page.fill("main textarea[name=hosts]", HOST)
    submit(page, "hosts")
    assert page.url.endswith("/theme"), main_text(page)
    # The stored theme brings the colours: the tenant sets none of its own.
    page.select_option("main select[name=theme]", THEME_SLUG)
    assert page.input_value("main input[name=primary_color]") == ""
    assert page.input_value("main input[name=accent_color]") == ""
    submit(page, "accent_color")
    assert page.url.endswith("/languages"), main_text(page)
    page.fill("main input[name=currency]", "GBP")
    submit(page, "currency")
    assert page.url.endswith("/prices"), main_text(page)

    unpriced = int(page.locator("main [data-unpriced]").get_attribute("data-unpriced") or "0")
    assert unpriced == len(products())
    page.set_input_files("main input[type=file][name=file]", str(prices_csv))
    submit(page, "file")
    assert page.locator("main tr[data-sku]").count() == len(products()), main_text(page)
    assert "89.00 GBP" in page.locator(f"main tr[data-sku='{SKU}']").inner_text()
    submit(page, "confirm")
    assert page.url.endswith("/programs"), main_text(page)
    assert f"{len(products())} list prices in GBP are saved." in main_text(page)

    page.fill("main input[name=slug]", "partners")
    page.fill("main input[name=name]", "Severn Partners")
    page.select_option("main select[name=target]", label="Security")
    page.fill("main input[name=discount]", str(DISCOUNT))
    submit(page, "discount")
    assert page.url.endswith("/staff"), main_text(page)
    page.fill("main input[name=email]", LEAD)
    page.fill("main input[name=name]", "Dylan Severn")
    submit(page, "email")
    assert page.url.endswith("/checklist"), main_text(page)

    checks = page.locator("main li[data-check]")
    assert checks.count() == 4
    for item in checks.all():
        assert item.get_attribute("data-ok") == "true", item.inner_text()
        assert "waived" not in item.inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Go live").click()
    assert f"{TENANT} is live." in main_text(page)


def set_mail_addresses(page, port: int) -> None:  # type: ignore[no-untyped-def]
    """The wizard leaves the tenant on the deployment's sender: the tenant page sets its own."""
    row = page.locator("main tr[data-tenant=severn]")
    assert row.locator("[data-status]").get_attribute("data-status") == "live"
    with page.expect_navigation():
        row.get_by_role("link", name="Edit").click()
    page.fill("main input[name=mail_sender]", SENDER)
    page.fill("main input[name=support_email]", SUPPORT)
    submit(page, "mail_sender")
    assert f"Tenant {TENANT} is saved." in main_text(page)
    assert page.input_value("main input[name=mail_sender]") == SENDER


def accept_invitation(page, link: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(link)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    submit(page, "confirm")
    assert "/login" not in page.url, main_text(page)


def apply_as_reseller(page, port: int, mail: Inbox) -> None:  # type: ignore[no-untyped-def]
    page.goto(at(HOST, port, "/apply"))
    for name, value in {
        "company_name": "Riverside Systems",
        "address_line": "4 Quay Parade",
        "postal_code": "GL1 2EH",
        "city": "Gloucester",
        "tax_id": "GB123456789",
        "website": "https://riverside.example",
        "contact_name": "Rhian Rivers",
        "contact_email": RESELLER,
    }.items():
        page.fill(f"main [name={name}]", value)
    page.select_option("main select[name=country]", "GB")
    page.select_option("main select[name=program]", label="Severn Partners")
    page.check("main input[name=terms]")
    submit(page, "company_name")
    assert page.url.endswith("/apply/sent"), main_text(page)
    verified = page.goto(link_in(mail_to(mail, RESELLER, "/apply/verify/"), "/apply/verify/", port))
    assert verified is not None
    assert verified.status == 200
    assert page.locator("main h1").inner_text() == "Thank you, Rhian Rivers"


def approve(page, port: int, mail: Inbox) -> None:  # type: ignore[no-untyped-def]
    """The distributor admin opens the application from its mail and enrolls the company."""
    page.goto(link_in(mail_to(mail, LEAD, "/partners/applications/"), "/applications/", port))
    assert "Riverside Systems" in main_text(page)
    assert page.locator("main select[name=program] option:checked").inner_text() == (
        "Severn Partners"
    )
    page.fill("main input[name=credit_limit]", "0")
    submit(page, "credit_limit")
    assert "Riverside Systems is enrolled; its admin is invited." in main_text(page)


def buy_by_card(page, port: int) -> str:  # type: ignore[no-untyped-def]
    """The reseller saves a card, orders one SKU for an end customer and pays; the number."""
    page.goto(at(HOST, port, f"/catalog/{SKU}"))
    product = page.locator(f"main .product-detail[data-sku='{SKU}']")
    buy = LIST_PENCE * (100 - DISCOUNT) // 100
    assert pounds(LIST_PENCE) in product.locator(".list-price").inner_text()
    assert pounds(buy) in product.locator(".buy-price").inner_text()
    assert product.locator(".price-source").get_attribute("data-source") == "category"
    submit(page, "sku")
    assert page.locator(".cart-link").get_attribute("data-cart-count") == "1"

    page.goto(at(HOST, port, "/checkout"))
    assert "no saved cards" in page.locator("main .payment").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Add or remove your company's saved cards").click()
    page.fill("main input[name=card_number]", "4242 4242 4242 4242")
    page.fill("main input[name=expiry]", "12/34")
    page.fill("main input[name=cvc]", "123")
    submit(page, "card_number")
    assert "/checkout" in page.url, main_text(page)

    page.check("main input[name=end_customer_choice][value=new]")
    for name, value in {
        "company_name": "Tewkesbury Abbey Works",
        "contact_name": "Tom Tewkes",
        "email": "it@tewkesbury.example",
        "country": "GB",
    }.items():
        page.fill(f"main input[name='new_customer.{name}']", value)
    page.check("main input[name=payment_method][value=card]")
    assert page.locator("main input[name=card_payment_method]:checked").count() == 1
    place = page.get_by_role("button", name=f"Place order for {pounds(buy)}")
    with page.expect_navigation():
        place.click()
    match = re.search(r"/orders/([A-Z0-9-]+)$", page.url)
    assert match, main_text(page)
    return match.group(1)


def test_a_new_tenant_goes_from_the_wizard_to_a_resellers_first_paid_order(
    browser, port: int, cards: LocalStripe, smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    mail = smtp_server[0]
    vendor = browser.new_context(locale="en-US", viewport=DESK).new_page()
    sign_in(vendor, ADMIN, port, VENDOR_ADMIN, DEMO_PASSWORD)
    make_the_theme(vendor, port)
    run_the_wizard(vendor, port, price_list(tmp_path / "severn-prices.csv"))
    set_mail_addresses(vendor, port)
    vendor.goto(at(ADMIN, port, "/admin/themes"))
    assert vendor.locator(f"main tr[data-theme={THEME_SLUG}] .tenants").inner_text() == TENANT

    # The distributor admin accepts the invitation from the mail, on the new host.
    lead = browser.new_context(locale="en-US", viewport=DESK).new_page()
    accept_invitation(
        lead, link_in(mail_to(mail, LEAD, "/invitations/"), "/invitations/", port), "Dylan Severn"
    )
    assert lead.get_by_text("Dylan Severn").count() >= 1

    # A reseller applies; the distributor admin enrolls it; it accepts and signs in.
    reseller = browser.new_context(locale="en-US", viewport=DESK).new_page()
    apply_as_reseller(reseller, port, mail)
    approve(lead, port, mail)
    invitation = mail_to(mail, RESELLER, "/invitations/")
    accept_invitation(reseller, link_in(invitation, "/invitations/", port), "Rhian Rivers")
    reseller.context.clear_cookies()
    sign_in(reseller, HOST, port, RESELLER, PASSWORD)
    assert reseller.get_by_text("Rhian Rivers").count() >= 1

    # The storefront wears the stored theme: its logo and its primary colour.
    logo = reseller.locator("header img.brand-logo")
    assert logo.get_attribute("src") == LOGO_PATH
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 96
    assert (
        reseller.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
        )
        == PRIMARY
    )
    header = reseller.locator("header.site-header")
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(11, 61, 46)"

    # The first order, paid by card and fulfilled with a license key.
    number = buy_by_card(reseller, port)
    # Paid, then fulfilled, then invoiced (the invoice is already paid) in one request.
    status = reseller.locator("main .order-status-region .order-status")
    assert status.get_attribute("data-status") == "invoiced", main_text(reseller)
    assert reseller.locator("main .payment-method").inner_text() == "Card"
    timeline = reseller.locator("main .timeline").inner_text()
    assert "Paid by card" in timeline
    assert "Fulfilled: licenses and subscriptions issued" in timeline
    keys = reseller.locator(f"main tr.license[data-sku='{SKU}'] .license-key")
    assert keys.count() == 1, main_text(reseller)
    key = keys.inner_text().strip()
    assert key
    assert reseller.locator("main .invoice-status").inner_text() == "Paid"
    buy = LIST_PENCE * (100 - DISCOUNT) // 100
    intents = cards.intents()
    assert [(i.status, i.amount, i.currency) for i in intents] == [("succeeded", buy, "gbp")]

    # The buyer's mail is the tenant's: its name and sender, its layout.
    fulfilled = mail_to(mail, RESELLER, number)
    name, address = parseaddr(str(fulfilled["From"]))
    assert (name, address) == (TENANT, SENDER)
    assert parseaddr(str(fulfilled["Reply-To"]))[1] == SUPPORT
    assert fulfilled.is_multipart()
    html = fulfilled.get_body(preferencelist=("html",))
    assert html is not None
    page = html.get_content()
    assert re.search(rf'<p class="brand"[^>]*>{TENANT}</p>', page), page
    assert re.search(rf'class="header"[^>]*style="background: {PRIMARY};', page), page
    logo_urls = re.findall(r'<img class="logo"[^>]* src="([^"]+)"', page)
    assert len(logo_urls) == 1, page
    assert re.fullmatch(rf"https?://{re.escape(HOST)}(:\d+)?{LOGO_PATH}", logo_urls[0])
    # A mail reader, signed in nowhere, loads it from the tenant's host: the editor's PNG.
    reader = browser.new_context().new_page()
    fetched = reader.goto(at(HOST, port, LOGO_PATH))
    assert fetched is not None
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.body() == LOGO
    assert key in page
    assert number in page
