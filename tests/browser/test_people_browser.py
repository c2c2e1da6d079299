"""How a reseller gets in, in a real browser on one storefront (Northwind), with real mail:
apply -> verify the e-mail -> a partner manager approves -> the invitation -> first sign-in
-> the new company admin invites a colleague -> the colleague signs in. Every link is
followed from the mail the app sent to a loopback SMTP server. Then each page of the
people features is opened on a 390 px phone and must fit its width.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.served import ROOT
from tests.mail_fixtures import Inbox

pytestmark = pytest.mark.browser

HOST = "northwind.localhost"
DEMO_PASSWORD = "channelfront-demo"
APPLICANT = "hana@heron.example"
COLLEAGUE = "colin@heron.example"
PASSWORD = "heron-lantern-2931"
LINK = re.compile(r"https?://\S+")
SCREENSHOTS = ROOT / "tests" / "screenshots"


@pytest.fixture
def mail(smtp_server: tuple[Inbox, int]) -> Inbox:
    return smtp_server[0]


@pytest.fixture
def port(base_port: int) -> int:
    return base_port


def at(port: int, path: str) -> str:
    return f"http://{HOST}:{port}{path}"


def link_in_mail(mail: Inbox, address: str, part: str) -> str:
    """The link containing ``part`` in the newest mail to ``address``."""
    messages = mail.to(address)
    assert messages, f"no mail to {address}"
    body = messages[-1].get_content()
    found = [url for url in LINK.findall(body) if part in url]
    assert found, body
    return found[0]


def submit(page, field_name: str) -> None:  # type: ignore[no-untyped-def]
    """Click the submit button of the form holding the named field, and wait for the page."""
    form = page.locator(f"main form:has([name={field_name}])")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def sign_in(page, port: int, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(at(port, "/login"))
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", password)
    submit(page, "password")


def accept_invitation(page, link: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(link)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    submit(page, "confirm")


def test_a_reseller_applies_is_approved_and_brings_a_colleague(browser, port, mail: Inbox):
    mail.messages.clear()
    desk = {"locale": "en-US", "viewport": {"width": 1280, "height": 900}}

    applicant = browser.new_context(**desk).new_page()
    applicant.goto(at(port, "/apply"))
    for name, value in {
        "company_name": "Heron Networks",
        "address_line": "12 Quay Street",
        "postal_code": "02110",
        "city": "Boston",
        "tax_id": "US-77-1234567",
        "website": "https://heron.example",
        "contact_name": "Hana Heron",
        "contact_email": APPLICANT,
    }.items():
        applicant.fill(f"main [name={name}]", value)
    applicant.select_option("main select[name=country]", "US")
    applicant.select_option("main select[name=program]", index=1)
    applicant.check("main input[name=terms]")
    submit(applicant, "company_name")
    assert applicant.url.endswith("/apply/sent")

    verified = applicant.goto(link_in_mail(mail, APPLICANT, "/apply/verify/"))
    assert verified is not None
    assert verified.status == 200
    assert applicant.locator("main h1").inner_text() == "Thank you, Hana Heron"

    manager = browser.new_context(**desk).new_page()
    sign_in(manager, port, "partners@northwind.example", DEMO_PASSWORD)
    assert link_in_mail(mail, "partners@northwind.example", "/partners/applications/")
    manager.goto(at(port, "/partners/applications"))
    with manager.expect_navigation():
        manager.get_by_role("link", name="Heron Networks").first.click()
    manager.fill("main input[name=credit_limit]", "2500")
    submit(manager, "credit_limit")
    assert "Heron Networks" in manager.content()

    accept_invitation(applicant, link_in_mail(mail, APPLICANT, "/invitations/"), "Hana Heron")
    applicant.goto(at(port, "/company/users"))
    assert applicant.locator("main").get_by_text(APPLICANT).count() >= 1
    applicant.fill("main input[name=email]", COLLEAGUE)
    applicant.fill("main input[name=name]", "Colin Heron")
    applicant.select_option("main form:has(input[name=email]) select[name=role]", "buyer")
    submit(applicant, "email")
    assert applicant.locator("main").get_by_text(COLLEAGUE).count() >= 1

    colleague = browser.new_context(**desk).new_page()
    accept_invitation(colleague, link_in_mail(mail, COLLEAGUE, "/invitations/"), "Colin Heron")
    colleague.context.clear_cookies()
    sign_in(colleague, port, COLLEAGUE, PASSWORD)
    colleague.goto(at(port, "/catalog"))
    assert colleague.locator("main").count() == 1
    assert "/login" not in colleague.url
    assert colleague.get_by_text("Colin Heron").count() >= 1


PHONE_PAGES = [
    ("", "/apply"),
    ("", "/password/forgot"),
    ("admin@bluebird.example", "/company/users"),
    ("admin@bluebird.example", "/company/profile"),
    ("admin@bluebird.example", "/company/audit"),
    ("admin@bluebird.example", "/account"),
    ("admin@bluebird.example", "/account/two-factor"),
    ("admin@northwind.example", "/partners"),
    ("admin@northwind.example", "/partners/applications"),
    ("admin@northwind.example", "/partners/companies"),
    ("admin@northwind.example", "/partners/staff"),
    ("admin@northwind.example", "/partners/audit"),
]


@pytest.mark.parametrize(("email", "path"), PHONE_PAGES, ids=[p for _e, p in PHONE_PAGES])
def test_people_pages_fit_a_phone(browser, port, email: str, path: str):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    if email:
        sign_in(page, port, email, DEMO_PASSWORD)
    response = page.goto(at(port, path))
    assert response is not None
    assert response.status == 200, path
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=str(Path(SCREENSHOTS / f"phone-{name}.png")), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()
