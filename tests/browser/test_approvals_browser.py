"""Approvals in a real browser on one storefront (Northwind), with real mail: the company
admin adds a rule, the buyer's order over it stops at checkout, the approver follows the
mail's link (signing in on the way), reads why the order waits and approves with a
comment, and the buyer's order page shows the licenses. One browser context per role;
each page of the feature is also looked at 390 px wide and must fit that width.
"""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

import pytest

from tests.browser.served import ROOT
from tests.mail_fixtures import Inbox

pytestmark = pytest.mark.browser

HOST = "northwind.localhost"
PASSWORD = "channelfront-demo"
ADMIN = "admin@bluebird.example"
BUYER = "buyer@bluebird.example"
APPROVER = "approver@bluebird.example"
RULE = "Orders over 100"
SKU = "SHD-PERP"  # Nimbus Shield, perpetual: $360 list, well over the rule's 100.00
COMMENT = "Fine for Harbor Labs, go ahead."
LINK = re.compile(r"https?://\S+")
SCREENSHOTS = ROOT / "tests" / "screenshots"
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def mail(smtp_server: tuple[Inbox, int]) -> Inbox:
    return smtp_server[0]


def at(port: int, path: str) -> str:
    return f"http://{HOST}:{port}{path}"


def mail_about(mail: Inbox, address: str, subject: str, timeout: float = 10) -> EmailMessage:
    """The newest mail to ``address`` whose subject contains ``subject`` (waiting for it:
    the outbox hands mail to SMTP after the request's commit)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.to(address) if subject in str(m["Subject"])]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            seen = [str(m["Subject"]) for m in mail.to(address)]
            pytest.fail(f"no mail to {address} about {subject!r}; got {seen}")
        time.sleep(0.1)


def link_in(message: EmailMessage, part: str) -> str:
    body = message.get_content()
    found = [url for url in LINK.findall(body) if part in url]
    assert found, body
    return found[0]


def submit(page, field_name: str) -> None:  # type: ignore[no-untyped-def]
    """Click the submit button of the form holding the named field, and wait for the page."""
    form = page.locator(f"main form:has([name={field_name}])")
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def fill_sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", PASSWORD)
    submit(page, "password")


def signed_in(browser, port: int, email: str, viewport: dict[str, int] = DESK):  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="en-US", viewport=viewport).new_page()
    page.goto(at(port, "/login"))
    fill_sign_in(page, email)
    assert "/login" not in page.url, page.locator("main").inner_text()
    return page


#: Pages wider than a phone, as "url: width"; the test asserts none at its end, so one
#: page too wide does not hide what the rest of the flow does.
TOO_WIDE: list[str] = []


def fits_a_phone(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page as it is now, 390 px wide: saved as a screenshot, and no wider than that."""
    desk = page.viewport_size
    page.set_viewport_size(PHONE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(desk)
    if width > PHONE["width"]:
        TOO_WIDE.append(f"{page.url}: {width} px")


def open_page(page, port: int, path: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(at(port, path))
    assert response is not None
    assert response.status == 200, f"{path}: {response.status}"


def add_rule(admin, port: int) -> None:  # type: ignore[no-untyped-def]
    """The company admin adds: an order whose total is over 100.00 waits for an approver."""
    open_page(admin, port, "/company/approval-rules")
    with admin.expect_navigation():
        admin.get_by_role("link", name="New rule").click()
    assert admin.url.endswith("/company/approval-rules/new")
    fits_a_phone(admin, "company-approval-rules-new")
    admin.fill("main #name", RULE)
    admin.select_option("main #match", "all")
    admin.select_option("main #conditions-0-field", "order.total")
    admin.select_option("main #conditions-0-operator", "gt")
    admin.fill("main #conditions-0-value", "100.00")
    admin.select_option("main #steps-0-who", "approver")
    submit(admin, "name")
    assert admin.url.endswith("/company/approval-rules"), admin.locator("main").inner_text()
    rule = admin.locator("main li.approval-rule", has=admin.get_by_role("heading", name=RULE))
    assert rule.count() == 1
    assert "100.00" in rule.locator(".rule-conditions").inner_text()
    fits_a_phone(admin, "company-approval-rules")


def delete_rule(admin, port: int) -> None:  # type: ignore[no-untyped-def]
    """The admin deletes the rule again: the served demo is shared by the browser tests."""
    open_page(admin, port, "/company/approval-rules")
    rule = admin.locator("main li.approval-rule", has=admin.get_by_role("heading", name=RULE))
    with admin.expect_navigation():
        rule.get_by_role("link", name=f"Delete “{RULE}”").click()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Delete the rule").click()
    assert admin.get_by_role("heading", name=RULE).count() == 0


def place_order_on_account(buyer, port: int) -> str:  # type: ignore[no-untyped-def]
    """The buyer adds the product by SKU and checks out on account; returns the order's path."""
    open_page(buyer, port, "/cart")
    buyer.fill("main #add-sku", SKU)
    submit(buyer, "sku")
    assert buyer.locator(f"tr.cart-line[data-sku='{SKU}']").count() == 1
    with buyer.expect_navigation():
        buyer.get_by_role("link", name="Proceed to checkout").click()
    buyer.check("main input[name=end_customer_choice][value=new]")
    for name, value in {
        "company_name": "Harbor Labs",
        "contact_name": "Hal Harbor",
        "email": "hal@harbor.example",
        "country": "US",
    }.items():
        buyer.fill(f"main #new-{name}", value)
    credit_notes = buyer.locator("main input[name=apply_credit_notes]")
    if credit_notes.count():  # the whole amount on account, the notes left for others
        credit_notes.uncheck()
    buyer.check("main input[name=payment_method][value=on_account]")
    submit(buyer, "payment_method")
    assert re.search(r"/orders/[^/]+$", buyer.url), buyer.locator("main").inner_text()
    return buyer.url.split(str(port), 1)[1]


def approve_from_the_mail(browser, port: int, mail: Inbox, number: str) -> None:  # type: ignore[no-untyped-def]
    """The approver follows the mail's link, signs in on the way, reads why the order
    waits, finds it in the queue and approves it with a comment."""
    asked = mail_about(mail, APPROVER, "waits for your approval")
    assert number in str(asked["Subject"])
    link = link_in(asked, "/approvals/")
    assert link.startswith(at(port, "/approvals/")), link
    approver = browser.new_context(locale="en-US", viewport=DESK).new_page()
    approver.goto(link)
    assert "/login" in approver.url
    fill_sign_in(approver, APPROVER)
    step_path = link.split(str(port), 1)[1]
    assert approver.url.endswith(step_path), "the sign-in leads back to the mail's link"
    main = approver.locator("main")
    assert number in main.locator("h1").inner_text()
    steps = main.locator(".approval-steps")
    assert RULE in steps.inner_text()
    reasons = steps.locator(".reasons li")
    assert reasons.count() >= 1
    assert "100.00" in reasons.first.inner_text()
    fits_a_phone(approver, "approvals-step")

    open_page(approver, port, "/approvals")
    row = approver.locator(f"main tr[data-order='{number}']")
    assert row.count() == 1
    assert RULE in row.inner_text()
    fits_a_phone(approver, "approvals")

    with approver.expect_navigation():
        row.get_by_role("link", name=number).click()
    approver.fill("main textarea[name=comment]", COMMENT)
    with approver.expect_navigation():
        approver.locator("main button[name=decision][value=approve]").click()
    assert approver.url.endswith("/approvals")
    assert approver.locator(f"main tr[data-order='{number}']").count() == 0
    open_page(approver, port, step_path)
    decided = approver.locator("main .step-decisions li[data-decision=approve]")
    assert COMMENT in decided.inner_text()
    approver.context.close()


def test_an_order_over_a_rule_waits_and_the_approver_approves_from_the_mail(
    browser, base_port: int, mail: Inbox
):
    port = base_port
    mail.messages.clear()
    TOO_WIDE.clear()
    admin = signed_in(browser, port, ADMIN)
    add_rule(admin, port)
    try:
        buyer = signed_in(browser, port, BUYER)
        order_path = place_order_on_account(buyer, port)
        number = order_path.rsplit("/", 1)[1]
        status = buyer.locator("main .order-status")
        assert status.get_attribute("data-status") == "awaiting_approval"
        assert status.inner_text().strip() == "Awaiting approval"
        assert buyer.locator("main tr.license").count() == 0
        fits_a_phone(buyer, "order-awaiting-approval")

        approve_from_the_mail(browser, port, mail, number)

        approved = mail_about(mail, BUYER, "is approved")
        assert number in str(approved["Subject"])
        assert COMMENT in approved.get_content()
        open_page(buyer, port, order_path)
        buyer.locator("main tr.license").first.wait_for(timeout=15_000)
        assert buyer.locator("main .order-status").get_attribute("data-status") in (
            "fulfilled",
            "invoiced",
        )
        assert buyer.locator(f"main tr.license[data-sku='{SKU}'] .license-key").inner_text()
        assert COMMENT in buyer.locator("main").inner_text()
        fits_a_phone(buyer, "order-approved")
        buyer.context.close()
    finally:
        delete_rule(admin, port)
        admin.context.close()
    assert not TOO_WIDE, f"wider than a {PHONE['width']} px phone: {TOO_WIDE}"
