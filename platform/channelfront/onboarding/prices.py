"""List prices in a tenant's currency: imported by CSV or derived from another currency.

Both produce a reviewed :class:`PricePlan`; :func:`save_plan` writes it in the caller's
transaction. A plan with any error is never written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.admin.inputs import InvalidInput, amount_to_minor, minor_to_text
from channelfront.audit.service import record
from channelfront.catalog.models import ListPrice, Product
from channelfront.extensions import db
from channelfront.onboarding.csv_table import RowError, read_table
from channelfront.tenancy.models import Tenant

COLUMNS = ("sku", "amount")
ROUNDINGS = ("none", "whole", "99")
MAX_RATE = Decimal(1_000_000)
MAX_UPLOAD = 1024 * 1024


@dataclass(frozen=True)
class PriceLine:
    sku: str
    product_id: int
    amount_minor: int
    current_minor: int | None


@dataclass
class PricePlan:
    """Prices to write in ``currency``, or the errors that refuse them."""

    currency: str
    lines: list[PriceLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def text(self, minor: int | None) -> str:
        return "" if minor is None else minor_to_text(minor, self.currency)


def _current(currency: str) -> dict[int, int]:
    rows = db.session.execute(
        select(ListPrice.product_id, ListPrice.amount_minor).where(ListPrice.currency == currency)
    )
    return dict(rows.all())


def plan_from_csv(tenant: Tenant, data: bytes) -> PricePlan:
    """Check a ``sku, amount`` file whole against the catalog; nothing is written."""
    plan = PricePlan(tenant.currency)
    table = read_table(data, COLUMNS)
    plan.errors += table.errors
    products = dict(db.session.execute(select(Product.sku, Product.id)).all())
    current = _current(tenant.currency)
    seen: dict[str, int] = {}
    for number, row in table.rows:
        sku = row["sku"].upper()
        if sku not in products:
            message = _("There is no product with SKU “%(sku)s”.", sku=sku[:40])
            plan.errors.append(RowError(number, "sku", message))
        elif seen.setdefault(sku, number) != number:
            message = _("Row %(row)d already has this SKU.", row=seen[sku])
            plan.errors.append(RowError(number, "sku", message))
        try:
            minor = amount_to_minor(row["amount"], tenant.currency)
        except ValueError as exc:
            plan.errors.append(RowError(number, "amount", str(exc)))
            continue
        if sku in products and seen[sku] == number:
            pid = products[sku]
            plan.lines.append(PriceLine(sku, pid, minor, current.get(pid)))
    return plan


def parse_rate(text: str) -> Decimal:
    """A positive exchange rate with at most 6 decimals, e.g. 0.79."""
    try:
        rate = Decimal((text or "").strip())
    except InvalidOperation:
        raise ValueError(_("Enter the rate as a number, e.g. 0.79.")) from None
    if not rate.is_finite() or rate <= 0 or rate >= MAX_RATE:
        raise ValueError(_("Enter a rate above 0, e.g. 0.79."))
    if -rate.as_tuple().exponent > 6:  # type: ignore[operator]
        raise ValueError(_("Use at most 6 decimals."))
    return rate


def round_amount(amount: Decimal, currency: str, rounding: str) -> int:
    """A converted amount in the currency's minor units, rounded as asked:
    ``none`` to the minor unit, ``whole`` to whole units, ``99`` up to the next x.99."""
    places = get_currency_precision(currency)
    if rounding == "whole":
        return int(amount.quantize(Decimal(1), ROUND_HALF_UP).scaleb(places))
    if rounding == "99":
        cents = Decimal("0.01")
        return int(((amount + cents).quantize(Decimal(1), ROUND_CEILING) - cents).scaleb(places))
    return int(amount.scaleb(places).quantize(Decimal(1), ROUND_HALF_UP))


def plan_from_rate(tenant: Tenant, source: str, rate_text: str, rounding: str) -> PricePlan:
    """Derive every product priced in ``source`` at ``rate``; raise InvalidInput per field."""
    errors: dict[str, str] = {}
    source = (source or "").strip().upper()
    if source == tenant.currency:
        errors["source"] = _("Choose a currency other than %(code)s.", code=tenant.currency)
    elif not _current(source):
        errors["source"] = _("No product has a list price in “%(code)s”.", code=source[:3])
    try:
        rate = parse_rate(rate_text)
    except ValueError as exc:
        errors["rate"] = str(exc)
    if rounding not in ROUNDINGS:
        errors["rounding"] = _("Choose a rounding.")
    elif rounding == "99" and get_currency_precision(tenant.currency) < 2:
        errors["rounding"] = _("%(code)s has no cents: round to whole units.", code=tenant.currency)
    if errors:
        raise InvalidInput(errors)
    plan = PricePlan(tenant.currency)
    current = _current(tenant.currency)
    source_places = get_currency_precision(source)
    rows = db.session.execute(
        select(Product.sku, Product.id, ListPrice.amount_minor)
        .join(ListPrice, ListPrice.product_id == Product.id)
        .where(ListPrice.currency == source)
        .order_by(Product.sku)
    )
    for sku, pid, minor in rows:
        converted = Decimal(minor).scaleb(-source_places) * rate
        amount = round_amount(converted, tenant.currency, rounding)
        plan.lines.append(PriceLine(sku, pid, amount, current.get(pid)))
    return plan


def save_plan(tenant: Tenant, plan: PricePlan, actor: User | None) -> int:
    """Write a reviewed plan's list prices (the caller commits); the number written."""
    if plan.errors:
        raise ValueError("a plan with errors is never written")
    existing = {
        row.product_id: row
        for row in db.session.scalars(
            select(ListPrice).where(
                ListPrice.currency == plan.currency,
                ListPrice.product_id.in_([line.product_id for line in plan.lines]),
            )
        )
    }
    for line in plan.lines:
        row = existing.get(line.product_id)
        if row is None:
            db.session.add(
                ListPrice(
                    product_id=line.product_id,
                    currency=plan.currency,
                    amount_minor=line.amount_minor,
                )
            )
        else:
            row.amount_minor = line.amount_minor
    record(
        "tenant.list_prices_saved",
        tenant,
        label=tenant.name,
        after={"currency": plan.currency, "prices": len(plan.lines)},
        tenant_id=tenant.id,
        actor=actor,
    )
    db.session.flush()
    return len(plan.lines)
