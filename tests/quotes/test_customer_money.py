"""Money to the cent in every currency: whatever the quantities, terms, markups and
per-line prices, what the customer paid is the order's total at the reseller's buy
prices plus the margin credited to it. USD (northwind), EUR (alpenhandel) and JPY
(sakura, no minor unit), through ``booking.book`` without Stripe."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.lines import LineRequest, price_lines
from channelfront.quotes import booking, margin, services
from channelfront.quotes.models import QuoteStatus
from channelfront.quotes.services import QuoteInput, QuoteLineInput
from channelfront.statements.models import CreditNote
from tests.quotes.world import customer

#: (sku, the terms it may be bought for); a monthly subscription bought for a year
#: has 12 billing periods.
PRODUCTS = [
    ("SHD-STD-1Y", [None, 24, 36]),
    ("SHD-ENT-1Y", [None, 12]),
    ("SHD-PERP", [None]),
    ("SHD-STD-1M", [1, 3, 12]),
]
TENANTS = [
    ("northwind.localhost", "buyer@bluebird.example"),
    ("alpenhandel.localhost", "buyer@bluebird.example"),
    ("sakura.localhost", "buyer@kirin.example"),
]


def percent(maximum: int) -> st.SearchStrategy[str]:
    return st.decimals(min_value=0, max_value=maximum, places=2).map(str)


#: (mode, percent): a markup on the buy price up to 300 %, a discount off list up to
#: 100 %, or each line's own price.
pricing = st.one_of(
    st.tuples(st.just("markup"), percent(300)),
    st.tuples(st.just("discount"), percent(100)),
    st.tuples(st.none(), st.none()),
)
line = st.tuples(
    st.sampled_from(range(len(PRODUCTS))),
    st.integers(min_value=1, max_value=500),
    st.integers(min_value=0, max_value=10_000),  # which term, and per-line extra
)
quotes = st.fixed_dictionaries(
    {
        "lines": st.lists(line, min_size=1, max_size=4, unique_by=lambda item: item[0]),
        "pricing": pricing,
    }
)


def _lines(shop, buyer: str, picked: list[tuple[int, int, int]], mode: str | None):  # type: ignore[no-untyped-def]
    """The quote's line inputs; per line, a resale price of the buy price plus an extra
    amount (in minor units), written in major units as a reseller would type it."""
    wanted = []
    for index, quantity, extra in picked:
        sku, terms = PRODUCTS[index]
        wanted.append((sku, quantity, terms[extra % len(terms)], extra))
    if mode is not None:
        return [QuoteLineInput(sku, quantity, term) for sku, quantity, term, _ in wanted]
    currency = shop.tenant.currency
    priced = price_lines(
        shop.terms(buyer),
        currency,
        "en",
        [LineRequest(sku, quantity, term) for sku, quantity, term, _ in wanted],
    )
    return [
        QuoteLineInput(
            sku, quantity, term, str(Money(p.price.buy_price.minor + extra, currency).amount)
        )
        for (sku, quantity, term, extra), p in zip(wanted, priced, strict=True)
    ]


@pytest.mark.parametrize(("host", "buyer"), TENANTS)
def test_customer_paid_is_order_total_plus_margin_credit(shop_at, host: str, buyer: str) -> None:
    shop = shop_at(host)
    currency = shop.tenant.currency
    actor = shop.user(buyer)

    @settings(
        max_examples=25,
        # No shrinking: each example writes rows, and a shrink runs thousands of them.
        # A failure is reported as drawn, with the seed that replays it.
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(quotes)
    def check(drawn: dict) -> None:  # type: ignore[type-arg]
        mode, markup = drawn["pricing"]
        data = QuoteInput(
            lines=_lines(shop, buyer, drawn["lines"], mode),
            new_customer=customer(),
            pricing_mode=mode,
            pricing_percent=markup,
        )
        try:
            quote = services.create(shop.tenant, actor, shop.terms(buyer), data)
            db.session.flush()
            assert services.move(quote, (QuoteStatus.DRAFT.value,), QuoteStatus.SENT)
            paid = quote.resale_total_minor
            assert paid == sum(
                line.resale_unit_minor * line.quantity * line.periods for line in quote.lines
            )
            try:
                buy = booking.buy_total(quote)
            except booking.NotBookable:
                # A discount off list can go below the buy price: never booked.
                assert mode == "discount"
                assert sum(line.buy_total_minor for line in quote.lines) > paid
                return
            order = booking.book(quote, "pi_property", paid)
            db.session.flush()
            note = margin.note_of(order)
            credited = note.amount_minor if note is not None else 0
            assert order.total_minor == buy
            assert paid == order.total_minor + credited
            assert credited >= 0
            assert order.currency == currency
            assert sum(line.total_minor for line in order.lines) == order.total_minor
            if note is not None:
                assert (note.currency, note.remaining_minor) == (currency, credited)
            # Minor units are whole units of the currency: yen have no cents.
            assert Decimal(Money(paid, currency).amount).as_tuple().exponent == (
                0 if currency == "JPY" else -2
            )
        finally:
            db.session.rollback()

    check()
    # Each example was rolled back: nothing of them is left.
    assert db.session.scalar(select(CreditNote.id).where(CreditNote.order_id.isnot(None))) is None
