"""A deal's whole way in Chromium, on a demo served for this module: Bluebird's CRM
registers the deal through the API; Northwind's partner manager approves it on the
partner page; the buyer makes a quote from the deal, sends it, the end customer accepts
it on its link, and the buyer orders it on account. The CRM ids are on the quote page,
the order page and the API's order JSON. The deal pages fit a 390 px phone."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.served import ROOT, demo_env, served_demo
from tests.mail_fixtures import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOST = "northwind.localhost"
PASSWORD = "channelfront-demo"
BUYER = "buyer@bluebird.example"
MANAGER = "partners@northwind.example"
CUSTOMER = "it@crm-browser.example"
FLASK = (sys.executable, "-m", "flask", "--app", "wsgi")
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CRM = {"external_id": "SF-0066X", "crm_account_id": "SF-ACC-7", "crm_opportunity_id": "SF-OPP-9"}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[Inbox, int]
) -> Iterator[tuple[int, str]]:
    """The demo under gunicorn and an API token of Bluebird's buyer; (port, token)."""
    workdir = tmp_path_factory.mktemp("deals-browser")
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server[1])}
    with served_demo(workdir, **settings) as port:
        done = subprocess.run(
            [*FLASK, "api-token", "create", BUYER, "northwind"],
            cwd=ROOT,
            env=demo_env(workdir, **settings),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        yield port, done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def browser(served: tuple[int, str]):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def at(port: int, path: str) -> str:
    return f"http://{HOST}:{port}{path}"


def api(port: int, token: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Host": HOST,
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
        return json.loads(answer.read())


def signed_in(browser, port: int, email: str, viewport: dict[str, int] = DESK):  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="en-US", viewport=viewport).new_page()
    page.goto(at(port, "/login"))
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form:has([name=password]) button[type=submit]").first.click()
    assert "/login" not in page.url, page.locator("main").inner_text()
    return page


def click(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator(selector).first.click()


def open_page(page, port: int, path: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(at(port, path))
    assert response is not None
    assert response.status == 200, f"{path}: {response.status}"


def mail_with(mail: Inbox, address: str, part: str, timeout: float = 10) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.to(address) if part in m.get_content()]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            pytest.fail(f"no mail to {address} with {part!r}")
        time.sleep(0.1)


def register(port: int, token: str, **changes: str) -> dict[str, Any]:
    close = (datetime.now(UTC).date() + timedelta(days=45)).isoformat()
    return api(
        port,
        token,
        "POST",
        "/deals",
        {
            **CRM,
            "end_customer": {
                "company_name": "CRM Browser Labs",
                "contact_name": "Robin Browser",
                "email": CUSTOMER,
                "country": "US",
            },
            "lines": [{"sku": "SHD-STD-1Y", "quantity": 3}],
            "expected_value": "900.00",
            "expected_close": close,
            **changes,
        },
    )


def assert_crm_on(page) -> None:  # type: ignore[no-untyped-def]
    ids = page.locator("main .crm-ids").inner_text()
    for value in CRM.values():
        assert value in ids, ids


def test_deal_from_the_api_to_an_order_with_the_crm_ids(
    browser, served: tuple[int, str], smtp_server: tuple[Inbox, int]
) -> None:
    port, token = served
    mail = smtp_server[0]
    deal = register(port, token)
    assert deal["status"] == "pending"

    manager = signed_in(browser, port, MANAGER)
    open_page(manager, port, "/partners/deals")
    assert deal["number"] in manager.locator("main").inner_text()
    open_page(manager, port, f"/partners/deals/{deal['id']}")
    click(manager, "main button.approve-deal")
    assert manager.url.endswith("/partners/deals"), manager.locator("main").inner_text()
    manager.context.close()

    buyer = signed_in(browser, port, BUYER)
    open_page(buyer, port, f"/deals/{deal['number']}")
    assert buyer.locator("main .deal-status").get_attribute("data-status") == "approved"
    assert buyer.locator("main .protected-until").count() == 1
    click(buyer, "main a.create-quote")
    form = buyer.locator("main form:has([name='lines[0].sku'])")
    assert form.locator("[name=deal]").get_attribute("value") == deal["number"]
    form.locator("[name=pricing_mode][value=markup]").check()
    form.locator("[name=pricing_percent]").fill("15")
    with buyer.expect_navigation():
        form.locator("button[type=submit]").first.click()
    match = re.search(r"/quotes/([A-Z]+-Q-\d{6})$", buyer.url)
    assert match, buyer.locator("main").inner_text()
    quote_number = match.group(1)
    assert_crm_on(buyer)

    click(buyer, "main button.send-quote")
    message = mail_with(mail, CUSTOMER, "/q/")
    link = re.search(r"https?://\S+/q/\S+", message.get_content())
    assert link
    customer = browser.new_context(locale="en-US", viewport=PHONE).new_page()
    customer.goto(link.group(0).replace(f"http://{HOST}/", f"http://{HOST}:{port}/"))
    click(customer, "main section.quote-accept button[type=submit]")
    customer.context.close()

    open_page(buyer, port, f"/quotes/{quote_number}")
    click(buyer, "main button.order-quote")
    if "/checkout" not in buyer.url:  # a full cart is replaced once asked
        click(buyer, "main button.order-quote")
    assert "/checkout" in buyer.url, buyer.locator("main").inner_text()
    notes = buyer.locator("main input[name=apply_credit_notes]")
    if notes.count():
        notes.uncheck()
    buyer.check("main input[name=payment_method][value=on_account]")
    click(buyer, "main form:has([name=payment_method]) button[type=submit]")
    order_match = re.search(r"/orders/([^/?#]+)$", buyer.url)
    assert order_match, buyer.locator("main").inner_text()
    order_number = order_match.group(1)
    assert_crm_on(buyer)

    order = api(port, token, "GET", f"/orders/{order_number}")
    assert order["deal"] == {
        "id": deal["id"],
        "number": deal["number"],
        "external_id": CRM["external_id"],
    }
    assert (order["crm_account_id"], order["crm_opportunity_id"]) == (
        CRM["crm_account_id"],
        CRM["crm_opportunity_id"],
    )
    won = api(port, token, "GET", f"/deals/{deal['id']}")
    assert (won["status"], won["quote"], won["order"]) == ("won", quote_number, order_number)
    buyer.context.close()


@pytest.mark.parametrize("path", ["/deals", "/deals/new", "deal"])
def test_deal_pages_fit_a_phone(browser, served: tuple[int, str], path: str) -> None:
    port, token = served
    if path == "deal":
        path = f"/deals/{register(port, token, external_id='SF-PHONE-1')['number']}"
    page = signed_in(browser, port, BUYER, PHONE)
    open_page(page, port, path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (path, width)
    page.context.close()
