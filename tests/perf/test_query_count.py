"""The storefront pages run a fixed, small number of SQL statements, whatever the catalog size.

A page whose statement count grows with the catalog (one query per product card, per
price or per text) is the usual way a catalog page gets slow in production, long before
any timing test notices. So this counts statements, it does not time them.

Each measured request follows an unmeasured one to the same page, so process-wide
caches that refill now and then (the host map, compiled templates) are warm: what is
counted is what every request of that page costs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event, select

from channelfront.catalog.models import Category, ListPrice, Product, ProductGroup, ProductText
from channelfront.demo.catalog_data import prices
from channelfront.extensions import db

MAX_STATEMENTS = 11  # 10 for the page, 1 for the header's cart badge
EXTRA_PRODUCTS = 200

# Each page, and a text that shows it rendered what a buyer came for.
PAGES = {
    "/": "Welcome to Northwind Distribution",
    "/catalog": 'class="product-card"',
    "/catalog?page=2": 'class="product-card"',
    "/catalog?q=shield": 'class="product-card"',
    "/catalog?category=security": 'class="product-card"',
    "/catalog/SHD-ENT-1Y": "SHD-ENT-1Y",
}

# The per-test rollback fixture wraps each request in a savepoint; those statements
# belong to the test harness, not to the page.
_HARNESS = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements sent to the database while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):  # type: ignore[no-untyped-def]
        if not _HARNESS.match(statement):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def measured_get(app: Flask, client, path: str):  # type: ignore[no-untyped-def]
    """GET a page twice; return the second response and its SQL statements."""
    client.get(path)
    with recorded_statements(app) as statements:
        response = client.get(path)
    return response, list(statements)


def statements_per_page(app: Flask, client) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each page's SQL statements, after checking the page rendered its content."""
    seen = {}
    for path, expected in PAGES.items():
        response, statements = measured_get(app, client, path)
        assert response.status_code == 200, path
        assert expected in response.get_data(as_text=True), f"{path} lacks {expected!r}"
        seen[path] = statements
    return seen


def add_products(count: int) -> int:
    """Add ``count`` products to the shared catalog, all authorized for Bluebird on northwind.

    They sit in the security category (in Bluebird's Gold program) and spread over every
    product group, with texts in two locales and list prices in USD, EUR and JPY, so every
    lookup a catalog card makes has rows to find.
    Committed inside the test's outer transaction, which the fixture rolls back.
    """
    security = db.session.scalar(select(Category).where(Category.slug == "security"))
    groups = db.session.scalars(select(ProductGroup).order_by(ProductGroup.id)).all()
    for n in range(count):
        product = Product(
            sku=f"XTR-{n:04d}",
            category=security,
            kind="subscription",
            term_months=12,
            groups=[groups[n % len(groups)]],
            texts=[
                ProductText(locale="en", name=f"Nimbus Shield Extra {n}", description="More."),
                ProductText(locale="de", name=f"Nimbus Shield Extra {n}", description="Mehr."),
            ],
            prices=[
                ListPrice(currency=currency, amount_minor=amount)
                for currency, amount in prices(5_000 + 10 * n).items()
            ],
        )
        db.session.add(product)
    db.session.commit()
    return db.session.scalar(select(db.func.count()).select_from(Product)) or 0


def _describe(statements: list[str]) -> str:
    return "\n".join(f"  {s.split(chr(10))[0][:140]}" for s in statements)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_stays_within_statement_budget(app, bluebird_buyer, path):
    response, statements = measured_get(app, bluebird_buyer, path)
    assert response.status_code == 200
    assert PAGES[path] in response.get_data(as_text=True)
    assert len(statements) <= MAX_STATEMENTS, (
        f"{path} ran {len(statements)} SQL statements (budget {MAX_STATEMENTS}):\n"
        + _describe(statements)
    )


def test_statement_count_does_not_grow_with_the_catalog(app, ctx, bluebird_buyer):
    with_demo = statements_per_page(app, bluebird_buyer)
    before = bluebird_buyer.get("/catalog").get_data(as_text=True)

    total = add_products(EXTRA_PRODUCTS)
    assert total >= 60 + EXTRA_PRODUCTS

    after = bluebird_buyer.get("/catalog").get_data(as_text=True)
    count = re.compile(r'class="result-count">\D*(\d+)')
    shown_before, shown_after = (int(count.search(page).group(1)) for page in (before, after))
    assert shown_after == shown_before + EXTRA_PRODUCTS, "the added products are not in the catalog"

    with_more = statements_per_page(app, bluebird_buyer)
    for path in PAGES:
        assert len(with_more[path]) == len(with_demo[path]), (
            f"{path}: {len(with_demo[path])} statements with {shown_before} products, "
            f"{len(with_more[path])} with {shown_after}:\n" + _describe(with_more[path])
        )
    assert max(len(s) for s in with_more.values()) <= MAX_STATEMENTS
