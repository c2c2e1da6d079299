"""The reseller's quote pages on a 390 px phone: a buyer makes a quote with the form
(a markup for the whole quote), sees its margins, opens the edit form and finds it in the
list; no page is wider than the phone. Screenshots go to ``tests/screenshots/``."""

from __future__ import annotations

import pytest

from tests.browser.served import ROOT

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HOST = "northwind.localhost"
BUYER = "buyer@bluebird.example"
PASSWORD = "channelfront-demo"
SCREENSHOTS = ROOT / "tests" / "screenshots"


def at(port: int, path: str) -> str:
    return f"http://{HOST}:{port}{path}"


def fits(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"quote-{name}-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the {name} page is {width} px wide on a phone"


def test_the_quote_pages_fit_a_phone(browser, base_port: int) -> None:
    context = browser.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    page.goto(at(base_port, "/login"))
    login = page.locator("form", has=page.locator("input[name=password]"))
    login.locator("input[name=email]").fill(BUYER)
    login.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        login.locator("button[type=submit]").click()

    page.goto(at(base_port, "/quotes/new"))
    fits(page, "form")
    form = page.locator("form.quote-form")
    form.locator("input[name=end_customer_choice][value=new]").check()
    form.locator("[name='new_customer.company_name']").fill("Phone Customer Ltd")
    form.locator("[name='new_customer.contact_name']").fill("Pat Phone")
    form.locator("[name='new_customer.email']").fill("pat@phone.example")
    form.locator("[name='new_customer.country']").fill("US")
    form.locator("[name='lines[0].sku']").fill("SHD-STD-1Y")
    form.locator("[name='lines[0].quantity']").fill("3")
    form.locator("input[name=pricing_mode][value=markup]").check()
    form.locator("[name=pricing_percent]").fill("15")
    with page.expect_navigation():
        form.locator("button.button[type=submit]").click()
    assert "is saved as a draft" in page.locator("main").inner_text()
    assert page.locator(".quote-line[data-sku='SHD-STD-1Y'] .line-margin").is_visible()
    fits(page, "detail")

    number = page.locator("article.quote-page").get_attribute("data-quote")
    page.goto(at(base_port, f"/quotes/{number}/edit"))
    assert page.locator("[name=pricing_percent]").input_value() == "15"
    fits(page, "edit")

    page.goto(at(base_port, f"/quotes?q={number}"))
    assert page.locator(f"tr[data-quote='{number}']").count() == 1
    fits(page, "list")
    context.close()
