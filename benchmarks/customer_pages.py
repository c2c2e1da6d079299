"""Customers, deals and webhook pages benchmark: SQL statements and time per page.

Run from the repository root::

    .venv/bin/python benchmarks/customer_pages.py                 # about a minute
    .venv/bin/python benchmarks/customer_pages.py --customers 5000 --deals 1000 --postgres

One run builds a fresh database (a temporary SQLite file, or with ``--postgres`` a new
PostgreSQL database at 127.0.0.1:5432, dropped afterwards) with ``flask db upgrade`` and
``flask demo load``, then, in-process (Flask test client, one thread, no HTTP):

1. seeds a little (Core inserts on northwind): 3 customers of Bluebird IT with a few
   orders and quotes, 2 deals of Bluebird and one conflicting deal of a rival reseller,
   and a webhook endpoint of Bluebird with 2 deliveries; counts the SQL statements of
   each page below;
2. grows it: Bluebird's customers to ``--customers`` (default 2,000) with 3,000 orders
   (300 of them on one customer) and quotes on every fifth, ``--deals`` deals (default
   300; every fifth one has a rival's conflicting registration for the same end customer
   and product), and 500 deliveries on the endpoint (each with one or two attempts);
3. counts again and times each page (median and p95 of ``--samples`` requests).

Pages: the customer list (first page, last page, a search, a country filter) and the
customer with many orders (buyer@bluebird.example), the deals list (same buyer), the
partner deal queue (partners@northwind.example), the endpoint's delivery log
(admin@bluebird.example).

Checks: every page answers 200, and no page needs more statements with more data.
Prints the figures, writes ``benchmarks/out/customer_pages.json``; exits with status 1
when a check fails.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from benchdb import build, fresh_database, postgres_available, server_env
from catalog import make_app, recorded_statements
from history_seed import seed_orders
from loadgen import BUYER, HOST, ROOT, BenchmarkFailed, signed_in_client

sys.path.insert(0, str(ROOT / "platform"))  # this checkout's code, not an installed copy

BASE = f"http://{HOST}"
PARTNER = "partners@northwind.example"
COMPANY_ADMIN = "admin@bluebird.example"
RIVAL = "Rival Reseller GmbH"
EVENT_TYPES = ["order.placed", "order.approved", "invoice.issued", "quote.sent", "deal.approved"]
PER_PAGE = 25


@dataclass
class Page:
    name: str
    path: str
    statements_small: int
    statements: int
    median_ms: float
    p95_ms: float


# --- seeding (Core inserts, explicit tenant ids) -------------------------------------------


def _next_id(conn, table) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    return (conn.scalar(select(func.max(table.c.id))) or 0) + 1


class Seeder:
    """Adds customers' quotes, deals and webhook deliveries of Bluebird IT on northwind."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.rng = random.Random(20_261_126)
        self.quotes = 0
        self.deals = 0
        self.endpoint_id = 0
        self.big_customer_id = 0
        self.rival_id = 0

    def _ids(self, conn) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
        from sqlalchemy import select

        from channelfront.accounts.models import User
        from channelfront.tenancy.models import Tenant

        tenant_id = conn.scalar(select(Tenant.id).where(Tenant.slug == "northwind"))
        buyer_id, company_id = conn.execute(
            select(User.id, User.company_id).where(User.email == BUYER)
        ).one()
        return tenant_id, buyer_id, company_id

    def customers_and_orders(self, customers: int, orders: int) -> None:
        """Bluebird's customers up to ``customers`` with ``orders`` more orders; the first
        customer takes every tenth order (the customer with many orders)."""
        from sqlalchemy import select, update

        from channelfront.customers.models import Customer
        from channelfront.extensions import db
        from channelfront.orders.models import Order

        seed_orders(self.app, orders, customers=customers)
        with self.app.app_context(), db.engine.begin() as conn:
            _tenant_id, _buyer_id, company_id = self._ids(conn)
            self.big_customer_id = conn.scalar(
                select(Customer.id).where(Customer.company_id == company_id).order_by(Customer.id)
            )
            conn.execute(
                update(Order)
                .where(Order.company_id == company_id, Order.id % 10 == 0)
                .values(customer_id=self.big_customer_id)
            )

    def quotes_on(self, every: int) -> None:
        """A quote for every ``every``-th customer of Bluebird (and the big customer)."""
        from sqlalchemy import select

        from channelfront.customers.models import Customer
        from channelfront.extensions import db
        from channelfront.quotes.models import Quote

        with self.app.app_context(), db.engine.begin() as conn:
            tenant_id, buyer_id, company_id = self._ids(conn)
            customer_ids = list(
                conn.scalars(
                    select(Customer.id)
                    .where(Customer.company_id == company_id)
                    .order_by(Customer.id)
                )
            )
            first = _next_id(conn, Quote.__table__)
            now = datetime.now(UTC)
            statuses = ["draft", "sent", "viewed", "accepted", "declined", "expired"]
            rows = []
            targets = [self.big_customer_id] * 5 + customer_ids[::every]
            for n, customer_id in enumerate(targets):
                number = self.quotes + n + 1
                rows.append(
                    {
                        "id": first + n,
                        "tenant_id": tenant_id,
                        "number": f"NW-Q-BENCH-{number:05d}",
                        "company_id": company_id,
                        "buyer_id": buyer_id,
                        "customer_id": customer_id,
                        "status": statuses[n % len(statuses)],
                        "revision": 1,
                        "currency": "USD",
                        "language": "en",
                        "valid_until": (now + timedelta(days=30)).date(),
                        "license_to_customer": False,
                        "resale_total_minor": 10_000 + n * 100,
                        "created_at": now - timedelta(minutes=n),
                        "updated_at": now - timedelta(minutes=n),
                    }
                )
            self.quotes += len(rows)
            conn.execute(Quote.__table__.insert(), rows)

    def _rival(self, conn, tenant_id: int) -> int:  # type: ignore[no-untyped-def]
        from channelfront.accounts.models import Company

        if not self.rival_id:
            self.rival_id = _next_id(conn, Company.__table__)
            conn.execute(
                Company.__table__.insert(), [{"id": self.rival_id, "name": RIVAL, "country": "DE"}]
            )
        return self.rival_id

    def deals_to(self, count: int) -> None:
        """Bluebird's deals up to ``count``, most pending; every fifth one with a rival's
        pending registration for the same end customer (same VAT id) and product."""
        from sqlalchemy import select

        from channelfront.accounts.models import User
        from channelfront.catalog.models import Product
        from channelfront.customers.models import Customer
        from channelfront.deals.models import Deal, DealLine
        from channelfront.extensions import db

        with self.app.app_context(), db.engine.begin() as conn:
            tenant_id, buyer_id, company_id = self._ids(conn)
            rival = self._rival(conn, tenant_id)
            partner_id = conn.scalar(select(User.id).where(User.email == PARTNER))
            products = conn.execute(
                select(Product.id, Product.sku).order_by(Product.id).limit(20)
            ).all()
            customers = list(
                conn.scalars(
                    select(Customer.id)
                    .where(Customer.company_id == company_id)
                    .order_by(Customer.id)
                )
            )
            deal_id = _next_id(conn, Deal.__table__)
            customer_id = _next_id(conn, Customer.__table__)
            today = date.today()
            now = datetime.now(UTC)
            deals: list[dict[str, Any]] = []
            lines: list[dict[str, Any]] = []
            rival_customers: list[dict[str, Any]] = []
            vat_updates: list[tuple[int, str]] = []

            def deal(company: int, customer: int, product: tuple[int, str], **extra: Any) -> int:
                nonlocal deal_id
                n = self.deals + len(deals) + 1
                deals.append(
                    {
                        "id": deal_id,
                        "tenant_id": tenant_id,
                        "number": f"NW-D-{n:06d}",
                        "company_id": company,
                        "created_by": buyer_id,
                        "customer_id": customer,
                        "external_id": f"crm-opp-{n:06d}",
                        "crm_account_id": f"crm-acc-{customer:06d}",
                        "status": "pending",
                        "currency": "USD",
                        "expected_value_minor": 100_000 + n,
                        "expected_close": today + timedelta(days=30 + n % 60),
                        "conflict_deal_ids": [],
                        "decided_by": None,
                        "decided_at": None,
                        "protected_until": None,
                        "created_at": now - timedelta(minutes=n),
                        "updated_at": now - timedelta(minutes=n),
                        **extra,
                    }
                )
                lines.append(
                    {
                        "tenant_id": tenant_id,
                        "deal_id": deal_id,
                        "product_id": product[0],
                        "sku": product[1],
                        "name": f"Nimbus {product[1]}",
                        "quantity": 5,
                    }
                )
                deal_id += 1
                return deal_id - 1

            mine = count - self.deals
            n = 0
            while n < mine:
                index = self.deals + n
                product = products[index % len(products)]
                customer = customers[index % len(customers)]
                status = "approved" if index % 7 == 3 else "pending"
                extra = {"status": status}
                if status == "approved":
                    extra |= {
                        "decided_by": partner_id,
                        "decided_at": now,
                        "protected_until": today + timedelta(days=90),
                    }
                first = deal(company_id, customer, product, **extra)
                n += 1
                if index % 5 == 0 and n < mine:
                    vat = f"DE{900_000_000 + index}"
                    vat_updates.append((customer, vat))
                    rival_customers.append(
                        {
                            "id": customer_id,
                            "tenant_id": tenant_id,
                            "company_id": rival,
                            "company_name": f"Same End Customer {index}",
                            "contact_name": "Someone",
                            "email": f"it{index}@rival-customer.example",
                            "country": "DE",
                            "vat_id": vat,
                        }
                    )
                    deal(rival, customer_id, product, conflict_deal_ids=[first])
                    customer_id += 1
                    n += 1
            if rival_customers:
                conn.execute(Customer.__table__.insert(), rival_customers)
            for customer, vat in vat_updates:
                conn.execute(
                    Customer.__table__.update()
                    .where(Customer.__table__.c.id == customer)
                    .values(vat_id=vat)
                )
            conn.execute(Deal.__table__.insert(), deals)
            conn.execute(DealLine.__table__.insert(), lines)
            self.deals += len(deals)

    def deliveries_to(self, count: int) -> None:
        """Bluebird's endpoint with ``count`` deliveries in all, one or two attempts each."""
        from channelfront.extensions import db
        from channelfront.webhooks.models import (
            OutboundEvent,
            WebhookAttempt,
            WebhookDelivery,
            WebhookEndpoint,
        )
        from channelfront.webhooks.signing import new_secret

        with self.app.app_context(), db.engine.begin() as conn:
            tenant_id, _buyer_id, company_id = self._ids(conn)
            now = datetime.now(UTC)
            if not self.endpoint_id:
                self.endpoint_id = _next_id(conn, WebhookEndpoint.__table__)
                conn.execute(
                    WebhookEndpoint.__table__.insert(),
                    [
                        {
                            "id": self.endpoint_id,
                            "tenant_id": tenant_id,
                            "company_id": company_id,
                            "url": "http://127.0.0.1:9/crm/hooks",
                            "description": "CRM",
                            "events": EVENT_TYPES,
                            "secret": new_secret(),
                            "created_at": now,
                        }
                    ],
                )
            from sqlalchemy import func, select

            have = conn.scalar(
                select(func.count(WebhookDelivery.id)).where(
                    WebhookDelivery.endpoint_id == self.endpoint_id
                )
            )
            event_id = _next_id(conn, OutboundEvent.__table__)
            delivery_id = _next_id(conn, WebhookDelivery.__table__)
            events, deliveries, attempts = [], [], []
            for n in range(count - (have or 0)):
                at = now - timedelta(minutes=count - n)
                kind = EVENT_TYPES[n % len(EVENT_TYPES)]
                events.append(
                    {
                        "id": event_id + n,
                        "tenant_id": tenant_id,
                        "public_id": f"msg_bench{event_id + n:08d}",
                        "company_id": company_id,
                        "type": kind,
                        "data": {"number": f"NW-{n:06d}", "total_minor": 1000 + n},
                        "created_at": at,
                    }
                )
                failed_first = n % 4 == 0
                deliveries.append(
                    {
                        "id": delivery_id + n,
                        "tenant_id": tenant_id,
                        "endpoint_id": self.endpoint_id,
                        "event_id": event_id + n,
                        "status": "succeeded",
                        "attempt_count": 2 if failed_first else 1,
                        "last_status_code": 200,
                        "delivered_at": at,
                        "created_at": at,
                    }
                )
                for k, status in enumerate([500, 200] if failed_first else [200]):
                    attempts.append(
                        {
                            "tenant_id": tenant_id,
                            "delivery_id": delivery_id + n,
                            "at": at + timedelta(seconds=5 * k),
                            "status_code": status,
                            "duration_ms": 12 + n % 30,
                            "response_head": "ok" if status == 200 else "Internal Server Error",
                            "manual": False,
                        }
                    )
            if events:
                conn.execute(OutboundEvent.__table__.insert(), events)
                conn.execute(WebhookDelivery.__table__.insert(), deliveries)
                conn.execute(WebhookAttempt.__table__.insert(), attempts)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE")


# --- measuring ---------------------------------------------------------------------------


def statements_of(app, client, path: str) -> int:  # type: ignore[no-untyped-def]
    from channelfront.extensions import db

    with app.app_context():
        engine = db.engine
    client.get(path, base_url=BASE)  # warm: host map, templates
    with recorded_statements(engine) as statements:
        response = client.get(path, base_url=BASE)
    if response.status_code != 200:
        raise BenchmarkFailed(f"{path} answered {response.status_code}")
    return len(statements)


def timings_of(client, path: str, samples: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(path, base_url=BASE)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise BenchmarkFailed(f"{path} answered {response.status_code}")
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return round(statistics.median(timings), 1), round(p95, 1)


def pages(seeder: Seeder, customers: int) -> list[tuple[str, str, str]]:
    """(name, signed-in user, path) of every measured page."""
    last = max(1, -(-customers // PER_PAGE))
    endpoint = f"/company/webhooks/{seeder.endpoint_id}"
    return [
        ("customer list, first page", BUYER, "/customers"),
        ("customer list, last page", BUYER, f"/customers?page={last}"),
        ("customer list, search", BUYER, "/customers?q=acme"),
        ("customer list, country", BUYER, "/customers?country=DE"),
        ("customer with many orders", BUYER, f"/customers/{seeder.big_customer_id}"),
        ("deals list", BUYER, "/deals"),
        ("partner deal queue", PARTNER, "/partners/deals"),
        ("delivery log", COMPANY_ADMIN, endpoint),
    ]


def run(url: str, customers: int, deals: int, deliveries: int, samples: int) -> dict:
    env = server_env(url)
    click.echo(f"building {url.split('@')[-1]} ...", err=True)
    build(env)
    app = make_app(url)
    seeder = Seeder(app)
    seeder.customers_and_orders(3, 10)
    seeder.quotes_on(1)
    seeder.deals_to(3)
    seeder.deliveries_to(3)
    clients = {email: signed_in_client(app, email) for email in (BUYER, PARTNER, COMPANY_ADMIN)}
    small = {name: statements_of(app, clients[who], path) for name, who, path in pages(seeder, 3)}
    click.echo("growing ...", err=True)
    started = time.perf_counter()
    seeder.customers_and_orders(customers, 3000)
    seeder.quotes_on(5)
    seeder.deals_to(deals)
    seeder.deliveries_to(deliveries)
    seeded_s = round(time.perf_counter() - started, 1)
    measured = []
    for name, who, path in pages(seeder, customers):
        count = statements_of(app, clients[who], path)
        median, p95 = timings_of(clients[who], path, samples)
        measured.append(Page(name, path, small[name], count, median, p95))
    return {
        "database": url.split(":")[0].split("+")[0],
        "customers": customers,
        "deals": seeder.deals,
        "deliveries": deliveries,
        "quotes": seeder.quotes,
        "seeded_in_s": seeded_s,
        "pages": [asdict(page) for page in measured],
    }


def report(result: dict) -> list[str]:
    lines = [
        f"Customer, deal and webhook pages, {result['database']}: {result['customers']} customers"
        f" of Bluebird IT, {result['deals']} deals, {result['quotes']} quotes,"
        f" {result['deliveries']} deliveries (grown in {result['seeded_in_s']} s);"
        " in-process, one thread:",
        "",
        f"{'page':<28} {'path':<30} {'stmts small/large':>17} {'median':>9} {'p95':>9}",
    ]
    for page in result["pages"]:
        counts = f"{page['statements_small']} / {page['statements']}"
        lines.append(
            f"{page['name']:<28} {page['path']:<30} {counts:>17} "
            f"{page['median_ms']:>6.1f} ms {page['p95_ms']:>6.1f} ms"
        )
    return lines


def checks(result: dict) -> list[str]:
    return [
        f"{page['name']}: {page['statements_small']} statements small, {page['statements']} now"
        for page in result["pages"]
        if page["statements"] > page["statements_small"]
    ]


@click.command()
@click.option("--customers", default=2000, show_default=True, help="Bluebird's customers.")
@click.option("--deals", default=300, show_default=True, help="Deals on northwind.")
@click.option("--deliveries", default=500, show_default=True, help="On the endpoint's log.")
@click.option("--samples", default=30, show_default=True, help="Timed requests per page.")
@click.option("--postgres", is_flag=True, help="A fresh PostgreSQL database instead of SQLite.")
@click.option(
    "--json-out",
    default=str(ROOT / "benchmarks" / "out" / "customer_pages.json"),
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
def main(
    customers: int, deals: int, deliveries: int, samples: int, postgres: bool, json_out: Path
) -> None:
    """Count the SQL statements of the customer, deal and webhook pages, small and grown."""
    if customers < 10 or deals < 10 or deliveries < 10:
        raise click.BadParameter("--customers, --deals and --deliveries: at least 10")
    if postgres and not postgres_available():
        raise BenchmarkFailed("PostgreSQL does not answer at 127.0.0.1:5432")
    workdir = Path(tempfile.mkdtemp(prefix="customer-bench-"))
    try:
        with fresh_database("postgresql" if postgres else "sqlite", workdir) as url:
            result = run(url, customers, deals, deliveries, samples)
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
