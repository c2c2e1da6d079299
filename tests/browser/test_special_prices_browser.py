"""Special prices on a 390 px phone, in Chromium: Bluebird's buyer asks for a price on a
quote's line (Gold has no rule on the shared demo, so it waits); Northwind's partner
manager finds it in the queue and counters; the buyer accepts the offer; vendor staff
read the console's list. No page is wider than the phone. Screenshots go to
``tests/screenshots/``. Nothing here writes a rule: the served demo is shared."""

from __future__ import annotations

import re

import pytest

from tests.browser.served import ROOT

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HOST = "northwind.localhost"
PASSWORD = "channelfront-demo"
SCREENSHOTS = ROOT / "tests" / "screenshots"


def at(port: int, path: str, host: str = HOST) -> str:
    return f"http://{host}:{port}{path}"


def fits(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"special-{name}-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the {name} page is {width} px wide on a phone"


def phone(browser, port: int, email: str, host: str = HOST):  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="en-US", viewport=PHONE).new_page()
    page.goto(at(port, "/login", host))
    login = page.locator("form", has=page.locator("input[name=password]"))
    login.locator("input[name=email]").fill(email)
    login.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        login.locator("button[type=submit]").click()
    assert "/login" not in page.url, page.locator("main").inner_text()
    return page


def submit(page, form, button: str = "button[type=submit]") -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        form.locator(button).first.click()


def test_asking_countering_and_accepting_on_a_phone(browser, base_port: int) -> None:
    buyer = phone(browser, base_port, "buyer@bluebird.example")
    buyer.goto(at(base_port, "/quotes/new"))
    form = buyer.locator("form.quote-form")
    form.locator("input[name=end_customer_choice][value=new]").check()
    form.locator("[name='new_customer.company_name']").fill("Special Phone Ltd")
    form.locator("[name='new_customer.contact_name']").fill("Sam Special")
    form.locator("[name='new_customer.email']").fill("sam@special-phone.example")
    form.locator("[name='new_customer.country']").fill("US")
    form.locator("[name='lines[0].sku']").fill("SHD-STD-1Y")
    form.locator("[name='lines[0].quantity']").fill("4")
    submit(buyer, form, "button.button[type=submit]")
    number = re.search(r"/quotes/([A-Z]+-Q-\d{6})", buyer.url).group(1)  # type: ignore[union-attr]

    ask = buyer.locator("main tr.quote-line[data-sku='SHD-STD-1Y'] details.special-price-ask")
    ask.locator("summary").click()
    fits(buyer, "ask")
    asked = ask.locator("form")
    asked.locator("[name=unit_price]").fill("70.00")
    asked.locator("[name=justification]").fill("A public tender with a tight budget.")
    asked.locator("[name=deal_ref]").fill("TENDER-7")
    submit(buyer, asked)
    assert "you will get an e-mail" in buyer.locator("main").inner_text()
    waiting = buyer.locator("main .special-price[data-status='pending']")
    assert waiting.count() == 1
    request_id = waiting.get_attribute("data-request")
    fits(buyer, "waiting")

    manager = phone(browser, base_port, "partners@northwind.example")
    manager.goto(at(base_port, "/partners/special-prices"))
    row = manager.locator(f"main tr[data-request='{request_id}']")
    assert "A public tender" in row.inner_text()
    fits(manager, "queue")
    row.locator("a").first.click()
    manager.wait_for_url(f"**/partners/special-prices/{request_id}")
    fits(manager, "decision")
    decision = manager.locator("main form.special-decision-form")
    decision.locator("[name=unit_price]").fill("78.00")
    decision.locator("[name=comment]").fill("Our best price for this tender.")
    submit(manager, decision, "button[value=counter]")
    assert "Your decision is saved." in manager.locator("main").inner_text()
    manager.goto(at(base_port, "/partners/special-price-rules"))
    fits(manager, "rules")

    buyer.goto(at(base_port, f"/quotes/{number}"))
    offer = buyer.locator("main .special-price[data-status='countered']")
    assert "Our best price for this tender." in offer.inner_text()
    accept = buyer.locator("main form[action$='/accept']")
    submit(buyer, accept)
    assert buyer.locator("main .special-price[data-status='approved']").count() == 1
    assert "$78.00" in buyer.locator("main .special-prices").inner_text()
    fits(buyer, "approved")

    vendor = phone(browser, base_port, "admin@nimbus.example", "admin.localhost")
    vendor.goto(at(base_port, "/admin/special-prices", "admin.localhost"))
    assert vendor.locator("main h1").inner_text() == "Special prices"
    fits(vendor, "console")
