"""A vendor admin onboards a new tenant "thames" (GBP, thames.localhost) in the console's
wizard, in a real browser against the served demo, to going live; then the invited
distributor admin accepts the invitation from the mail and signs in on the new host."""

from __future__ import annotations

import re

import pytest

from tests.mail_fixtures import Inbox

pytestmark = pytest.mark.browser

ADMIN = "admin.localhost"
HOST = "thames.localhost"
DEMO_PASSWORD = "channelfront-demo"
LEAD = "lead@thames.example"
PASSWORD = "thames-barge-4471"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def mail(smtp_server: tuple[Inbox, int]) -> Inbox:
    return smtp_server[0]


def at(host: str, port: int, path: str) -> str:
    return f"http://{host}:{port}{path}"


def submit(page, field_name: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator(f"main form:has([name={field_name}])")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_new_tenant_goes_from_the_wizard_to_live_and_its_admin_gets_in(
    browser, base_port: int, mail: Inbox
):
    port = base_port
    page = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}).new_page()
    page.goto(at(ADMIN, port, "/login"))
    page.fill("main input[name=email]", "admin@nimbus.example")
    page.fill("main input[name=password]", DEMO_PASSWORD)
    submit(page, "password")

    page.goto(at(ADMIN, port, "/admin/onboarding"))
    page.fill("main input[name=name]", "Thames Distribution")
    page.fill("main input[name=slug]", "thames")
    submit(page, "slug")
    assert page.url.endswith("/hosts")
    page.fill("main textarea[name=hosts]", HOST)
    submit(page, "hosts")
    assert page.url.endswith("/theme")
    page.fill("main input[name=accent_color]", "#F5A623")
    submit(page, "accent_color")
    assert "white text on accent #F5A623: 2.03:1, needs 4.5:1" in page.inner_text("main")
    page.fill("main input[name=accent_color]", "#005a8c")
    submit(page, "accent_color")
    assert page.url.endswith("/languages")
    page.fill("main input[name=currency]", "GBP")
    submit(page, "currency")
    assert page.url.endswith("/prices")

    page.fill("main input[name=source]", "EUR")
    page.fill("main input[name=rate]", "0.85")
    page.select_option("main select[name=rounding]", "99")
    submit(page, "rate")
    assert page.locator("main tr[data-sku]").count() > 0
    submit(page, "confirm")
    assert page.url.endswith("/programs")
    page.fill("main input[name=slug]", "partners")
    page.fill("main input[name=name]", "Partners")
    page.select_option("main select[name=target]", index=0)
    page.fill("main input[name=discount]", "20")
    submit(page, "discount")
    assert page.url.endswith("/staff")
    page.fill("main input[name=email]", LEAD)
    page.fill("main input[name=name]", "Tilly Thames")
    submit(page, "email")
    assert page.url.endswith("/checklist")

    for check in ("prices", "program", "staff", "contrast"):
        item = page.locator(f"main li[data-check={check}]")
        if item.get_attribute("data-ok") != "true":
            page.select_option("main select[name=check]", check)
            page.fill("main input[name=reason]", "reviewed in the browser test")
            submit(page, "reason")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        page.get_by_role("button", name="Go live").click()
    assert "Thames Distribution is live." in page.inner_text("main")

    messages = mail.to(LEAD)
    assert messages, "no invitation mail"
    links = [u for u in LINK.findall(messages[-1].get_content()) if "/invitations/" in u]
    assert links
    assert HOST in links[0]
    lead = browser.new_context(locale="en-US").new_page()
    lead.goto(re.sub(r"//[^/]+/", f"//{HOST}:{port}/", links[0], count=1))
    lead.fill("input[name=name]", "Tilly Thames")
    lead.fill("input[name=password]", PASSWORD)
    lead.fill("input[name=confirm]", PASSWORD)
    submit(lead, "confirm")
    assert "/login" not in lead.url
    assert lead.get_by_text("Tilly Thames").count() >= 1
