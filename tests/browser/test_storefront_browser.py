"""Two storefronts in a real browser: Debian Chromium driven by Playwright, against gunicorn.

The app runs as in production: migrated and loaded by the ``flask`` CLI into its own
SQLite file, served by gunicorn on 127.0.0.1, and reached by host name
(``northwind.localhost``, ``alpenhandel.localhost``), which Chromium resolves to
loopback by itself.

Language: a page's ``<html lang>`` follows the browser's Accept-Language when the
tenant offers that language, and falls back to the tenant's default otherwise (a
language the user picked in the switcher, or saved on their account, comes first).
Playwright's context ``locale`` sets both ``navigator.language`` and the
Accept-Language header. So a German browser sees Alpenhandel in German (offered, and
its default anyway) but Northwind in English (Northwind offers only en and es), and
an English browser sees Alpenhandel in English (it offers en) while the tenant default
is German.

Without Chromium the tests skip, except under ``CI=true``, where they fail (see
``tests/conftest.py``): CI must prove the pages work in a browser. Screenshots go to
``tests/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.served import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "tests" / "screenshots"
PASSWORD = "channelfront-demo"
BUYER = "buyer@bluebird.example"

NORTHWIND = {"host": "northwind.localhost", "name": "Northwind Distribution", "primary": "#0b4f6c"}
ALPENHANDEL = {"host": "alpenhandel.localhost", "name": "Alpenhandel GmbH", "primary": "#1f5f3a"}


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def url(tenant: dict[str, str], port: int, path: str = "/") -> str:
    return f"http://{tenant['host']}:{port}{path}"


def brand_of(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the eye sees of the brand: header colours, the --primary variable, lang."""
    return page.evaluate(
        """() => {
            const header = getComputedStyle(document.querySelector('.site-header'));
            return {
                primary: getComputedStyle(document.documentElement)
                    .getPropertyValue('--primary').trim().toLowerCase(),
                header: header.backgroundColor + ' ' + header.backgroundImage,
                lang: document.documentElement.lang,
                name: document.querySelector('.brand-name').innerText,
            };
        }"""
    )


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def sign_in(page, tenant: dict[str, str], port: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(url(tenant, port, "/login"))
    form = page.locator("form", has=page.locator("input[name=password]"))
    assert form.locator("input[type=hidden][name=csrf_token]").count() == 1
    form.locator("input[name=email]").fill(BUYER)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_each_storefront_shows_its_own_brand_and_language(browser, base_port, screenshots):
    seen = {}
    for tenant, locale, lang in [(NORTHWIND, "en-US", "en"), (ALPENHANDEL, "de-DE", "de")]:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        response = page.goto(url(tenant, base_port))
        assert response is not None
        assert response.status == 200
        brand = brand_of(page)
        page.screenshot(path=str(screenshots / f"home-{tenant['host']}.png"), full_page=True)
        context.close()

        assert brand["name"] == tenant["name"]
        assert brand["primary"] == tenant["primary"]
        assert rgb(tenant["primary"]) in brand["header"], brand["header"]
        assert brand["lang"] == lang
        seen[tenant["host"]] = brand

    assert seen[NORTHWIND["host"]]["header"] != seen[ALPENHANDEL["host"]]["header"]


@pytest.mark.parametrize(
    ("tenant", "locale", "lang"),
    [
        (NORTHWIND, "de-DE", "en"),  # German is not offered: the tenant default
        (ALPENHANDEL, "en-US", "en"),  # English is offered: it beats the default (de)
        (ALPENHANDEL, "fr-FR", "fr"),
    ],
    ids=["northwind-de-browser", "alpenhandel-en-browser", "alpenhandel-fr-browser"],
)
def test_browser_language_is_used_only_where_the_tenant_offers_it(
    browser, base_port, tenant, locale, lang
):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(url(tenant, base_port))
    assert brand_of(page)["lang"] == lang
    context.close()


def test_buyer_signs_in_and_browses_the_catalog_on_one_host_only(browser, base_port, screenshots):
    # One browser context holds the cookies of both hosts, like one browser window.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    sign_in(page, NORTHWIND, base_port)
    assert page.url == url(NORTHWIND, base_port, "/")
    assert page.get_by_role("link", name="Catalog").is_visible()
    assert page.locator("text=Blake Buyer").is_visible()
    page.screenshot(path=str(screenshots / "signed-in-northwind.png"), full_page=True)

    page.goto(url(NORTHWIND, base_port, "/catalog"))
    cards = page.locator(".product-card")
    assert cards.count() > 0
    first = cards.first
    assert first.locator("h2 a").inner_text().strip()
    assert re.fullmatch(r"\$[\d,]+\.\d\d", first.locator(".buy-price strong").inner_text().strip())
    assert re.fullmatch(r"\$[\d,]+\.\d\d", first.locator(".list-price s").inner_text().strip())
    assert cards.locator(".buy-price strong").count() == cards.count()
    page.screenshot(path=str(screenshots / "catalog-northwind.png"), full_page=True)

    # The northwind session cookie is not sent to alpenhandel: still signed out there.
    host_cookies = {c["domain"] for c in context.cookies() if c["name"] == "session"}
    assert host_cookies == {NORTHWIND["host"]}
    page.goto(url(ALPENHANDEL, base_port, "/catalog"))
    assert page.url.startswith(url(ALPENHANDEL, base_port, "/login"))
    assert page.locator("input[name=password]").is_visible()
    assert page.locator(".product-card").count() == 0
    page.screenshot(path=str(screenshots / "signed-out-alpenhandel.png"), full_page=True)

    # Signing in there too gives a second, separate session with the tenant's currency.
    sign_in(page, ALPENHANDEL, base_port)
    page.goto(url(ALPENHANDEL, base_port, "/catalog"))
    prices = page.locator(".product-card .buy-price strong")
    assert prices.count() > 0
    assert "€" in prices.first.inner_text()
    page.screenshot(path=str(screenshots / "catalog-alpenhandel.png"), full_page=True)

    page.goto(url(NORTHWIND, base_port, "/catalog"))
    assert page.locator(".product-card").count() > 0
    context.close()
