"""Every role's main pages, on every theme, on a 390 px phone and a 1280 px desktop.

On each page: nothing is wider than the window (no sideways scrolling), and axe-core
(npm, installed by ``make test`` into ``tests/browser/node_modules``) finds no serious
or critical accessibility violation. One context per tenant, role and width, signed in
once; each page is loaded once and saved to ``tests/screenshots/by-role/``.

The app's Content-Security-Policy blocks the injected axe script, so these contexts are
made with ``bypass_csp=True``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.served import ROOT

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "screenshots" / "by-role"
PASSWORD = "channelfront-demo"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}

BUYER_PAGES = (
    "/catalog",
    "/cart",
    "/checkout",
    "/orders",
    "order",
    "/quotes",
    "/customers",
    "/commissions",
)
STAFF_PAGES = ("/", "/partners", "/invoices", "/incentives")


@dataclass(frozen=True)
class Visit:
    host: str
    theme: str
    role: str
    email: str
    pages: tuple[str, ...]
    login: str = "/login"

    @property
    def locale(self) -> str:
        """Each storefront in its own default language: long German words, Japanese text."""
        return {"alpine": "de-DE", "sakura": "ja-JP"}.get(self.theme, "en-US")


VISITS = [
    Visit("northwind.localhost", "harbor", "buyer", "buyer@bluebird.example", BUYER_PAGES),
    Visit(
        "northwind.localhost",
        "harbor",
        "company_admin",
        "admin@bluebird.example",
        ("/company/users",),
    ),
    Visit(
        "northwind.localhost", "harbor", "distributor_admin", "admin@northwind.example", STAFF_PAGES
    ),
    Visit(
        "northwind.localhost",
        "harbor",
        "distributor_finance",
        "finance@northwind.example",
        STAFF_PAGES,
    ),
    Visit(
        "northwind.localhost",
        "harbor",
        "partner_manager",
        "partners@northwind.example",
        STAFF_PAGES,
    ),
    Visit("alpenhandel.localhost", "alpine", "buyer", "buyer@bluebird.example", BUYER_PAGES),
    Visit(
        "alpenhandel.localhost",
        "alpine",
        "company_admin",
        "admin@bluebird.example",
        ("/company/users",),
    ),
    Visit(
        "alpenhandel.localhost",
        "alpine",
        "distributor_admin",
        "admin@alpenhandel.example",
        STAFF_PAGES,
    ),
    Visit("sakura.localhost", "sakura", "buyer", "buyer@kirin.example", BUYER_PAGES),
    Visit(
        "admin.localhost",
        "base",
        "vendor_admin",
        "admin@nimbus.example",
        ("/admin/", "/admin/products", "/admin/programs"),
    ),
]

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .slice(0, 3)
        .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
    return {scroll: document.documentElement.scrollWidth, width: width, wide: wide};
}"""

AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
            .map(n => n.target.join(' ') + ' ' + (n.any[0] ? n.any[0].message : '')).join(' | '));
}"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.is_file():
        message = "axe-core is missing: run `make test` (npm ci in tests/browser)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return AXE


def sign_in(page, base: str, visit: Visit) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + visit.login)
    form = page.locator("form", has=page.locator("input[name=password]"))
    form.locator("input[name=email]").fill(visit.email)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def fill_cart(page, base: str) -> None:  # type: ignore[no-untyped-def]
    """Two products in the cart, so the cart and checkout show their tables."""
    for index in range(2):
        page.goto(base + "/catalog")
        with page.expect_navigation():
            page.locator("form.add-to-cart button[type=submit]").nth(index).click()


def first_order(page, base: str) -> str | None:  # type: ignore[no-untyped-def]
    page.goto(base + "/orders")
    link = page.locator("table.order-history a[href^='/orders/']").first
    return link.get_attribute("href") if link.count() else None


def check_page(page, visit: Visit, width: str, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    box = page.evaluate(OVERFLOW)
    if box["scroll"] > box["width"]:
        problems.append(f"{path}: {box['scroll']} px wide in {box['width']} px: {box['wide']}")
    page.add_script_tag(path=str(AXE))
    problems.extend(f"{path}: {violation}" for violation in page.evaluate(AXE_RUN))
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    shot = SCREENSHOTS / f"{visit.theme}-{visit.role}-{name}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    return problems


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("visit", VISITS, ids=[f"{v.theme}-{v.role}" for v in VISITS])
def test_main_pages_fit_the_screen_and_pass_axe(browser, base_port, axe_script, visit, width):
    base = f"http://{visit.host}:{base_port}"
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True, locale=visit.locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    try:
        sign_in(page, base, visit)
        if "/cart" in visit.pages:
            fill_cart(page, base)
        for path in visit.pages:
            target = first_order(page, base) if path == "order" else path
            if target is None:
                problems.append("no order to open")
                continue
            response = page.goto(base + target)
            assert response is not None
            if response.status != 200:
                problems.append(f"{target}: answers {response.status}")
                continue
            problems.extend(check_page(page, visit, width, target))
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_the_phone_menu_opens_without_script(browser, base_port, axe_script):
    context = browser.new_context(viewport=WIDTHS["phone"], java_script_enabled=False)
    page = context.new_page()
    base = f"http://northwind.localhost:{base_port}"
    sign_in(page, base, VISITS[0])
    page.goto(base + "/orders")
    assert not page.locator(".site-nav a[href='/quotes']").is_visible()
    assert page.locator(".cart-badge").is_visible()
    page.locator("summary.nav-toggle").click()
    assert page.locator(".site-nav a[href='/quotes']").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "harbor-buyer-menu-open-phone.png"), full_page=True)
    context.close()

    desktop = browser.new_context(viewport=WIDTHS["desktop"])
    page = desktop.new_page()
    sign_in(page, base, VISITS[0])
    page.goto(base + "/orders")
    assert not page.locator("summary.nav-toggle").is_visible()
    assert page.locator(".site-nav a[href='/quotes']").is_visible()
    desktop.close()
