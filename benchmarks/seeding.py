"""Growing the demo database to benchmark size with bulk Core inserts."""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click
from loadgen import PASSWORD


@dataclass
class SeedPlan:
    products: int
    companies: int
    seed: int = 20_251_125


WORDS_A = ["Cloud", "Edge", "Data", "Secure", "Rapid", "Smart", "Zero", "Team", "Core", "Flex"]
WORDS_B = ["Guard", "Sync", "Vault", "Flow", "Desk", "Mail", "Scan", "Hub", "Link", "Ops"]
EDITIONS = [
    ("PERP", "perpetual", None, "Professional perpetual license", "Professional Dauerlizenz"),
    ("STD-1Y", "subscription", 12, "Standard, annual subscription", "Standard, Jahresabonnement"),
    ("ENT-1Y", "subscription", 12, "Enterprise, annual subscription", "Enterprise, Jahresabo"),
    ("STD-1M", "subscription", 1, "Standard, monthly subscription", "Standard, Monatsabonnement"),
    ("SUP", "service", 12, "Support add-on", "Support (Zusatz)"),
]
EXTRA_CATEGORIES = [
    ("networking", "Networking", "Netzwerk"),
    ("identity", "Identity", "Identität"),
    ("email", "E-mail", "E-Mail"),
    ("storage", "Storage", "Speicher"),
    ("monitoring", "Monitoring", "Überwachung"),
    ("endpoint", "Endpoint", "Endgeräte"),
    ("compliance", "Compliance", "Compliance"),
    ("database", "Databases", "Datenbanken"),
    ("automation", "Automation", "Automatisierung"),
    ("design", "Design", "Gestaltung"),
    ("training", "Training", "Schulung"),
    ("mobile", "Mobile", "Mobil"),
    ("iot", "Internet of things", "Internet der Dinge"),
    ("ai", "Machine learning", "Maschinelles Lernen"),
]
EXTRA_GROUPS = [
    ("education", "Education editions"),
    ("government", "Government editions"),
    ("bundles", "Bundles"),
    ("add-ons", "Add-ons"),
]


def _next_id(connection, table) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    return (connection.scalar(select(func.max(table.c.id))) or 0) + 1


def _insert_in_chunks(connection, table, rows: Sequence[dict[str, Any]], bar) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        connection.execute(table.insert(), list(chunk))
        bar.update(len(chunk))


def seed(app, plan: SeedPlan) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Grow the catalog to ``plan.products`` and add ``plan.companies`` resellers.

    Core inserts of row lists: fast, and fine here because the benchmark writes shared
    catalog rows and sets every tenant id itself.
    """
    from sqlalchemy import func, select

    from channelfront.accounts.models import Company, User
    from channelfront.accounts.passwords import hash_password
    from channelfront.catalog.models import (
        Category,
        CategoryName,
        ListPrice,
        Product,
        ProductGroup,
        ProductText,
        product_group_member,
    )
    from channelfront.demo.catalog_data import prices
    from channelfront.extensions import db
    from channelfront.pricing.models import Enrollment, PartnerPrice, Program
    from channelfront.tenancy.models import Tenant

    rng = random.Random(plan.seed)
    with app.app_context(), db.engine.begin() as conn:
        existing = conn.scalar(select(func.count()).select_from(Product.__table__)) or 0
        category_id = _next_id(conn, Category.__table__)
        position = conn.scalar(select(func.max(Category.__table__.c.position))) or 0
        categories = [
            {"id": category_id + i, "slug": slug, "position": position + 1 + i}
            for i, (slug, _en, _de) in enumerate(EXTRA_CATEGORIES)
        ]
        category_names = [
            {"category_id": category_id + i, "locale": loc, "name": name}
            for i, (_slug, en, de) in enumerate(EXTRA_CATEGORIES)
            for loc, name in (("en", en), ("de", de))
        ]
        group_id = _next_id(conn, ProductGroup.__table__)
        groups = [
            {"id": group_id + i, "slug": slug, "name": name}
            for i, (slug, name) in enumerate(EXTRA_GROUPS)
        ]
        conn.execute(Category.__table__.insert(), categories)
        conn.execute(CategoryName.__table__.insert(), category_names)
        conn.execute(ProductGroup.__table__.insert(), groups)
        all_categories = list(conn.scalars(select(Category.__table__.c.id)))
        all_groups = list(conn.scalars(select(ProductGroup.__table__.c.id)))

        first_product = _next_id(conn, Product.__table__)
        products, texts, list_prices, members = [], [], [], []
        for n in range(max(0, plan.products - existing)):
            pid = first_product + n
            suffix, kind, term, en_words, de_words = EDITIONS[n % len(EDITIONS)]
            family = f"{rng.choice(WORDS_A)}{rng.choice(WORDS_B)}"
            products.append(
                {
                    "id": pid,
                    "sku": f"X{n:05d}-{suffix}",
                    "category_id": rng.choice(all_categories),
                    "kind": kind,
                    "term_months": term,
                    "active": rng.random() > 0.02,
                }
            )
            texts.append(
                {
                    "product_id": pid,
                    "locale": "en",
                    "name": f"Nimbus {family} {en_words}",
                    "description": f"Nimbus {family} for one user or device.",
                }
            )
            texts.append(
                {
                    "product_id": pid,
                    "locale": "de",
                    "name": f"Nimbus {family} {de_words}",
                    "description": f"Nimbus {family} für einen Benutzer oder ein Gerät.",
                }
            )
            usd_cents = rng.randrange(400, 250_000, 10)
            list_prices.extend(
                {"product_id": pid, "currency": currency, "amount_minor": amount}
                for currency, amount in prices(usd_cents).items()
            )
            members.extend(
                {"product_id": pid, "group_id": gid}
                for gid in rng.sample(all_groups, rng.choice([1, 1, 2]))
            )

        tenants = {t.slug: t.id for t in conn.execute(select(Tenant.__table__))}
        programs: dict[int, list[int]] = {}
        for program in conn.execute(select(Program.__table__)):
            programs.setdefault(program.tenant_id, []).append(program.id)
        first_company = _next_id(conn, Company.__table__)
        password_hash = hash_password(PASSWORD)  # one hash for all: argon2 is slow on purpose
        companies, users, enrollments, overrides = [], [], [], []
        product_ids = [p["id"] for p in products] or [first_product - 1]
        for n in range(plan.companies):
            cid = first_company + n
            companies.append(
                {"id": cid, "name": f"Reseller {n:03d}", "country": rng.choice(["US", "DE", "JP"])}
            )
            users.append(
                {
                    "email": f"buyer@reseller-{n:03d}.example",
                    "name": f"Buyer {n:03d}",
                    "password_hash": password_hash,
                    "kind": "reseller",
                    "role": "buyer",
                    "company_id": cid,
                    "tenant_id": None,
                    "locale": None,
                    "active": True,
                }
            )
            for slug in rng.sample(sorted(tenants), rng.randint(1, len(tenants))):
                tenant_id = tenants[slug]
                enrollments.append(
                    {
                        "tenant_id": tenant_id,
                        "company_id": cid,
                        "program_id": rng.choice(programs[tenant_id]),
                        "credit_limit_minor": rng.randrange(0, 10_000_000, 100_000),
                    }
                )
                overrides.extend(
                    {
                        "tenant_id": tenant_id,
                        "company_id": cid,
                        "product_id": pid,
                        "discount_bps": rng.randrange(500, 4000, 50),
                    }
                    for pid in rng.sample(product_ids, min(5, len(product_ids)))
                )

        batches = [
            (Product.__table__, products),
            (ProductText.__table__, texts),
            (ListPrice.__table__, list_prices),
            (product_group_member, members),
            (Company.__table__, companies),
            (User.__table__, users),
            (Enrollment.__table__, enrollments),
            (PartnerPrice.__table__, overrides),
        ]
        total = sum(len(rows) for _table, rows in batches)
        with click.progressbar(length=total, label="Seeding rows", file=sys.stderr) as bar:
            for table, rows in batches:
                _insert_in_chunks(conn, table, rows, bar)
        if conn.dialect.name == "postgresql":
            # Planner statistics, as autovacuum would gather them after a bulk load;
            # without them PostgreSQL guesses a few rows and picks nested loops.
            conn.exec_driver_sql("ANALYZE")
        counts = {
            name: conn.scalar(select(func.count()).select_from(table)) or 0
            for name, table in [
                ("products", Product.__table__),
                ("product_texts", ProductText.__table__),
                ("list_prices", ListPrice.__table__),
                ("categories", Category.__table__),
                ("companies", Company.__table__),
                ("enrollments", Enrollment.__table__),
                ("partner_prices", PartnerPrice.__table__),
            ]
        }
    return counts
