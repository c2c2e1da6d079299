"""Demo incentives: a distributor and a reseller program per demo storefront, with history.

Each storefront gets two published programs in its currency and time zone, and about
eight quarters of past sales by its enrolled resellers (new subscriptions, their
renewals a year later by the reseller or by the end customer alone, perpetual licenses,
a few refunds, some of them after their quarter closed). The facts are backdated and
posted through the engine as they would have been recorded, closing each quarter when
its grace days ran out, so the statement pages have closed statements, carried
balances, credit notes and prior-period adjustments to show.

Loading twice changes nothing: programs are found by code, and the history is
written only when the storefront has none.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from channelfront.catalog.models import Category, ListPrice, Product, ProductKind
from channelfront.extensions import db
from channelfront.statements import close, posting, programs
from channelfront.statements.models import IncentiveEvent, IncentiveProgram
from channelfront.statements.partners import partners_for
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope
from incentives.periods import period_of

QUARTERS = 8
HISTORY_PREFIX = "DEMO-"


@dataclass(frozen=True)
class Storefront:
    slug: str
    zone: str
    scale: int  # amounts in the demo documents are USD-sized; JPY is 150 times larger


STOREFRONTS = [
    Storefront("northwind", "America/New_York", 1),
    Storefront("alpenhandel", "Europe/Berlin", 1),
    Storefront("sakura", "Asia/Tokyo", 150),
]


def _amount(value: int, shop: Storefront, currency: str) -> str:
    scaled = value * shop.scale
    return str(scaled) if currency == "JPY" else f"{scaled}.00"


def distributor_document(shop: Storefront, currency: str, today: date) -> dict[str, Any]:
    """Commission by category (one exclusive group), a retroactive quarterly volume
    rebate, a SPIFF on Enterprise Shield during the last full quarter, and MDF."""
    spiff = period_of(today.replace(day=1) - timedelta(days=92), "quarterly")
    return {
        "id": "distributor",
        "settlement_currency": currency,
        "timezone": shop.zone,
        "statement_period": "quarterly",
        "grace_days": 10,
        "min_payout": _amount(500, shop, currency),
        "rules": [
            {
                "id": "commission-security",
                "kind": "percent_commission",
                "beneficiary": "distributor",
                "scope": {"category_ids": ["security"]},
                "exclusive_group": "commission",
                "rate": "0.05",
                "clawback_window_days": 90,
            },
            {
                "id": "commission-support",
                "kind": "percent_commission",
                "beneficiary": "distributor",
                "scope": {"category_ids": ["support"]},
                "exclusive_group": "commission",
                "rate": "0",
            },
            {
                "id": "commission",
                "kind": "percent_commission",
                "beneficiary": "distributor",
                "scope": {},
                "exclusive_group": "commission",
                "rate": "0.03",
                "clawback_window_days": 90,
            },
            {
                "id": "volume-rebate",
                "kind": "tiered_volume",
                "beneficiary": "distributor",
                "scope": {},
                "tiers": [
                    {"from": "0", "rate": "0.005"},
                    {"from": str(5000 * shop.scale), "rate": "0.01"},
                    {"from": str(10000 * shop.scale), "rate": "0.015"},
                ],
                "tier_method": "retroactive",
                "tier_measure": "amount",
            },
            {
                "id": "spiff-shield-enterprise",
                "kind": "fixed_per_unit",
                "beneficiary": "distributor",
                "scope": {
                    "product_ids": ["SHD-ENT-1Y"],
                    "valid_from": spiff.start.isoformat(),
                    "valid_to": spiff.end.isoformat(),
                },
                "amount_per_unit": _amount(10, shop, currency),
                "caps": {"per_promotion_units": "40"},
            },
            {
                "id": "mdf",
                "kind": "mdf_accrual",
                "beneficiary": "distributor",
                "scope": {},
                "rate": "0.02",
            },
        ],
    }


def reseller_document(shop: Storefront, currency: str) -> dict[str, Any]:
    """Renewal commissions to the reseller of record, and a small commission on all."""
    return {
        "id": "reseller",
        "settlement_currency": currency,
        "timezone": shop.zone,
        "statement_period": "quarterly",
        "grace_days": 10,
        "min_payout": _amount(100, shop, currency),
        "rules": [
            {
                "id": "renewals",
                "kind": "renewal_commission",
                "beneficiary": "originating_partner",
                "scope": {},
                "renewal": {
                    "first_purchase_rate": "0.02",
                    "partner_renewal_rate": "0.02",
                    "self_service_renewal_rate": "0.03",
                    "max_renewals": 5,
                },
                "clawback_window_days": 60,
            },
            {
                "id": "sales",
                "kind": "percent_commission",
                "beneficiary": "ordering_partner",
                "scope": {},
                "rate": "0.005",
            },
        ],
    }


PROGRAMS = [
    ("distributor", "Distributor incentives", "distributor"),
    ("reseller", "Reseller commissions", "reseller"),
]


def _program(tenant: Tenant, code: str, name: str, audience: str, doc: dict) -> None:
    found = db.session.scalar(
        select(IncentiveProgram).where(
            IncentiveProgram.tenant_id == tenant.id, IncentiveProgram.code == code
        )
    )
    if found is None:
        row = programs.create(tenant, code, name, audience, doc)
        programs.publish(row, None)


def load_programs(today: date | None = None) -> None:
    """Publish the two demo programs on each demo storefront, once (no commit)."""
    today = today or datetime.now(UTC).date()
    for shop in STOREFRONTS:
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == shop.slug))
        if tenant is None:
            continue
        with tenant_scope(tenant.id):
            docs = {
                "distributor": distributor_document(shop, tenant.currency, today),
                "reseller": reseller_document(shop, tenant.currency),
            }
            for code, name, audience in PROGRAMS:
                _program(tenant, code, name, audience, docs[code])
    db.session.flush()


# -- history -----------------------------------------------------------------------------------

SKUS = [
    "SHD-STD-1Y",
    "SHD-ENT-1Y",
    "VLT-STD-1Y",
    "BKP-PERP",
    "TMS-STD-1Y",
    "INS-PERP",
    "SHD-SUP-BAS",
]


@dataclass(frozen=True)
class Item:
    sku: str
    category: str
    kind: str
    price_minor: int


def _catalog(currency: str) -> dict[str, Item]:
    rows = db.session.execute(
        select(Product.sku, Category.slug, Product.kind, ListPrice.amount_minor)
        .join(Category, Category.id == Product.category_id)
        .join(ListPrice, ListPrice.product_id == Product.id)
        .where(Product.sku.in_(SKUS), ListPrice.currency == currency)
    )
    return {sku: Item(sku, cat, kind, price) for sku, cat, kind, price in rows}


class History:
    """Builds the backdated facts of one storefront, deterministically."""

    def __init__(self, tenant: Tenant, shop: Storefront, resellers: list[str], today: date):
        self.tenant = tenant
        self.zone = ZoneInfo(shop.zone)
        self.resellers = resellers
        self.today = today
        self.rng = random.Random(f"channelfront-demo-{tenant.slug}")  # noqa: S311  (demo data)
        self.catalog = _catalog(tenant.currency)
        self.facts: list[IncentiveEvent] = []

    def at(self, day: date) -> datetime:
        return datetime.combine(day, time(11, 30), self.zone).astimezone(UTC)

    def fact(self, day: date, **values: Any) -> IncentiveEvent:
        number = len(self.facts) + 1
        values = {
            "key": f"{HISTORY_PREFIX}{number:04d}",
            "term_index": 0,
            "refund_of": None,
            **values,
        }
        row = IncentiveEvent(
            tenant_id=self.tenant.id,
            event_date=day,
            recorded_at=self.at(day),
            distributor_id=self.tenant.slug,
            currency=self.tenant.currency,
            **values,
        )
        self.facts.append(row)
        return row

    def build(self) -> list[IncentiveEvent]:
        start = period_of(self.today, "quarterly").start
        for _ in range(QUARTERS):
            start = period_of(start - timedelta(days=1), "quarterly").start
        subscriptions: list[tuple[date, IncentiveEvent]] = []
        day = start + timedelta(days=2)
        while day < self.today:
            bought = self.purchase(day)
            if bought.event_kind == "new":
                subscriptions.append((day, bought))
            if self.rng.random() < 0.08:
                self.refund(bought, day + timedelta(days=self.rng.choice([5, 20, 45])))
            day += timedelta(days=self.rng.choice([4, 6, 8, 10]))
        for day, bought in subscriptions:
            self.renewal(day, bought)
        return sorted(
            (f for f in self.facts if f.event_date < self.today),
            key=lambda f: (f.recorded_at, f.key),
        )

    def purchase(self, day: date) -> IncentiveEvent:
        item = self.catalog[self.rng.choice(SKUS)]
        quantity = self.rng.choice([1, 2, 3, 5, 10])
        new = item.kind == ProductKind.SUBSCRIPTION
        key = f"{HISTORY_PREFIX}{len(self.facts) + 1:04d}"
        return self.fact(
            day,
            key=key,
            type="purchase",
            channel="storefront",
            ordering_partner_id=self.rng.choice(self.resellers),
            subscription_id=f"demo-sub-{key.removeprefix(HISTORY_PREFIX)}" if new else None,
            event_kind="new" if new else "none",
            product_id=item.sku,
            category_path=[item.category],
            quantity=quantity,
            net_minor=item.price_minor * quantity * 3 // 4,  # a partner's discounted price
        )

    def renewal(self, day: date, bought: IncentiveEvent) -> None:
        """A year later the reseller renews, or (one time in three) the customer alone."""
        item = self.catalog[bought.product_id or ""]
        alone = self.rng.random() < 0.35
        self.fact(
            day + timedelta(days=365),
            type="purchase",
            channel="direct" if alone else "storefront",
            ordering_partner_id=None if alone else bought.ordering_partner_id,
            subscription_id=bought.subscription_id,
            event_kind="renewal",
            term_index=1,
            product_id=bought.product_id,
            category_path=bought.category_path,
            quantity=bought.quantity,
            net_minor=(item.price_minor if alone else item.price_minor * 3 // 4)
            * int(bought.quantity),
        )

    def refund(self, bought: IncentiveEvent, day: date) -> None:
        quantity = max(1, int(bought.quantity) // 2)
        self.fact(
            day,
            key=f"{bought.key}/refund",
            type="refund",
            channel=bought.channel,
            ordering_partner_id=bought.ordering_partner_id,
            subscription_id=bought.subscription_id,
            event_kind=bought.event_kind,
            product_id=bought.product_id,
            category_path=bought.category_path,
            quantity=quantity,
            net_minor=bought.net_minor * quantity // int(bought.quantity),
            refund_of=bought.key,
        )


def _close_due(rows: list[IncentiveProgram], tenant_id: int, now: datetime) -> None:
    for row in rows:
        for period in close.due_periods(row, now):
            close.close_one(close.Due(tenant_id, row.id, period), now)


def load_history(now: datetime | None = None) -> int:
    """Post the backdated sales of each demo storefront once, closing quarters as their
    grace days ran out (commits); how many facts were written."""
    now = now or datetime.now(UTC)
    written = 0
    for shop in STOREFRONTS:
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == shop.slug))
        if tenant is None:
            continue
        with tenant_scope(tenant.id):
            if db.session.scalar(
                select(IncentiveEvent.id).where(IncentiveEvent.key == f"{HISTORY_PREFIX}0001")
            ):
                continue
            live = programs.published(tenant.id)
            resellers = sorted(p for p in partners_for(tenant) if p.startswith("company-"))
            if not live or not resellers:
                continue
            today = now.astimezone(ZoneInfo(shop.zone)).date()
            for fact in History(tenant, shop, resellers, today).build():
                _close_due(live, tenant.id, fact.recorded_at)
                posting.post(tenant, [fact])
                written += 1
            db.session.commit()
            _close_due(live, tenant.id, now)
    return written


def load_demo_incentives() -> None:
    """Programs and their history on every demo storefront (commits)."""
    load_programs()
    db.session.commit()
    load_history()
