"""Quote pages benchmark: the end customer's quote page and the reseller's quote list.

Run from the repository root::

    .venv/bin/python benchmarks/quote_page.py                  # about half a minute
    .venv/bin/python benchmarks/quote_page.py --quotes 1000 --postgres

One run builds a fresh database (a temporary SQLite file, or with ``--postgres`` a new
PostgreSQL database at 127.0.0.1:5432, dropped afterwards) with ``flask db upgrade`` and
``flask demo load``, then, in-process (Flask test client, one thread, no HTTP):

1. makes one quote of Bluebird IT on northwind (buyer@bluebird.example, three lines,
   20% markup) through ``quotes.services`` and sends it; counts the SQL statements of
   the end customer's page (``/q/<token>``, no account, after its first view marked
   the quote viewed), of the reseller's quote list (``/quotes``, signed in as the buyer)
   and of the quote's own page (``/quotes/<number>``);
2. adds quotes up to ``--quotes`` (default 200: 40 end customers, 1 to 3 lines each,
   drafts, sent, viewed, accepted, declined and expired ones) and counts again, on the
   list's first and last pages, a search and a status filter;
3. times each page (median and p95 of ``--samples`` requests).

Checks: every page answers 200, the customer's page shows the quote's total and no buy
price, and no page needs more statements with more quotes. Prints the figures and
writes them to ``benchmarks/out/quote_page.json``; exits with status 1 when a check fails.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import click
from benchdb import build, fresh_database, postgres_available, server_env
from catalog import make_app, recorded_statements
from loadgen import BUYER, HOST, ROOT, BenchmarkFailed, signed_in_client

sys.path.insert(0, str(ROOT / "platform"))  # this checkout's code, not an installed copy

SKUS = ["SHD-STD-1Y", "SHD-ENT-1Y", "SHD-PERP", "INS-PERP"]
CUSTOMERS = 40
MAX_STATEMENTS = 15
BASE = f"http://{HOST}"


@dataclass
class Page:
    path: str
    statements: int
    median_ms: float
    p95_ms: float


@dataclass
class Count:
    quotes: int
    customer_page: int
    list_page: int
    detail_page: int


def _quiet():  # type: ignore[no-untyped-def]
    """The console mail of each quote (the eager outbox prints it)."""
    logging.getLogger("channelfront.mail").setLevel(logging.ERROR)
    return contextlib.redirect_stdout(io.StringIO())


class World:
    """Quotes made through the services a reseller's page uses, on northwind."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.customer_ids: list[int] = []
        self.made = 0

    @contextlib.contextmanager
    def storefront(self):  # type: ignore[no-untyped-def]
        from flask import g

        from channelfront.extensions import db
        from channelfront.tenancy.middleware import resolve_tenant

        with self.app.test_request_context("/", base_url=BASE):
            resolve_tenant()
            yield g.tenant
            db.session.remove()

    def add(self, count: int, first_sent: bool = False):  # type: ignore[no-untyped-def]
        """``count`` more quotes; returns (token, number, resale total) of the first."""
        from sqlalchemy import select

        from channelfront.accounts.models import User
        from channelfront.customers.services import CustomerInput
        from channelfront.extensions import db
        from channelfront.outbox.services import commit_and_dispatch
        from channelfront.pricing.services import load_terms
        from channelfront.quotes import links, sending, services
        from channelfront.quotes.models import QuoteStatus
        from channelfront.quotes.services import QuoteInput, QuoteLineInput
        from channelfront.tenancy.models import Tenant

        statuses = [
            QuoteStatus.SENT,
            QuoteStatus.VIEWED,
            QuoteStatus.DRAFT,
            QuoteStatus.ACCEPTED,
            QuoteStatus.SENT,
            QuoteStatus.DECLINED,
            QuoteStatus.EXPIRED,
        ]
        first = None
        with self.storefront() as active, _quiet():
            tenant = db.session.get(Tenant, active.id)
            buyer = db.session.scalars(select(User).where(User.email == BUYER)).one()
            terms = load_terms(buyer.company_id)
            for _ in range(count):
                n = self.made
                self.made += 1
                lines = [
                    QuoteLineInput(SKUS[(n + k) % len(SKUS)], 1 + (n + k) % 5)
                    for k in range(1 + n % 3)
                ]
                if first_sent and first is None:
                    lines = [QuoteLineInput(sku, 2) for sku in SKUS[:3]]
                fields: dict[str, object] = {}
                if len(self.customer_ids) < CUSTOMERS:
                    fields["new_customer"] = CustomerInput(
                        company_name=f"End Customer {n:03d} Ltd",
                        contact_name=f"Contact {n:03d}",
                        email=f"it{n:03d}@customer.example",
                        country="US",
                    )
                else:
                    fields["customer_id"] = self.customer_ids[n % CUSTOMERS]
                data = QuoteInput(
                    lines=lines,
                    valid_until=services.today() + timedelta(days=10 + n % 50),
                    pricing_mode="markup",
                    pricing_percent="20",
                    note="Prices include the first year of support.",
                    **fields,  # type: ignore[arg-type]
                )
                quote = services.create(tenant, buyer, terms, data)
                db.session.flush()
                if len(self.customer_ids) < CUSTOMERS:
                    self.customer_ids.append(quote.customer_id)
                status = QuoteStatus.SENT if first is None and first_sent else statuses[n % 7]
                if status != QuoteStatus.DRAFT:
                    sending.send(quote, buyer)
                if status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
                    services.move(quote, (QuoteStatus.SENT.value,), status)
                commit_and_dispatch()
                if first is None:
                    token = links.make_token(quote.tenant_id, quote.id, quote.revision)
                    first = (token, quote.number, quote.resale_total_minor, _buy_prices(quote))
        return first


def _buy_prices(quote) -> list[str]:  # type: ignore[no-untyped-def]
    """The quote's buy unit prices as the page would print them (for the leak check)."""
    from flask_babel import format_decimal

    prices = []
    for line in quote.lines:
        if line.buy_unit_minor != line.resale_unit_minor:
            prices.append(format_decimal(line.buy_unit_minor / 100, format="#,##0.00"))
    return prices


def statements_of(app, client, path: str) -> int:  # type: ignore[no-untyped-def]
    from channelfront.extensions import db

    with app.app_context():
        engine = db.engine
    client.get(path, base_url=BASE)  # warm: host map, templates, the first view's write
    with recorded_statements(engine) as statements:
        response = client.get(path, base_url=BASE)
    if response.status_code != 200:
        raise BenchmarkFailed(f"{path} answered {response.status_code}")
    return len(statements)


def timed(app, client, path: str, samples: int) -> Page:  # type: ignore[no-untyped-def]
    count = statements_of(app, client, path)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(path, base_url=BASE)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise BenchmarkFailed(f"{path} answered {response.status_code}")
    timings.sort()
    return Page(
        path=path,
        statements=count,
        median_ms=round(statistics.median(timings), 1),
        p95_ms=round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
    )


def check_customer_page(app, path: str, total_minor: int, buy_prices: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The customer's page shows the total and none of the reseller's buy prices."""
    from flask_babel import format_decimal

    html = app.test_client().get(path, base_url=BASE).get_data(as_text=True)
    with app.test_request_context("/", base_url=BASE):
        total = format_decimal(total_minor / 100, format="#,##0.00")
    if total not in html:
        raise BenchmarkFailed(f"the customer's page does not show the total {total}")
    leaked = [price for price in buy_prices if price in html]
    if leaked:
        raise BenchmarkFailed(f"the customer's page shows buy prices {leaked}")


def run(url: str, quotes: int, samples: int) -> dict:
    env = server_env(url)
    click.echo(f"building {url.split('@')[-1]} ...", err=True)
    build(env)
    app = make_app(url)
    world = World(app)
    token, number, total_minor, buy_prices = world.add(1, first_sent=True)
    customer_path = f"/q/{token}"
    detail_path = f"/quotes/{number}"
    customer = app.test_client()  # no account
    buyer = signed_in_client(app)
    with _quiet():
        small = Count(
            1,
            statements_of(app, customer, customer_path),
            statements_of(app, buyer, "/quotes"),
            statements_of(app, buyer, detail_path),
        )
    click.echo(f"seeding {quotes - 1} more quotes ...", err=True)
    started = time.perf_counter()
    world.add(quotes - 1)
    seeded_s = round(time.perf_counter() - started, 1)
    with _quiet():
        check_customer_page(app, customer_path, total_minor, buy_prices)
        pages = [
            timed(app, customer, customer_path, samples),
            timed(app, buyer, "/quotes", samples),
            timed(app, buyer, f"/quotes?page={-(-quotes // 25)}", samples),
            timed(app, buyer, "/quotes?q=customer+01", samples),
            timed(app, buyer, "/quotes?status=sent", samples),
            timed(app, buyer, detail_path, samples),
        ]
    large = Count(quotes, pages[0].statements, pages[1].statements, pages[-1].statements)
    return {
        "database": url.split(":")[0].split("+")[0],
        "quotes": quotes,
        "seeded_in_s": seeded_s,
        "counts": [asdict(small), asdict(large)],
        "pages": [asdict(page) for page in pages],
    }


def report(result: dict) -> list[str]:
    small, large = result["counts"]
    lines = [
        f"Quote pages, {result['database']}, {result['quotes']} quotes of one reseller "
        f"(seeded in {result['seeded_in_s']} s); in-process, one thread:",
        "",
        f"{'page':<44} {'statements':>10} {'median':>9} {'p95':>9}",
    ]
    for page in result["pages"]:
        path = page["path"]
        shown = "/q/<token> (end customer)" if path.startswith("/q/") else path
        lines.append(
            f"{shown:<44} {page['statements']:>10} "
            f"{page['median_ms']:>6.1f} ms {page['p95_ms']:>6.1f} ms"
        )
    lines += [
        "",
        f"statements with 1 quote / {result['quotes']} quotes: "
        f"customer page {small['customer_page']} / {large['customer_page']}, "
        f"list {small['list_page']} / {large['list_page']}, "
        f"quote page {small['detail_page']} / {large['detail_page']}",
    ]
    return lines


def checks(result: dict) -> list[str]:
    small, large = result["counts"]
    failed = []
    for name in ("customer_page", "list_page", "detail_page"):
        if large[name] > small[name]:
            failed.append(f"{name}: {small[name]} statements with 1 quote, {large[name]} now")
    for page in result["pages"]:
        if page["statements"] > MAX_STATEMENTS:
            failed.append(f"{page['path']}: {page['statements']} statements")
    return failed


@click.command()
@click.option("--quotes", default=200, show_default=True, help="Quotes of the reseller.")
@click.option("--samples", default=40, show_default=True, help="Timed requests per page.")
@click.option("--postgres", is_flag=True, help="A fresh PostgreSQL database instead of SQLite.")
@click.option(
    "--json-out",
    default=str(ROOT / "benchmarks" / "out" / "quote_page.json"),
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
def main(quotes: int, samples: int, postgres: bool, json_out: Path) -> None:
    """Time and count the SQL statements of the customer's quote page and the quote list."""
    if quotes < 2:
        raise click.BadParameter("at least 2", param_hint="--quotes")
    if postgres and not postgres_available():
        raise BenchmarkFailed("PostgreSQL does not answer at 127.0.0.1:5432")
    workdir = Path(tempfile.mkdtemp(prefix="quote-bench-"))
    try:
        with fresh_database("postgresql" if postgres else "sqlite", workdir) as url:
            result = run(url, quotes, samples)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for line in report(result):
        click.echo(line)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(result, indent=2))
    failed = checks(result)
    if failed:
        raise BenchmarkFailed("; ".join(failed))


if __name__ == "__main__":
    main()
