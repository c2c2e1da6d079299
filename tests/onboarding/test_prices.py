"""List prices for a new currency: CSV import checked whole, derivation at a rate."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from channelfront.admin.inputs import InvalidInput
from channelfront.catalog.models import ListPrice, Product
from channelfront.extensions import db
from channelfront.onboarding import prices


def _skus(n=2):
    return list(db.session.scalars(select(Product.sku).order_by(Product.sku).limit(n)))


def test_csv_prices_are_reviewed_then_saved(draft):
    tenant = draft()
    a, b = _skus()
    plan = prices.plan_from_csv(tenant, f"sku,amount\n{a},12.50\n{b.lower()},3\n".encode())
    assert plan.errors == []
    assert [(line.sku, line.amount_minor) for line in plan.lines] == [(a, 1250), (b, 300)]
    assert prices.save_plan(tenant, plan, None) == 2
    stored = db.session.scalars(select(ListPrice.amount_minor).where(ListPrice.currency == "GBP"))
    assert sorted(stored) == [300, 1250]


def test_a_csv_with_any_error_names_row_and_field_and_writes_nothing(draft):
    tenant = draft()
    (a,) = _skus(1)
    data = f"sku,amount\n{a},12.505\nNOPE-1,4\n{a},5\n,=1+1\n".encode()
    plan = prices.plan_from_csv(tenant, data)
    found = {(e.row, e.field) for e in plan.errors}
    assert {(2, "amount"), (3, "sku"), (4, "sku"), (5, "amount")} <= found
    with pytest.raises(ValueError, match="never written"):
        prices.save_plan(tenant, plan, None)
    assert db.session.scalars(select(ListPrice.id).where(ListPrice.currency == "GBP")).all() == []


def test_a_csv_without_the_columns_is_refused_whole(draft):
    plan = prices.plan_from_csv(draft(), b"product,price\nX,1\n")
    assert plan.errors[0].row == 0
    assert "amount" in plan.errors[0].message


def test_jpy_takes_no_decimals(draft):
    tenant = draft("edo", "JPY")
    (a,) = _skus(1)
    assert (
        prices.plan_from_csv(tenant, f"sku,amount\n{a},1200\n".encode()).lines[0].amount_minor
        == 1200
    )
    bad = prices.plan_from_csv(tenant, f"sku,amount\n{a},1200.5\n".encode())
    assert bad.errors[0].field == "amount"
    assert "no decimals" in bad.errors[0].message


@pytest.mark.parametrize(
    ("amount", "currency", "rounding", "minor"),
    [
        (Decimal("12.344"), "GBP", "none", 1234),
        (Decimal("12.345"), "GBP", "none", 1235),
        (Decimal("12.30"), "GBP", "whole", 1200),
        (Decimal("12.50"), "GBP", "whole", 1300),
        (Decimal("12.30"), "GBP", "99", 1299),
        (Decimal("12.99"), "GBP", "99", 1299),
        (Decimal("13.00"), "GBP", "99", 1399),
        (Decimal("1234.5"), "JPY", "none", 1235),
        (Decimal("1234.4"), "JPY", "whole", 1234),
    ],
)
def test_rounding(amount, currency, rounding, minor):
    assert prices.round_amount(amount, currency, rounding) == minor


def test_derived_prices_cover_every_product_priced_in_the_source(draft):
    tenant = draft("edo", "JPY")
    usd = dict(
        db.session.execute(
            select(ListPrice.product_id, ListPrice.amount_minor).where(ListPrice.currency == "USD")
        ).all()
    )
    plan = prices.plan_from_rate(tenant, "usd", "150", "whole")
    assert {line.product_id for line in plan.lines} == set(usd)
    line = plan.lines[0]
    assert line.amount_minor == prices.round_amount(
        Decimal(usd[line.product_id]) / 100 * 150, "JPY", "whole"
    )


def test_derivation_names_each_bad_field(draft):
    tenant = draft("edo", "JPY")
    with pytest.raises(InvalidInput) as refused:
        prices.plan_from_rate(tenant, "JPY", "-1", "99")
    assert set(refused.value.errors) == {"source", "rate", "rounding"}
    with pytest.raises(InvalidInput) as refused:
        prices.plan_from_rate(tenant, "USD", "abc", "up")
    assert set(refused.value.errors) == {"rate", "rounding"}
