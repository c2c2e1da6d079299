"""Special price requests through the services: the tier's rule approves at once or
routes to a partner manager and, above the vendor's threshold, to vendor staff; a
decision approves (maybe at another price), counters or declines, audited and mailed;
an approved price holds for that quote's customer, product and quantity only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from sqlalchemy import select, update

from channelfront.extensions import db
from channelfront.orders.checkout import CheckoutRequest, place_order
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest
from channelfront.quotes import booking, services, special_requests
from channelfront.quotes.models import QuoteEvent, QuoteStatus, SpecialPriceRequest
from channelfront.quotes.special_requests import DecisionRefused
from tests.mail_fixtures import Inbox
from tests.quotes.special_world import (
    DISTRIBUTOR_ADMIN,
    END_CUSTOMER,
    FINANCE,
    PARTNER_MANAGER,
    VENDOR,
    ask,
    audit_actions,
    audit_count,
    decide,
    requests,
    tier_rule,
)
from tests.quotes.world import BUYER, Shop, make_quote

# SHD-STD-1Y costs Bluebird 84.00 a unit on northwind (list 120.00).
STD = ("SHD-STD-1Y", 2)


def test_within_the_tiers_limits_it_is_approved_at_once_and_the_order_is_at_that_price(
    shop: Shop, inbox: Inbox
) -> None:
    tier_rule(shop, auto="10", auto_line="500.00")
    quote = make_quote(
        shop, [STD], status=QuoteStatus.SENT, pricing_mode="markup", pricing_percent="30"
    )
    row = ask(shop, quote, unit_price="80.00")
    assert row.status == "approved"
    assert row.auto_approved
    assert row.approved_unit_minor == 8000
    assert row.valid_until == quote.valid_until
    assert row.decisions[-1]["stage"] == "rule"
    assert audit_actions(row) == ["special_price.requested", "special_price.auto_approved"]
    kinds = db.session.scalars(select(QuoteEvent.kind).where(QuoteEvent.quote_id == quote.id))
    assert "special_price_requested" in list(kinds)
    [mail] = inbox.to(BUYER)
    assert quote.number in mail["Subject"]
    assert "80.00" in mail.get_content()
    assert not inbox.to(PARTNER_MANAGER)
    assert not inbox.to(END_CUSTOMER)

    order = booking.book(quote, "pi_special_1", quote.resale_total_minor)
    db.session.commit()
    [line] = order.lines
    assert line.price_source == "special"
    assert line.unit_price_minor == 8000
    assert order.total_minor == 16000


def test_a_tier_without_a_rule_sends_the_request_to_partner_managers(
    shop: Shop, inbox: Inbox
) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, discount_percent="5", deal_ref="DEAL-42")
    assert (row.status, row.stage, row.needs_vendor) == ("pending", "distributor", False)
    assert row.requested_unit_minor == 7980  # 5 % off 84.00
    assert row.deal_ref == "DEAL-42"
    [waiting] = inbox.to(PARTNER_MANAGER)
    assert f"/partners/special-prices/{row.id}" in waiting.get_content()
    assert "Competitive deal" in waiting.get_content()
    assert inbox.to(DISTRIBUTOR_ADMIN)
    assert not inbox.to(FINANCE)
    assert not inbox.to(BUYER)
    assert not inbox.to(VENDOR)

    inbox.messages.clear()
    decide(shop, row, PARTNER_MANAGER, "approve", comment="Fine for this deal")
    assert row.status == "approved"
    assert row.approved_unit_minor == 7980
    assert row.decided_by == shop.user(PARTNER_MANAGER).id
    assert row.decisions[-1]["decision"] == "approve"
    assert "special_price.approved" in audit_actions(row)
    [mail] = inbox.to(BUYER)
    assert "Fine for this deal" in mail.get_content()


def test_above_the_vendor_threshold_the_vendor_decides_after_the_partner_manager(
    shop: Shop, inbox: Inbox
) -> None:
    tier_rule(shop, auto="5", auto_line="1000.00", vendor="15")
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="60.00")  # about 28.6 % off
    assert (row.status, row.stage, row.needs_vendor) == ("pending", "distributor", True)
    assert not inbox.to(VENDOR)

    decide(shop, row, PARTNER_MANAGER, "approve")
    assert (row.status, row.stage) == ("pending", "vendor")
    [vendor_mail] = inbox.to(VENDOR)
    assert f"/admin/special-prices/{row.id}" in vendor_mail.get_content()
    assert not inbox.to(BUYER)
    # Partner managers are done with it; the vendor decides now.
    with pytest.raises(DecisionRefused):
        special_requests.decide(row, shop.user(DISTRIBUTOR_ADMIN), "approve", comment=None)
    assert not special_requests.may_decide(shop.user(PARTNER_MANAGER), row)
    assert special_requests.may_decide(shop.user(VENDOR), row)

    decide(shop, row, VENDOR, "approve", comment="OK from the vendor")
    assert row.status == "approved"
    assert row.approved_unit_minor == 6000
    assert [d["stage"] for d in row.decisions] == ["distributor", "vendor"]
    assert audit_actions(row).count("special_price.approved") == 2
    assert inbox.to(BUYER)


def test_a_partner_manager_approving_at_a_price_under_the_vendor_threshold_finishes_it(
    shop: Shop,
) -> None:
    tier_rule(shop, vendor="15")
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="60.00")
    assert row.needs_vendor
    decide(shop, row, PARTNER_MANAGER, "approve", unit_price="75.00")
    assert (row.status, row.approved_unit_minor, row.needs_vendor) == ("approved", 7500, False)


def test_approve_at_another_price(shop: Shop, inbox: Inbox) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    decide(shop, row, PARTNER_MANAGER, "approve", unit_price="76.50", comment="Meet halfway")
    assert row.status == "approved"
    assert row.approved_unit_minor == 7650
    assert row.requested_unit_minor == 7000
    assert "76.50" in inbox.to(BUYER)[0].get_content()


def test_counter_then_the_reseller_accepts_it(shop: Shop, inbox: Inbox) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    decide(shop, row, PARTNER_MANAGER, "counter", unit_price="78.00", comment="Best we can do")
    assert (row.status, row.approved_unit_minor) == ("countered", 7800)
    [mail] = inbox.to(BUYER)
    assert "78.00" in mail.get_content()
    assert "Best we can do" in mail.get_content()
    # A counter is not a price yet.
    assert booking.buy_total(quote) == 2 * 8400

    special_requests.accept_counter(row, shop.user("approver@bluebird.example"))
    db.session.commit()
    assert (row.status, row.approved_unit_minor) == ("approved", 7800)
    assert row.decided_by == shop.user(PARTNER_MANAGER).id
    assert "special_price.counter_accepted" in audit_actions(row)
    assert booking.buy_total(quote) == 2 * 7800
    with pytest.raises(DecisionRefused):
        special_requests.accept_counter(row, shop.user(BUYER))


def test_a_counter_needs_a_price_and_a_decline_needs_a_comment(shop: Shop) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    before = audit_count()
    with pytest.raises(OrderInputError) as counter:
        special_requests.decide(row, shop.user(PARTNER_MANAGER), "counter", comment="x")
    assert counter.value.field == "unit_price"
    with pytest.raises(OrderInputError) as decline:
        special_requests.decide(row, shop.user(PARTNER_MANAGER), "decline", comment="  ")
    assert decline.value.field == "comment"
    with pytest.raises(OrderInputError) as above:
        special_requests.decide(
            row, shop.user(PARTNER_MANAGER), "approve", unit_price="90", comment=None
        )
    assert above.value.field == "unit_price"
    with pytest.raises(OrderInputError) as unknown:
        special_requests.decide(row, shop.user(PARTNER_MANAGER), "maybe", comment=None)
    assert unknown.value.field == "decision"
    db.session.rollback()
    assert audit_count() == before
    assert requests()[-1].status == "pending"

    decide(shop, row, PARTNER_MANAGER, "decline", comment="Margin too thin")
    assert (row.status, row.comment, row.approved_unit_minor) == (
        "declined",
        "Margin too thin",
        None,
    )
    assert "special_price.declined" in audit_actions(row)


@pytest.mark.parametrize("who", [BUYER, "approver@bluebird.example", FINANCE, VENDOR])
def test_who_may_not_decide_a_request_at_the_distributors_stage(shop: Shop, who: str) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    assert not special_requests.may_decide(shop.user(who), row)
    with pytest.raises(DecisionRefused) as refused:
        special_requests.decide(row, shop.user(who), "approve", comment=None)
    assert refused.value.status == 403
    assert requests()[-1].status == "pending"


def test_a_partner_manager_who_asked_cannot_decide(shop: Shop) -> None:
    """Nobody decides their own request, whatever their role."""
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    row.requested_by = shop.user(PARTNER_MANAGER).id
    db.session.commit()
    assert not special_requests.may_decide(shop.user(PARTNER_MANAGER), row)
    assert special_requests.why_not(shop.user(PARTNER_MANAGER), row)


def test_a_second_decision_is_refused(shop: Shop) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    decide(shop, row, PARTNER_MANAGER, "approve")
    with pytest.raises(DecisionRefused) as refused:
        special_requests.decide(row, shop.user(DISTRIBUTOR_ADMIN), "decline", comment="No")
    assert refused.value.status == 409
    assert requests()[-1].status == "approved"
    assert len(requests()[-1].decisions) == 1


def test_a_decision_reads_the_row_again_under_its_lock(shop: Shop) -> None:
    """Another decider wrote after this one loaded the row: the second is refused."""
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    assert row.status == "pending"  # what this decider's page loaded
    db.session.execute(
        update(SpecialPriceRequest)
        .where(SpecialPriceRequest.id == row.id)
        .values(status="declined", comment="Someone else was first")
        .execution_options(synchronize_session=False)
    )
    assert row.status == "pending"
    with pytest.raises(DecisionRefused) as refused:
        special_requests.decide(row, shop.user(PARTNER_MANAGER), "approve", comment=None)
    assert refused.value.status == 409
    assert row.status == "declined"
    assert row.decisions == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit_price": "90.00"}, "unit_price"),  # above the buy price of 84.00
        ({"unit_price": "84.00"}, "unit_price"),  # not below it
        ({"unit_price": "-1"}, "unit_price"),
        ({"unit_price": "abc"}, "unit_price"),
        ({"unit_price": "70.001"}, "unit_price"),
        ({"unit_price": "70", "discount_percent": "5"}, "unit_price"),
        ({}, "unit_price"),
        ({"discount_percent": "0"}, "discount_percent"),
        ({"discount_percent": "101"}, "discount_percent"),
        ({"discount_percent": "ten"}, "discount_percent"),
        ({"unit_price": "70", "justification": ""}, "justification"),
        ({"unit_price": "70", "justification": "   "}, "justification"),
        ({"unit_price": "70", "justification": "x" * 2001}, "justification"),
        ({"unit_price": "70", "justification": "ok\x00"}, "justification"),
        ({"unit_price": "70", "deal_ref": "D" * 81}, "deal_ref"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    shop: Shop, fields: dict[str, str], field: str
) -> None:
    quote = make_quote(shop, [STD])
    before = audit_count()
    fields.setdefault("justification", "Competitive deal")
    with pytest.raises(OrderInputError) as refused:
        special_requests.request_price(quote, quote.lines[0], shop.user(BUYER), **fields)
    assert refused.value.field == field
    assert refused.value.message
    db.session.rollback()
    assert requests() == []
    assert audit_count() == before


def test_only_an_open_unexpired_quote_of_the_company_takes_requests(shop: Shop) -> None:
    accepted = make_quote(shop, [STD], status=QuoteStatus.ACCEPTED)
    with pytest.raises(OrderInputError) as closed:
        ask(shop, accepted, unit_price="70")
    assert closed.value.field == "quote"
    expired = make_quote(shop, [STD])
    expired.valid_until = services.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(OrderInputError) as old:
        ask(shop, expired, unit_price="70")
    assert old.value.field == "quote"
    other = make_quote(shop, [STD])
    with pytest.raises(OrderInputError) as line:
        special_requests.request_price(
            other, accepted.lines[0], shop.user(BUYER), unit_price="70", justification="x"
        )
    assert line.value.field == "line"
    with pytest.raises(OrderInputError) as staff:
        ask(shop, other, by=PARTNER_MANAGER, unit_price="70")
    assert staff.value.field == "quote"
    db.session.rollback()
    assert requests() == []


def test_a_new_request_on_a_line_withdraws_the_open_one_and_the_reseller_may_withdraw(
    shop: Shop,
) -> None:
    quote = make_quote(shop, [STD, ("SHD-ENT-1Y", 1)])
    first = ask(shop, quote, unit_price="70.00")
    other_line = ask(shop, quote, line=1, unit_price="100.00")
    second = ask(shop, quote, unit_price="75.00")
    assert [r.status for r in requests()] == ["withdrawn", "pending", "pending"]
    assert "special_price.withdrawn" in audit_actions(first)
    special_requests.withdraw(second, shop.user(BUYER))
    db.session.commit()
    assert second.status == "withdrawn"
    assert other_line.status == "pending"
    with pytest.raises(DecisionRefused):
        special_requests.withdraw(second, shop.user(BUYER))
    with pytest.raises(DecisionRefused):
        special_requests.withdraw(other_line, shop.user(PARTNER_MANAGER))


def test_a_newer_approved_price_replaces_the_older_one(shop: Shop) -> None:
    tier_rule(shop, auto="20", auto_line="1000")
    quote = make_quote(shop, [STD])
    first = ask(shop, quote, unit_price="80.00")
    second = ask(shop, quote, unit_price="78.00")
    assert (first.status, second.status) == ("withdrawn", "approved")
    assert booking.buy_total(quote) == 2 * 7800


def _checkout(shop: Shop, quote, lines: list[LineRequest]):  # type: ignore[no-untyped-def]
    request = CheckoutRequest(
        lines=lines,
        idempotency_key=uuid.uuid4().hex,
        payment_method="on_account",
        customer_id=quote.customer_id,
        quote_number=quote.number,
    )
    return place_order(shop.tenant, shop.user(BUYER), shop.terms(), "en", request)


def test_the_special_price_holds_for_that_quote_customer_product_and_quantity_only(
    shop: Shop,
) -> None:
    tier_rule(shop, auto="10", auto_line="500.00")
    quote = make_quote(shop, [STD], status=QuoteStatus.SENT)
    ask(shop, quote, unit_price="80.00")
    assert services.move(quote, (QuoteStatus.SENT.value,), QuoteStatus.ACCEPTED)
    db.session.commit()

    with pytest.raises(OrderInputError) as other_quantity:
        _checkout(shop, quote, [LineRequest("SHD-STD-1Y", 3)])
    assert other_quantity.value.field == "quote"
    db.session.rollback()

    plain = CheckoutRequest(
        lines=[LineRequest("SHD-STD-1Y", 2)],
        idempotency_key=uuid.uuid4().hex,
        payment_method="on_account",
        customer_id=quote.customer_id,
    )
    ordinary, _ = place_order(shop.tenant, shop.user(BUYER), shop.terms(), "en", plain)
    assert [(line.unit_price_minor, line.price_source) for line in ordinary.lines] == [
        (8400, "category")
    ]
    db.session.rollback()

    order, created = _checkout(shop, quote, [LineRequest("SHD-STD-1Y", 2)])
    assert created
    assert [(line.unit_price_minor, line.price_source) for line in order.lines] == [
        (8000, "special")
    ]


def test_an_expired_quote_loses_its_special_price_and_cannot_be_decided(shop: Shop) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    quote.valid_until = services.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(DecisionRefused) as refused:
        special_requests.decide(row, shop.user(PARTNER_MANAGER), "approve", comment=None)
    assert refused.value.status == 409
    db.session.rollback()
    decide(shop, row, PARTNER_MANAGER, "decline", comment="The quote expired")
    assert row.status == "declined"


def test_staff_see_their_storefronts_requests_and_vendor_staff_those_that_need_them(
    shop: Shop, shop_at
) -> None:  # type: ignore[no-untyped-def]
    tier_rule(shop, vendor="15")
    quote = make_quote(shop, [STD, ("SHD-ENT-1Y", 1)])
    small = ask(shop, quote, unit_price="80.00")
    big = ask(shop, quote, line=1, unit_price="50.00")
    decide(shop, small, PARTNER_MANAGER, "approve")

    def seen(email: str, status: str | None = None) -> list[int]:
        query = special_requests.visible_to(shop.user(email), status)
        return [r.id for r in db.session.scalars(query)]

    assert seen(PARTNER_MANAGER) == [big.id, small.id]  # waiting first
    assert seen(FINANCE, "approved") == [small.id]
    assert seen(VENDOR) == [big.id]
    assert seen(BUYER) == []
    alpen = shop_at("alpenhandel.localhost")
    assert [
        r.id
        for r in db.session.scalars(
            special_requests.visible_to(alpen.user("admin@alpenhandel.example"))
        )
    ] == []


def test_an_edited_quote_keeps_the_special_prices_of_unchanged_lines_only(shop: Shop) -> None:
    tier_rule(shop, auto="20", auto_line="1000")
    quote = make_quote(shop, [STD, ("SHD-ENT-1Y", 1)], status=QuoteStatus.SENT)
    kept = ask(shop, quote, unit_price="80.00")
    dropped = ask(shop, quote, line=1, unit_price="125.00")
    data = services.QuoteInput(
        lines=[services.QuoteLineInput("SHD-STD-1Y", 2), services.QuoteLineInput("SHD-ENT-1Y", 5)],
        customer_id=quote.customer_id,
    )
    services.revise(quote, shop.tenant, shop.user(BUYER), shop.terms(), data)
    db.session.commit()
    assert quote.revision == 2
    assert (kept.status, kept.quote_line_id) == ("approved", quote.lines[0].id)
    assert dropped.status == "withdrawn"
    assert dropped.decisions[-1]["decision"] == "quote_changed"
    assert booking.buy_total(quote) == 2 * 8000 + 5 * 12960


def test_yen_has_no_minor_unit(shop_at) -> None:  # type: ignore[no-untyped-def]
    sakura = shop_at("sakura.localhost")
    kirin = "buyer@kirin.example"
    quote = make_quote(sakura, [STD], buyer=kirin)
    normal = quote.lines[0].buy_unit_minor
    with pytest.raises(OrderInputError) as decimals:
        ask(sakura, quote, by=kirin, unit_price="1000.5")
    assert decimals.value.field == "unit_price"
    db.session.rollback()
    row = ask(sakura, quote, by=kirin, discount_percent="12.5")
    expected = int((Decimal(normal) * Decimal("0.875")).quantize(Decimal(1), ROUND_HALF_EVEN))
    assert (row.currency, row.requested_unit_minor) == ("JPY", expected)


@pytest.mark.parametrize("ending", ["withdraw", "decline", "expire"])
def test_a_quote_that_ends_unordered_takes_its_waiting_requests_out_of_the_queues(
    shop: Shop, ending: str
) -> None:
    quote = make_quote(shop, [STD, ("SHD-ENT-1Y", 1)], status=QuoteStatus.SENT)
    waiting = ask(shop, quote, unit_price="70.00")
    countered = ask(shop, quote, line=1, unit_price="100.00")
    decide(shop, countered, PARTNER_MANAGER, "counter", unit_price="110.00", comment="Meet us")
    assert [r.status for r in requests()] == ["pending", "countered"]
    if ending == "withdraw":
        services.withdraw(quote, shop.user(BUYER))
    elif ending == "decline":
        assert services.move(quote, (QuoteStatus.SENT.value,), QuoteStatus.DECLINED)
    else:
        assert services.move(quote, (QuoteStatus.SENT.value,), QuoteStatus.EXPIRED)
    db.session.commit()
    assert [r.status for r in requests()] == ["withdrawn", "withdrawn"]
    assert "special_price.withdrawn" in audit_actions(waiting)
    pending = db.session.scalars(
        special_requests.visible_to(shop.user(PARTNER_MANAGER), status="pending")
    ).all()
    assert waiting not in pending
