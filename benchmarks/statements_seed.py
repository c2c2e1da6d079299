"""Seeding one quarter of a distributor's sales, with the ledger its checkouts would write.

Orders of every reseller enrolled on northwind, four lines each, all invoiced, spread
over the quarter; one purchase fact per line as ``statements/capture.py`` writes it;
the facts posted through the engine (in-memory ledger) in the order they were recorded,
and the entries, volumes and partners of record it wrote copied into their tables
with PostgreSQL ``COPY``, in chunks of orders (so memory holds one chunk of rows).
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import click

LINES_PER_ORDER = 4
CHUNK_ORDERS = 20_000
PROGRAM_CODE = "bench-quarter"

ORDER_COLUMNS = (
    "id, tenant_id, number, company_id, buyer_id, customer_id, po_number, note, currency, "
    "total_minor, credit_minor, payment_method, status, idempotency_key, "
    "notify_end_customer, created_at"
)
LINE_COLUMNS = (
    "id, tenant_id, order_id, product_id, sku, name, kind, term_months, quantity, "
    "list_price_minor, unit_price_minor, total_minor, price_source, discount_bps"
)
INVOICE_COLUMNS = (
    "id, tenant_id, order_id, company_id, number, currency, total_minor, issued_on, due_on, "
    "status, paid_at"
)
EVENT_COLUMNS = (
    "tenant_id, key, type, event_date, recorded_at, channel, distributor_id, "
    "ordering_partner_id, subscription_id, event_kind, term_index, product_id, "
    "category_path, quantity, net_minor, currency, order_id"
)
ENTRY_COLUMNS = (
    "tenant_id, program_id, beneficiary, rule_id, type, event_key, order_id, origin_period, "
    "origin_start, posting_period, posting_start, amount_minor, currency, reason, fund, units"
)
VOLUME_COLUMNS = (
    "tenant_id, program_id, rule_id, beneficiary, event_key, origin_start, posting_start, "
    "amount_minor, currency, rate_date, quantity"
)
RECORD_COLUMNS = "tenant_id, subscription_id, effective_on, partner_id"


@dataclass(frozen=True)
class Shop:
    id: int
    slug: str
    currency: str
    document_prefix: str


@dataclass(frozen=True)
class Reseller:
    company_id: int
    buyer_id: int
    customer_id: int


@dataclass(frozen=True)
class Item:
    product_id: int
    sku: str
    kind: str
    term_months: int | None
    category: str
    list_minor: int


@dataclass
class Chunk:
    """One chunk's rows, ready to copy, and the facts to post."""

    orders: list[tuple]
    lines: list[tuple]
    invoices: list[tuple]
    events: list[tuple]
    facts: list[Any]  # incentives.model.Event, in recording order
    order_of: dict[str, int]


def _publish_program(tenant: Any, today: date) -> Any:
    from channelfront.demo.incentives import STOREFRONTS, distributor_document
    from channelfront.extensions import db
    from channelfront.statements import programs

    shop = next(s for s in STOREFRONTS if s.slug == tenant.slug)
    document = distributor_document(shop, tenant.currency, today)
    row = programs.create(tenant, PROGRAM_CODE, "Quarter benchmark", "distributor", document)
    programs.publish(row, None)
    db.session.commit()
    return row


def _resellers(tenant_id: int) -> list[Reseller]:
    """Every company enrolled on the tenant that has a buyer, with an end customer each."""
    from sqlalchemy import func, select

    from channelfront.accounts.models import User
    from channelfront.customers.models import Customer
    from channelfront.extensions import db
    from channelfront.pricing.models import Enrollment

    found = []
    rows = db.session.execute(
        select(Enrollment.company_id, func.min(User.id))
        .join(User, User.company_id == Enrollment.company_id)
        .where(Enrollment.tenant_id == tenant_id)
        .group_by(Enrollment.company_id)
        .order_by(Enrollment.company_id)
    )
    for company_id, buyer_id in rows.all():
        customer = db.session.scalar(
            select(Customer.id).where(
                Customer.tenant_id == tenant_id, Customer.company_id == company_id
            )
        )
        if customer is None:
            row = Customer(
                tenant_id=tenant_id,
                company_id=company_id,
                company_name=f"Benchmark Customer {company_id}",
                contact_name="Pat Doe",
                email=f"it{company_id}@customer.example",
                country="US",
            )
            db.session.add(row)
            db.session.flush()
            customer = row.id
        found.append(Reseller(company_id, buyer_id, customer))
    db.session.commit()
    return found


def _items(currency: str) -> list[Item]:
    from sqlalchemy import select

    from channelfront.catalog.models import Category, ListPrice, Product
    from channelfront.extensions import db

    rows = db.session.execute(
        select(
            Product.id,
            Product.sku,
            Product.kind,
            Product.term_months,
            Category.slug,
            ListPrice.amount_minor,
        )
        .join(Category, Category.id == Product.category_id)
        .join(ListPrice, ListPrice.product_id == Product.id)
        .where(ListPrice.currency == currency, Product.active.is_(True))
        .order_by(Product.id)
    )
    return [Item(*row) for row in rows]


def _next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608  (fixed names)
    return int(cursor.fetchone()[0])


def _instants(count: int, start: datetime, end: datetime, rng: random.Random) -> list[datetime]:
    seconds = int((end - start).total_seconds()) - 3600
    return sorted(start + timedelta(seconds=rng.randrange(seconds)) for _ in range(count))


class QuarterSeed:
    """Builds the quarter's rows chunk by chunk, deterministically."""

    def __init__(self, tenant: Shop, zone: str, resellers: list[Reseller], items: list[Item]):
        self.tenant = tenant
        self.zone = zone
        self.resellers = resellers
        self.items = items
        self.rng = random.Random(f"statements-benchmark-{tenant.slug}")

    def chunks(
        self, lines: int, start: datetime, end: datetime, ids: dict[str, int]
    ) -> Iterator[Chunk]:
        """Chunks of orders in time order; `ids` holds the next ids and numbers."""
        from zoneinfo import ZoneInfo

        orders = -(-lines // LINES_PER_ORDER)
        moments = _instants(orders, start, end, self.rng)
        local = ZoneInfo(self.zone)
        left = lines
        for chunk_start in range(0, orders, CHUNK_ORDERS):
            chunk = Chunk([], [], [], [], [], {})
            for moment in moments[chunk_start : chunk_start + CHUNK_ORDERS]:
                count = min(LINES_PER_ORDER, left)
                left -= count
                self._order(chunk, ids, moment, moment.astimezone(local).date(), count)
            yield chunk

    def _order(
        self, chunk: Chunk, ids: dict[str, int], moment: datetime, day: date, count: int
    ) -> None:
        from incentives.model import Event

        tenant = self.tenant
        who = self.resellers[self.rng.randrange(len(self.resellers))]
        order_id, number = ids["order"], ids["number"]
        order_number = f"{tenant.document_prefix}-{number:06d}"
        total = 0
        for item in self.rng.sample(self.items, count):
            line_id = ids["line"]
            quantity = self.rng.randint(1, 20)
            unit = item.list_minor * 7 // 10
            subscription = item.kind == "subscription"
            chunk.lines.append(
                (
                    line_id,
                    tenant.id,
                    order_id,
                    item.product_id,
                    item.sku,
                    f"Nimbus {item.sku}",
                    item.kind,
                    item.term_months,
                    quantity,
                    item.list_minor,
                    unit,
                    unit * quantity,
                    "program",
                    3000,
                )
            )
            key = f"{order_number}/{line_id}"
            partner = f"company-{who.company_id}"
            subscription_id = f"sub-{line_id}" if subscription else None
            kind = "new" if subscription else "none"
            chunk.events.append(
                (
                    tenant.id,
                    key,
                    "purchase",
                    day,
                    moment,
                    "storefront",
                    tenant.slug,
                    partner,
                    subscription_id,
                    kind,
                    0,
                    item.sku,
                    json.dumps([item.category]),
                    quantity,
                    unit * quantity,
                    tenant.currency,
                    order_id,
                )
            )
            chunk.facts.append(
                Event(
                    id=key,
                    type="purchase",
                    event_date=day,
                    recorded_at=moment,
                    channel="storefront",
                    distributor_id=tenant.slug,
                    ordering_partner_id=partner,
                    subscription_id=subscription_id,
                    event_kind=kind,
                    product_id=item.sku,
                    category_path=(item.category,),
                    quantity=Decimal(quantity),
                    net_amount=Decimal(unit * quantity).scaleb(-2),
                    currency=tenant.currency,
                )
            )
            chunk.order_of[key] = order_id
            total += unit * quantity
            ids["line"] += 1
        chunk.orders.append(
            (
                order_id,
                tenant.id,
                order_number,
                who.company_id,
                who.buyer_id,
                who.customer_id,
                None,
                None,
                tenant.currency,
                total,
                0,
                "on_account",
                "invoiced",
                f"bench-{number:07d}",
                False,
                moment,
            )
        )
        chunk.invoices.append(
            (
                ids["invoice"],
                tenant.id,
                order_id,
                who.company_id,
                f"{tenant.document_prefix}-INV-{ids['invoice_number']:06d}",
                tenant.currency,
                total,
                day,
                day + timedelta(days=30),
                "paid",
                moment + timedelta(days=20),
            )
        )
        ids["order"] += 1
        ids["number"] += 1
        ids["invoice"] += 1
        ids["invoice_number"] += 1


def _copy(cursor: Any, table: str, columns: str, rows: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _posted(engine: Any, chunk: Chunk, tenant_id: int, program_id: int) -> dict[str, list]:
    """Post the chunk's facts; the rows the product's ledger would hold for them."""
    from channelfront.statements.facts import to_minor

    currency = engine.program.settlement_currency
    written: dict[str, list] = {"entries": [], "volumes": [], "records": []}
    for fact in chunk.facts:
        posting = engine.post(fact)
        for e in posting.entries:
            order_id = chunk.order_of.get(e.event_id) if e.event_id else None
            written["entries"].append(
                (
                    tenant_id,
                    program_id,
                    e.beneficiary,
                    e.rule_id,
                    e.type,
                    e.event_id,
                    order_id,
                    e.origin.key,
                    e.origin.start,
                    e.posting.key,
                    e.posting.start,
                    to_minor(e.amount, currency),
                    currency,
                    e.reason,
                    e.fund,
                    e.units,
                )
            )
        for v in posting.volumes:
            written["volumes"].append(
                (
                    tenant_id,
                    program_id,
                    v.rule_id,
                    v.beneficiary,
                    v.event_id,
                    v.origin.start,
                    v.posting.start,
                    to_minor(v.amount, v.currency),
                    v.currency,
                    v.rate_date,
                    v.quantity,
                )
            )
        if posting.partner_of_record is not None and fact.subscription_id:
            written["records"].append(
                (tenant_id, fact.subscription_id, fact.event_date, posting.partner_of_record)
            )
    return written


def _set_sequences_and_counters(cursor: Any, tenant_id: int, ids: dict[str, int]) -> None:
    for table in ("purchase_order", "order_line", "invoice"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT max(id) FROM {table}))"
        )
    for kind, value in (("order", ids["number"] - 1), ("invoice", ids["invoice_number"] - 1)):
        cursor.execute(
            "UPDATE counter SET last_value = %s WHERE tenant_id = %s AND kind = %s",
            (value, tenant_id, kind),
        )
        if cursor.rowcount == 0:
            cursor.execute(
                "INSERT INTO counter (tenant_id, kind, last_value) VALUES (%s, %s, %s)",
                (tenant_id, kind, value),
            )


def _counter(cursor: Any, tenant_id: int, kind: str) -> int:
    cursor.execute(
        "SELECT coalesce(max(last_value), 0) FROM counter WHERE tenant_id = %s AND kind = %s",
        (tenant_id, kind),
    )
    return int(cursor.fetchone()[0])


def seed_quarter(app: Any, lines: int, quarter: str) -> dict[str, Any]:
    """Seed `lines` order lines of northwind in `quarter` with their ledger; what was made."""
    import psycopg
    from sqlalchemy import select

    from channelfront.extensions import db
    from channelfront.statements import close
    from channelfront.statements.partners import partners_for
    from channelfront.statements.programs import engine_program
    from channelfront.tenancy.models import Tenant
    from channelfront.tenancy.scoping import tenant_scope
    from incentives import Engine
    from incentives.memory import MemoryState

    began = time.perf_counter()
    posting_seconds = 0.0
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
        period = close.parse_period(quarter, "quarterly")
        assert tenant is not None
        assert period is not None
        with tenant_scope(tenant.id):
            row = _publish_program(tenant, period.end + timedelta(days=40))
            program = engine_program(row)
            engine = Engine(program, MemoryState(), partners_for(tenant))
            shop = Shop(tenant.id, tenant.slug, tenant.currency, tenant.document_prefix)
            seed = QuarterSeed(shop, program.timezone, _resellers(tenant.id), _items("USD"))
            tenant_id, program_id = tenant.id, row.id
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    from zoneinfo import ZoneInfo

    local = ZoneInfo(program.timezone)
    start = datetime.combine(period.start, datetime.min.time(), local).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), local)
    end = end.astimezone(UTC)
    made = {"orders": 0, "lines": 0, "entries": 0, "volumes": 0}
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        ids = {
            "order": _next_id(cursor, "purchase_order"),
            "line": _next_id(cursor, "order_line"),
            "invoice": _next_id(cursor, "invoice"),
            "number": _counter(cursor, tenant_id, "order") + 1,
            "invoice_number": _counter(cursor, tenant_id, "invoice") + 1,
        }
        with click.progressbar(length=lines, label="Seeding the quarter", file=sys.stderr) as bar:
            for chunk in seed.chunks(lines, start, end, ids):
                _copy(cursor, "purchase_order", ORDER_COLUMNS, chunk.orders)
                _copy(cursor, "order_line", LINE_COLUMNS, chunk.lines)
                _copy(cursor, "invoice", INVOICE_COLUMNS, chunk.invoices)
                _copy(cursor, "incentive_event", EVENT_COLUMNS, chunk.events)
                posted_at = time.perf_counter()
                written = _posted(engine, chunk, tenant_id, program_id)
                posting_seconds += time.perf_counter() - posted_at
                _copy(cursor, "ledger_entry", ENTRY_COLUMNS, written["entries"])
                _copy(cursor, "volume_entry", VOLUME_COLUMNS, written["volumes"])
                _copy(cursor, "partner_of_record", RECORD_COLUMNS, written["records"])
                made["orders"] += len(chunk.orders)
                made["lines"] += len(chunk.lines)
                made["entries"] += len(written["entries"])
                made["volumes"] += len(written["volumes"])
                bar.update(len(chunk.lines))
        _set_sequences_and_counters(cursor, tenant_id, ids)
        conn.commit()
        conn.autocommit = True
        cursor.execute("ANALYZE")
    return {
        **made,
        "tenant_id": tenant_id,
        "program_id": program_id,
        "seconds": round(time.perf_counter() - began, 1),
        "post_seconds": round(posting_seconds, 1),
    }
