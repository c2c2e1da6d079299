"""Customers, the customer import, quick order and webhooks on a 390 px phone, in Chromium.

A buyer searches the customer list and opens a customer, uploads a customer list with one
bad row and sees the row and field named (nothing imported), then a clean one and imports
it; pastes a quick order with an unknown SKU and sees the line named, then a clean one that
fills the cart. The company admin and the distributor admin open their webhook pages. No
page is wider than the phone. Screenshots go to ``tests/screenshots/``.
"""

from __future__ import annotations

import uuid

import pytest

from tests.browser.served import ROOT

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HOST = "northwind.localhost"
PASSWORD = "channelfront-demo"
SCREENSHOTS = ROOT / "tests" / "screenshots"
HEADER = "company_name,contact_name,email,country,vat_id,crm_account_id\n"


def at(port: int, path: str) -> str:
    return f"http://{HOST}:{port}{path}"


def fits(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"customers-{name}-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the {name} page is {width} px wide on a phone"


def signed_in(browser, port: int, email: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    page.goto(at(port, "/login"))
    login = page.locator("form", has=page.locator("input[name=password]"))
    login.locator("input[name=email]").fill(email)
    login.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        login.locator("button[type=submit]").click()
    return context, page


def upload(page, port: int, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(at(port, "/customers/import"))
    form = page.locator("form.import-upload")
    form.locator("input[name=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_customer_pages_import_and_quick_order_fit_a_phone(browser, base_port: int) -> None:
    context, page = signed_in(browser, base_port, "buyer@bluebird.example")
    tag = uuid.uuid4().hex[:8]

    upload(
        page, base_port, "bad.csv", HEADER + f"Phone Co {tag},Pat,pat-{tag}@phone.example,XX,,\n"
    )
    fits(page, "import-invalid")
    error = page.locator("table.import-errors tr[data-row]")
    assert error.count() == 1
    assert (error.get_attribute("data-row"), error.get_attribute("data-field")) == ("2", "country")
    assert page.locator("button.import-run").count() == 0
    fits(page, "import-invalid")

    upload(
        page,
        base_port,
        "good.csv",
        HEADER + f"Phone Co {tag},Pat,pat-{tag}@phone.example,US,,CRM-{tag}\n",
    )
    with page.expect_navigation():
        page.locator("button.import-run").click()
    assert page.locator(".import-done").is_visible()
    fits(page, "import-done")

    page.goto(at(base_port, f"/customers?q=CRM-{tag}"))
    rows = page.locator("a.customer-name")
    assert rows.count() == 1
    fits(page, "list")
    with page.expect_navigation():
        rows.first.click()
    assert f"Phone Co {tag}" in page.locator("main").inner_text()
    fits(page, "detail")

    page.goto(at(base_port, "/cart/quick"))
    page.locator("textarea[name=lines]").fill("NOPE-SKU, 1\nshd-std-1y, 2")
    with page.expect_navigation():
        page.locator(".quick-order form button[type=submit]").click()
    errors = page.locator(".quick-order-errors li")
    assert errors.count() == 1
    assert errors.first.get_attribute("data-line") == "1"
    fits(page, "quick-order-errors")
    page.locator("textarea[name=lines]").fill("shd-std-1y, 2")
    with page.expect_navigation():
        page.locator(".quick-order form button[type=submit]").click()
    assert page.url.endswith("/cart")
    assert "SHD-STD-1Y" in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize(
    ("email", "start", "path"),
    [
        ("admin@bluebird.example", "/company/users", "/company/webhooks"),
        ("admin@northwind.example", "/partners", "/partners/webhooks"),
    ],
)
def test_webhook_pages_are_linked_and_fit_a_phone(
    browser, base_port: int, email: str, start: str, path: str
) -> None:
    context, page = signed_in(browser, base_port, email)
    page.goto(at(base_port, start))
    with page.expect_navigation():
        page.locator(f"main a[href='{path}']").click()
    assert page.locator("input[name=url]").is_visible()
    fits(page, "webhooks-" + path.strip("/").replace("/", "-"))
    context.close()
