"""Seeding a company's order history in bulk: orders, lines, end customers, invoices.

Core inserts of row lists with explicit ids and tenant ids (the tenant scoping of the
ORM is not involved), fast enough for 100,000 orders in seconds. The rows look like
what checkout and fulfilment write: numbered per tenant, priced lines with their
source, an invoice for every invoiced order, spread over three years.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

STATUSES = [("invoiced", 90), ("accepted_on_account", 3), ("payment_failed", 2), ("cancelled", 5)]
WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne"]


def _next_id(conn, table) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    return (conn.scalar(select(func.max(table.c.id))) or 0) + 1


def _insert(conn, table, rows: list[dict[str, Any]], bar) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(rows), 5000):
        chunk = rows[start : start + 5000]
        conn.execute(table.insert(), chunk)
        bar.update(len(chunk))


def seed_orders(app, count: int, customers: int = 2000, seed: int = 20_261_125) -> int:  # type: ignore[no-untyped-def]
    """Add ``count`` orders of Bluebird IT's buyer on northwind; returns the company's total."""
    from sqlalchemy import func, select

    from channelfront.accounts.models import User
    from channelfront.catalog.models import ListPrice, Product
    from channelfront.customers.models import Customer
    from channelfront.extensions import db
    from channelfront.invoices.models import Invoice
    from channelfront.orders.models import Counter, Order, OrderLine
    from channelfront.tenancy.models import Tenant

    rng = random.Random(seed + count)
    with app.app_context(), db.engine.begin() as conn:
        tenant_id = conn.scalar(select(Tenant.id).where(Tenant.slug == "northwind"))
        buyer_id, company_id = conn.execute(
            select(User.id, User.company_id).where(User.email == "buyer@bluebird.example")
        ).one()
        products = conn.execute(
            select(
                Product.id, Product.sku, Product.kind, Product.term_months, ListPrice.amount_minor
            )
            .join(ListPrice, ListPrice.product_id == Product.id)
            .where(ListPrice.currency == "USD")
        ).all()
        have = conn.scalar(
            select(func.count(Customer.id)).where(
                Customer.tenant_id == tenant_id, Customer.company_id == company_id
            )
        )
        first_customer = _next_id(conn, Customer.__table__)
        new_customers = [
            {
                "id": first_customer + n,
                "tenant_id": tenant_id,
                "company_id": company_id,
                "company_name": f"{rng.choice(WORDS)} {n:04d} Ltd",
                "contact_name": f"Contact {n:04d}",
                "email": f"buyer{n:04d}@customer{n % 97:02d}.example",
                "country": rng.choice(["US", "DE", "GB", "JP"]),
            }
            for n in range(max(0, customers - have))
        ]
        customer_ids = [first_customer + n for n in range(len(new_customers))] or list(
            conn.scalars(select(Customer.id).where(Customer.company_id == company_id))
        )
        counters = {
            kind: conn.scalar(
                select(Counter.last_value).where(
                    Counter.tenant_id == tenant_id, Counter.kind == kind
                )
            )
            or 0
            for kind in ("order", "invoice")
        }
        order_id, line_id = _next_id(conn, Order.__table__), _next_id(conn, OrderLine.__table__)
        invoice_id = _next_id(conn, Invoice.__table__)
        now = datetime.now(UTC)
        orders, lines, invoices = [], [], []
        statuses, weights = zip(*STATUSES, strict=True)
        for n in range(count):
            number = counters["order"] + n + 1
            created = now - timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
            status = rng.choices(statuses, weights)[0]
            on_account = status != "payment_failed" and rng.random() < 0.8
            total = 0
            for product_id, sku, kind, term, list_minor in rng.sample(products, rng.randint(1, 3)):
                quantity = rng.randint(1, 50)
                unit = list_minor * 7 // 10
                lines.append(
                    {
                        "id": line_id,
                        "tenant_id": tenant_id,
                        "order_id": order_id,
                        "product_id": product_id,
                        "sku": sku,
                        "name": f"Nimbus {sku}",
                        "kind": kind,
                        "term_months": term if kind == "subscription" else None,
                        "quantity": quantity,
                        "list_price_minor": list_minor,
                        "unit_price_minor": unit,
                        "total_minor": unit * quantity,
                        "price_source": "category",
                        "discount_bps": 3000,
                    }
                )
                line_id += 1
                total += unit * quantity
            orders.append(
                {
                    "id": order_id,
                    "tenant_id": tenant_id,
                    "number": f"NW-{number:06d}",
                    "company_id": company_id,
                    "buyer_id": buyer_id,
                    "customer_id": rng.choice(customer_ids),
                    "po_number": f"PO-{number:06d}" if rng.random() < 0.7 else None,
                    "note": None,
                    "currency": "USD",
                    "total_minor": total,
                    "payment_method": "on_account" if on_account else "card",
                    "status": status,
                    "idempotency_key": f"seed-{number:07d}-{seed}",
                    "notify_end_customer": False,
                    "created_at": created,
                }
            )
            if status == "invoiced":
                counters["invoice"] += 1
                issued = created.date()
                invoices.append(
                    {
                        "id": invoice_id,
                        "tenant_id": tenant_id,
                        "order_id": order_id,
                        "company_id": company_id,
                        "number": f"NW-INV-{counters['invoice']:06d}",
                        "currency": "USD",
                        "total_minor": total,
                        "issued_on": issued,
                        "due_on": issued + timedelta(days=30 if on_account else 0),
                        "status": "paid"
                        if not on_account or created < now - timedelta(days=45)
                        else "open",
                        "paid_at": created if not on_account else None,
                    }
                )
                invoice_id += 1
            order_id += 1
        counters["order"] += count
        batches = [
            (Customer.__table__, new_customers),
            (Order.__table__, orders),
            (OrderLine.__table__, lines),
            (Invoice.__table__, invoices),
        ]
        total_rows = sum(len(rows) for _table, rows in batches)
        with click.progressbar(length=total_rows, label="Seeding orders", file=sys.stderr) as bar:
            for table, rows in batches:
                _insert(conn, table, rows, bar)
        for kind, value in counters.items():
            _set_counter(conn, Counter.__table__, tenant_id, kind, value)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
        return int(
            conn.scalar(select(func.count(Order.id)).where(Order.company_id == company_id)) or 0
        )


def _set_counter(conn, table, tenant_id: int, kind: str, value: int) -> None:  # type: ignore[no-untyped-def]
    """Checkout numbers new orders after the seeded ones."""
    from sqlalchemy import select

    where = (table.c.tenant_id == tenant_id) & (table.c.kind == kind)
    if conn.scalar(select(table.c.id).where(where)) is None:
        conn.execute(table.insert(), [{"tenant_id": tenant_id, "kind": kind, "last_value": value}])
    else:
        conn.execute(table.update().where(where).values(last_value=value))
