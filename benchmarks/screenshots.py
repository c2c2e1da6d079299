"""Screenshots of every role's main pages on every theme, on a phone and a desktop.

Run from the repository root::

    .venv/bin/python benchmarks/screenshots.py               # into /tmp/shots, about 3 min
    .venv/bin/python benchmarks/screenshots.py OUT --theme harbor --width 390

Serves the demo as the browser tests do (``tests/browser/served.py``: ``flask db
upgrade``, ``flask demo load`` into a temporary SQLite file, gunicorn on 127.0.0.1) and
drives Debian's Chromium with Playwright. First, on each storefront, the demo buyer puts
two products in the cart, makes and sends a quote and registers a deal, and a company
applies to become a partner (its e-mail verified through the link the console mail
printed to the server log), so the cart, the checkout, the quote and deal pages, the
partner approvals and the end customer's quote page have something to show; the end
customer's renewal link is read from the buyer's subscriptions page. Then each role
signs in once per theme and width and each of its main pages is saved as a full-page
PNG, ``OUT/<theme>-<role>-<page>-<width>.png``.

Prints one line per screenshot: role, theme, width, page, path of the PNG, whether the
page scrolls sideways (``document.documentElement.scrollWidth > clientWidth``) and, when
there are any, the boxes inside it that scroll sideways (a wide table in its scroll box:
the page fits, but columns are out of sight).
Exits with status 1 when a page does not answer 200 or scrolls sideways.
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.browser.served: the demo as the browser tests serve it

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.served import served_demo  # noqa: E402

PASSWORD = "channelfront-demo"  # the documented demo credential
WIDTHS = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 900}}
LOCALES = {"alpine": "de-DE", "sakura": "ja-JP"}  # each storefront in its default language
STOREFRONTS = {
    "harbor": ("northwind.localhost", "buyer@bluebird.example"),
    "alpine": ("alpenhandel.localhost", "buyer@bluebird.example"),
    "sakura": ("sakura.localhost", "buyer@kirin.example"),
}
QUOTE_SKU = "SHD-STD-1Y"


@dataclass(frozen=True)
class Shot:
    """One page: a fixed path, or the first (``last``: the last) link matching ``pattern``
    on ``path``."""

    name: str
    path: str
    pattern: str | None = None
    last: bool = False


def first(name: str, path: str, pattern: str, last: bool = False) -> Shot:
    return Shot(name, path, pattern, last)


BUYER = (
    Shot("home", "/"),
    Shot("catalog", "/catalog"),
    first("product", "/catalog", r"^/catalog/[^/?]+$"),
    Shot("cart", "/cart"),
    Shot("checkout", "/checkout"),
    Shot("orders", "/orders"),
    first("order", "/orders", r"^/orders/[A-Z]+-[^/]+$"),
    Shot("quotes", "/quotes"),
    first("quote", "/quotes", r"^/quotes/[A-Z]+-[^/]+$"),
    Shot("customers", "/customers"),
    # The demo's own end customer, with an order and its licenses (the quote's is newer).
    first("customer", "/customers", r"^/customers/\d+$", last=True),
    Shot("deals", "/deals"),
    first("deal", "/deals", r"^/deals/[A-Z]+-[^/]+$"),
    Shot("subscriptions", "/subscriptions"),
    Shot("commissions", "/commissions"),
    first("statement", "/commissions", r"^/commissions/statements/\d+$"),
)
COMPANY_ADMIN = (
    Shot("company-users", "/company/users"),
    Shot("company-profile", "/company/profile"),
    Shot("approval-rules", "/company/approval-rules"),
)
DISTRIBUTOR_ADMIN = (
    Shot("staff-home", "/"),
    Shot("partners", "/partners"),
    Shot("partner-approvals", "/partners/applications"),
    Shot("partner-companies", "/partners/companies"),
    Shot("partner-deals", "/partners/deals"),
    Shot("approvals", "/approvals"),
    Shot("incentives", "/incentives"),
    first("statement", "/incentives", r"^/incentives/statements/\d+$"),
    Shot("invoices", "/invoices"),
    first("invoice", "/invoices", r"^/invoices/[^/]+$"),
)
FINANCE = (
    Shot("staff-home", "/"),
    Shot("invoices", "/invoices"),
    first("invoice", "/invoices", r"^/invoices/[^/]+$"),
    Shot("incentives", "/incentives"),
)
PARTNER_MANAGER = (
    Shot("staff-home", "/"),
    Shot("partners", "/partners"),
    Shot("partner-approvals", "/partners/applications"),
    Shot("partner-deals", "/partners/deals"),
)
VENDOR_ADMIN = (
    Shot("tenants", "/admin/"),
    first("tenant", "/admin/", r"^/admin/tenants/\d+$"),
    Shot("onboarding", "/admin/onboarding"),
    Shot("products", "/admin/products"),
    Shot("programs", "/admin/programs"),
    Shot("themes", "/admin/themes"),  # stored themes, where the console has them
    Shot("theme-new", "/admin/themes/new"),
    Shot("resellers", "/admin/companies"),
    Shot("incentives", "/admin/incentives"),
    Shot("users", "/admin/users"),
)


@dataclass(frozen=True)
class Visit:
    role: str
    theme: str
    host: str
    email: str | None  # None: the end customer, no account
    shots: tuple[Shot, ...] = field(default=())


VISITS = [
    *(Visit("buyer", theme, host, email, BUYER) for theme, (host, email) in STOREFRONTS.items()),
    Visit(
        "company_admin", "harbor", "northwind.localhost", "admin@bluebird.example", COMPANY_ADMIN
    ),
    Visit(
        "company_admin", "alpine", "alpenhandel.localhost", "admin@bluebird.example", COMPANY_ADMIN
    ),
    Visit(
        "distributor_admin",
        "harbor",
        "northwind.localhost",
        "admin@northwind.example",
        DISTRIBUTOR_ADMIN,
    ),
    Visit(
        "distributor_admin",
        "alpine",
        "alpenhandel.localhost",
        "admin@alpenhandel.example",
        DISTRIBUTOR_ADMIN,
    ),
    Visit(
        "distributor_finance", "harbor", "northwind.localhost", "finance@northwind.example", FINANCE
    ),
    Visit(
        "partner_manager",
        "harbor",
        "northwind.localhost",
        "partners@northwind.example",
        PARTNER_MANAGER,
    ),
    Visit("vendor_admin", "base", "admin.localhost", "admin@nimbus.example", VENDOR_ADMIN),
    *(Visit("end_customer", theme, host, None) for theme, (host, _email) in STOREFRONTS.items()),
]

# The page's own sideways scrolling, and the boxes (a wide table in its scroll box) that
# scroll sideways inside the page: those hide columns on a phone without widening it.
SIDEWAYS = """() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    inner: [...document.querySelectorAll('main *')]
        .filter(el => el.scrollWidth > el.clientWidth + 1
            && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
        .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')),
})"""

LINKS = """([pattern, last]) => {
    const re = new RegExp(pattern);
    const links = [...document.querySelectorAll('main a[href]')]
        .map(a => a.getAttribute('href'))
        .filter(href => re.test(href));
    return (last ? links[links.length - 1] : links[0]) || null;
}"""


def sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    form = page.locator("form", has=page.locator("input[name=password]"))
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def prepare_storefront(browser, base: str, theme: str, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """As the buyer: two products in the cart, one quote sent; the end customer's links."""
    context = browser.new_context(locale=LOCALES.get(theme, "en-US"))
    page = context.new_page()
    page.set_default_timeout(15_000)
    links: dict[str, str] = {}
    try:
        sign_in(page, base, email)
        for index in range(2):
            page.goto(base + "/catalog")
            with page.expect_navigation():
                page.locator("form.add-to-cart button[type=submit]").nth(index).click()
        page.goto(base + "/quotes/new")
        form = page.locator("form.quote-form")
        form.locator("input[name=end_customer_choice][value=new]").check()
        form.locator("[name='new_customer.company_name']").fill("Screenshot Customer Ltd")
        form.locator("[name='new_customer.contact_name']").fill("Sam Screen")
        form.locator("[name='new_customer.email']").fill("sam@screen.example")
        form.locator("[name='new_customer.country']").fill("US")
        form.locator("[name='lines[0].sku']").fill(QUOTE_SKU)
        form.locator("[name='lines[0].quantity']").fill("3")
        form.locator("input[name=pricing_mode][value=markup]").check()
        form.locator("[name=pricing_percent]").fill("15")
        with page.expect_navigation():
            form.locator("button.button[type=submit]").click()
        number = page.locator("article.quote-page").get_attribute("data-quote")
        with page.expect_navigation():
            page.locator(f"main form[action$='/quotes/{number}/send'] button").click()
        quote_link = page.locator("a.customer-url").first
        if quote_link.count():
            links["quote-link"] = quote_link.get_attribute("href") or ""
        register_deal(page, base)
        page.goto(base + "/subscriptions")
        renewal = page.locator("input.renewal-url").first
        if renewal.count():
            links["renewal-link"] = renewal.input_value()
    finally:
        context.close()
    return links


def register_deal(page, base: str) -> None:  # type: ignore[no-untyped-def]
    """A deal registration for the buyer's deal pages and the distributor's queue."""
    page.goto(base + "/deals/new")
    form = page.locator("form.deal-form")
    form.locator("input[name=end_customer_choice][value=existing]").check()
    form.locator("select[name=customer_id]").select_option(index=1)
    form.locator("[name='lines[0].sku']").fill(QUOTE_SKU)
    form.locator("[name='lines[0].quantity']").fill("25")
    form.locator("[name=expected_value]").fill("2500")
    form.locator("[name=expected_close]").fill((date.today() + timedelta(days=40)).isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def apply_as_partner(browser, base: str, log: Path, company: str) -> None:  # type: ignore[no-untyped-def]
    """A partner application with its e-mail verified, for the partner approvals page.

    The demo mails to the console: the verification link is read from the server's log.
    """
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    email = f"owner@{company.lower().replace(' ', '-')}.example"
    try:
        page.goto(base + "/apply")
        for name, value in {
            "company_name": company,
            "address_line": "1 Harbour Road",
            "postal_code": "02110",
            "city": "Boston",
            "tax_id": f"US-{abs(hash(company)) % 10**7:07d}",
            "website": "https://example.com",
            "contact_name": "Pat Partner",
            "contact_email": email,
        }.items():
            page.fill(f"main [name={name}]", value)
        page.select_option("main select[name=country]", "US")
        page.select_option("main select[name=program]", index=1)
        page.check("main input[name=terms]")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        links = re.findall(r"https?://\S+/apply/verify/[\w.-]+", log.read_text(errors="replace"))
        if links:
            page.goto(links[-1])
    finally:
        context.close()


def resolve(page, base: str, shot: Shot) -> str | None:  # type: ignore[no-untyped-def]
    if shot.pattern is None:
        return shot.path
    page.goto(base + shot.path)
    return page.evaluate(LINKS, [shot.pattern, shot.last])


def local_path(url: str, port: int) -> str:
    """A link made on the served host, as a path (the page opens it on the same host)."""
    return re.sub(rf"^https?://[^/]+:{port}", "", url)


def shoot(browser, base: str, visit: Visit, shots: tuple[Shot, ...], width: int, out: Path):  # type: ignore[no-untyped-def]
    """Sign in as the visit's user at this width and save each page; the problems found."""
    locale = LOCALES.get(visit.theme, "en-US")
    context = browser.new_context(viewport=WIDTHS[width], locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures: list[str] = []
    try:
        if visit.email:
            sign_in(page, base, visit.email)
        for shot in shots:
            path = resolve(page, base, shot)
            if path is None:
                failures.append(f"{visit.role} {visit.theme} {shot.name}: no link on {shot.path}")
                continue
            response = page.goto(base + path)
            status = response.status if response else 0
            png = out / f"{visit.theme}-{visit.role}-{shot.name}-{width}.png"
            page.screenshot(path=str(png), full_page=True)
            box = page.evaluate(SIDEWAYS)
            sideways = box["scroll"] > box["client"]
            click.echo(
                f"{visit.role:20} {visit.theme:7} {width:5} {shot.name:18} {png}  "
                f"sideways={'YES ' + str(box['scroll']) + 'px' if sideways else 'no'}"
                + (f"  scrolls-inside={','.join(box['inner'])}" if box["inner"] else "")
                + ("" if status == 200 else f"  status={status}")
            )
            if status != 200:
                failures.append(f"{visit.role} {visit.theme} {width} {path}: answers {status}")
            if sideways:
                failures.append(f"{visit.role} {visit.theme} {width} {path}: {box['scroll']} px")
    finally:
        context.close()
    return failures


def run(port: int, log: Path, visits: list[Visit], sizes: list[int], out: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        links: dict[str, dict[str, str]] = {}
        for theme, (host, email) in STOREFRONTS.items():
            if any(v.theme == theme for v in visits):
                base = f"http://{host}:{port}"
                links[theme] = prepare_storefront(browser, base, theme, email)
                apply_as_partner(browser, base, log, f"Screenshot Partners {theme}")
        for visit in visits:
            shots = visit.shots
            if visit.email is None:  # the end customer: the links the buyer's pages gave
                shots = tuple(
                    Shot(name, local_path(url, port))
                    for name, url in links.get(visit.theme, {}).items()
                )
            for width in sizes:
                base = f"http://{visit.host}:{port}"
                failures += shoot(browser, base, visit, shots, width, out)
        browser.close()
    return failures


@click.command()
@click.argument(
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default="/tmp/shots",  # noqa: S108 - screenshots to look at, not a secret
)
@click.option("--theme", "themes", multiple=True, help="Only these themes (repeatable).")
@click.option("--role", "roles", multiple=True, help="Only these roles (repeatable).")
@click.option("--width", "widths", multiple=True, type=click.Choice(["390", "1280"]))
def main(out: Path, themes: tuple[str, ...], roles: tuple[str, ...], widths: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """Save full-page screenshots of each role's main pages into OUT."""
    out.mkdir(parents=True, exist_ok=True)
    visits = [
        v for v in VISITS if (not themes or v.theme in themes) and (not roles or v.role in roles)
    ]
    sizes = [int(w) for w in widths] or list(WIDTHS)
    with tempfile.TemporaryDirectory(prefix="shots-") as tmp, served_demo(Path(tmp)) as port:
        failures = run(port, Path(tmp) / "gunicorn.log", visits, sizes, out)
    click.echo(f"{len(failures)} problem(s)")
    for failure in failures:
        click.echo("  " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
