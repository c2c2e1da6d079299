"""One worked example per rule kind, amounts computed by hand from the specification."""

from __future__ import annotations

import json

from tests.incentives.documents import (
    document,
    expect,
    fund,
    fund_entries,
    growth,
    lines,
    mdf,
    partner,
    per_unit,
    percent,
    periods,
    program,
    purchase,
    refund,
    renewal,
    simulate,
    statement,
    statements,
    tiered,
    transfer,
)

# --- the output document ------------------------------------------------------------------


def test_output_follows_the_contract_shape_and_is_plain_json() -> None:
    doc = document(
        program(percent(rate="0.04"), mdf(rate="0.02")),
        [purchase("O-1", "2025-03-10", "1250.00")],
    )
    out = simulate(doc, "2025-04-01")

    assert json.loads(json.dumps(out)) == out  # strings, no Decimal or date objects
    (st,) = out["statements"]
    assert set(st) == {
        "beneficiary", "program", "period", "currency", "status",
        "opening_balance", "lines", "total", "disposition",
    }  # fmt: skip
    (line,) = st["lines"]
    assert set(line) == {"rule", "type", "event", "origin_period", "amount", "reason"}
    assert line == {
        "rule": "pc",
        "type": "earning",
        "event": "O-1",
        "origin_period": "2025-03",
        "amount": "50.00",  # 1250.00 x 0.04
        "reason": None,
    }
    (f,) = out["funds"]
    assert set(f) == {"beneficiary", "program", "currency", "balance", "entries"}
    assert f["entries"] == [{"rule": "mdf", "event": "O-1", "amount": "25.00"}]  # 1250 x 0.02


# --- percent_commission -------------------------------------------------------------------


def test_percent_commission_pays_the_rate_on_each_lines_net_amount() -> None:
    doc = document(
        program(percent(rate="0.04")),
        [
            purchase("O-1", "2025-03-10", "1250.00"),
            # The base is the net amount, not quantity x anything: 99.99 x 0.04 = 3.9996 -> 4.00
            purchase("O-2", "2025-03-20", "99.99", "3"),
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("pc", "earning", "O-1", "50.00", None),  # 1250.00 x 0.04
        ("pc", "earning", "O-2", "4.00", None),
    )
    assert st["program"] == "P1"
    assert st["currency"] == "USD"
    assert st["status"] == "closed"
    assert st["opening_balance"] == "0.00"
    assert st["total"] == "54.00"
    assert st["disposition"] == "paid"


def test_percent_commission_to_the_ordering_partner() -> None:
    doc = document(
        program(percent(rate="0.10", beneficiary="ordering_partner")),
        [
            purchase("O-1", "2025-03-10", "200.00", partner="P1"),
            purchase("O-2", "2025-03-11", "300.00", partner="P2"),
        ],
    )
    out = simulate(doc, "2025-04-01")

    assert statements(out, "D1") == []
    assert lines(statement(out, "P1", "2025-03")) == expect(("pc", "earning", "O-1", "20.00", None))
    assert lines(statement(out, "P2", "2025-03")) == expect(("pc", "earning", "O-2", "30.00", None))


# --- fixed_per_unit -----------------------------------------------------------------------


def test_fixed_per_unit_pays_per_unit_inside_its_validity_window_only() -> None:
    spiff = per_unit(
        amount_per_unit="5.00",
        scope={"product_ids": ["SKU-1"], "valid_from": "2025-03-10", "valid_to": "2025-03-20"},
    )
    doc = document(
        program(spiff),
        [
            purchase("O-1", "2025-03-09", "100.00", "2"),  # the day before: nothing
            purchase("O-2", "2025-03-10", "100.00", "3"),  # first day: 3 x 5.00
            purchase("O-3", "2025-03-20", "100.00", "1"),  # last day: 1 x 5.00
            purchase("O-4", "2025-03-21", "100.00", "4"),  # the day after: nothing
            purchase("O-5", "2025-03-15", "100.00", "7", product="SKU-2"),  # other product
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "P1", "2025-03")

    assert lines(st) == expect(
        ("spiff", "earning", "O-2", "15.00", None),
        ("spiff", "earning", "O-3", "5.00", None),
    )
    assert st["total"] == "20.00"


def test_fixed_per_unit_stops_at_the_promotions_unit_cap() -> None:
    spiff = per_unit(amount_per_unit="5.00", caps={"per_promotion_units": "10"})
    doc = document(
        program(spiff),
        [
            purchase("O-1", "2025-03-01", "600.00", "6"),  # 6 units: 30.00, 4 units left
            purchase("O-2", "2025-03-02", "600.00", "6"),  # crosses: 4 units paid, 20.00
            purchase("O-3", "2025-04-03", "200.00", "2"),  # nothing left, next month too
        ],
    )
    out = simulate(doc, "2025-05-01")

    assert lines(statement(out, "P1", "2025-03")) == expect(
        ("spiff", "earning", "O-1", "30.00", None),
        ("spiff", "earning", "O-2", "20.00", None),
    )
    assert lines(statement(out, "P1", "2025-04")) == expect(
        ("spiff", "earning", "O-3", "0.00", "cap_reached")
    )


def test_fixed_per_unit_needs_no_exchange_rate_for_a_foreign_currency_sale() -> None:
    doc = document(
        program(per_unit(amount_per_unit="5.00")),
        [purchase("O-1", "2025-03-01", "80.00", "2", currency="EUR")],  # no EUR->USD quote given
    )
    st = statement(simulate(doc, "2025-04-01"), "P1", "2025-03")

    assert lines(st) == expect(("spiff", "earning", "O-1", "10.00", None))  # 2 x 5.00 USD


# --- renewal_commission -------------------------------------------------------------------


def _subscription(event_id: str, date: str, kind: str, term: int, by: str | None) -> dict:
    """A 1000.00 line of subscription S-1; ``by`` None is the customer renewing alone."""
    return purchase(
        event_id,
        date,
        "1000.00",
        kind=kind,
        term_index=term,
        subscription="S-1",
        partner=by,
        channel="storefront" if by else "direct",
        distributor="D1" if by else None,
    )


def test_renewal_commission_follows_the_partner_of_record() -> None:
    doc = document(
        program(renewal(first="0.20", partner="0.10", self_service="0.05", max_renewals=3)),
        [
            _subscription("N-1", "2025-01-10", "new", 0, "P1"),  # P1: 1000 x 0.20
            _subscription("R-1", "2025-02-10", "renewal", 1, None),  # alone: P1 1000 x 0.05
            _subscription("R-2", "2025-03-10", "renewal", 2, "P2"),  # P2 places: 1000 x 0.10
            _subscription("R-3", "2025-04-10", "renewal", 3, None),  # alone: P2 now of record
            _subscription("R-4", "2025-05-10", "renewal", 4, None),  # past max_renewals 3
        ],
    )
    out = simulate(doc, "2025-06-01")

    assert periods(out, "P1") == ["2025-01", "2025-02"]
    assert lines(statement(out, "P1", "2025-01")) == expect(
        ("ren", "earning", "N-1", "200.00", None)
    )
    assert lines(statement(out, "P1", "2025-02")) == expect(
        ("ren", "earning", "R-1", "50.00", None)
    )
    assert periods(out, "P2") == ["2025-03", "2025-04", "2025-05"]
    assert lines(statement(out, "P2", "2025-03")) == expect(
        ("ren", "earning", "R-2", "100.00", None)
    )
    assert lines(statement(out, "P2", "2025-04")) == expect(
        ("ren", "earning", "R-3", "50.00", None)
    )
    limit = statement(out, "P2", "2025-05")
    assert lines(limit) == expect(("ren", "earning", "R-4", "0.00", "renewal_limit"))
    assert limit["total"] == "0.00"
    assert limit["disposition"] == "carried_forward"


def test_renewal_commission_pays_the_last_allowed_term() -> None:
    doc = document(
        program(renewal(max_renewals=1)),
        [
            _subscription("N-1", "2025-01-10", "new", 0, "P1"),
            _subscription("R-1", "2025-02-10", "renewal", 1, "P1"),  # term 1 = max: 1000 x 0.10
            _subscription("R-2", "2025-03-10", "renewal", 2, "P1"),  # term 2 > max
        ],
    )
    out = simulate(doc, "2025-04-01")

    assert lines(statement(out, "P1", "2025-02")) == expect(
        ("ren", "earning", "R-1", "100.00", None)
    )
    assert lines(statement(out, "P1", "2025-03")) == expect(
        ("ren", "earning", "R-2", "0.00", "renewal_limit")
    )


def test_a_transfer_moves_the_self_service_renewal_to_the_new_partner_of_record() -> None:
    doc = document(
        program(renewal(self_service="0.05")),
        [
            _subscription("N-1", "2025-01-10", "new", 0, "P1"),
            _subscription("R-1", "2025-02-10", "renewal", 1, None),  # transfer dated that day
        ],
        transfers=[transfer("S-1", "2025-02-10", "P3")],
    )
    out = simulate(doc, "2025-03-01")

    assert periods(out, "P1") == ["2025-01"]
    assert lines(statement(out, "P3", "2025-02")) == expect(
        ("ren", "earning", "R-1", "50.00", None)
    )


def test_a_transfer_dated_after_the_renewal_does_not_move_it() -> None:
    doc = document(
        program(renewal(self_service="0.05")),
        [
            _subscription("N-1", "2025-01-10", "new", 0, "P1"),
            _subscription("R-1", "2025-02-10", "renewal", 1, None),
        ],
        transfers=[transfer("S-1", "2025-02-11", "P3")],
    )
    out = simulate(doc, "2025-03-01")

    assert lines(statement(out, "P1", "2025-02")) == expect(
        ("ren", "earning", "R-1", "50.00", None)
    )
    assert statements(out, "P3") == []


def test_an_inactive_partner_of_record_earns_a_zero_line_on_a_self_service_renewal() -> None:
    doc = document(
        program(renewal(first="0.20", self_service="0.05")),
        [
            _subscription("N-1", "2025-01-10", "new", 0, "P1"),
            _subscription("R-1", "2025-02-10", "renewal", 1, None),
        ],
        partners=[partner("P1", statuses=[("2025-01-01", "active"), ("2025-02-01", "terminated")])],
    )
    out = simulate(doc, "2025-03-01")

    assert lines(statement(out, "P1", "2025-02")) == expect(
        ("ren", "earning", "R-1", "0.00", "partner_inactive")
    )


def test_expansion_pays_the_first_purchase_rate_and_kind_none_pays_nothing() -> None:
    doc = document(
        program(renewal(first="0.20")),
        [
            purchase(
                "X-1", "2025-01-10", "500.00", kind="expansion", term_index=0, subscription="S-2"
            ),
            purchase("Z-1", "2025-01-11", "500.00", kind="none"),
        ],
    )
    st = statement(simulate(doc, "2025-02-01"), "P1", "2025-01")

    assert lines(st) == expect(("ren", "earning", "X-1", "100.00", None))  # 500 x 0.20


# --- mdf_accrual --------------------------------------------------------------------------


def test_mdf_accrues_into_the_fund_not_onto_statements() -> None:
    doc = document(
        program(mdf(rate="0.02")),
        [
            purchase("O-1", "2025-03-05", "500.00"),  # 10.00
            purchase("O-2", "2025-04-07", "250.50"),  # 5.01
        ],
    )
    out = simulate(doc, "2025-05-01")

    assert out["statements"] == []
    f = fund(out, "D1")
    assert f["program"] == "P1"
    assert f["currency"] == "USD"
    assert fund_entries(f) == [("mdf", "O-1", "10.00"), ("mdf", "O-2", "5.01")]
    assert f["balance"] == "15.01"


def test_mdf_refund_is_clawed_back_from_the_fund() -> None:
    sale = purchase("O-1", "2025-03-05", "500.00", "5")
    doc = document(
        program(mdf(rate="0.02")),
        [sale, refund(sale, "R-1", "2025-03-20", "100.00", "1")],  # 10.00 x 100/500 = 2.00
    )
    f = fund(simulate(doc, "2025-04-01"), "D1")

    assert fund_entries(f) == [("mdf", "O-1", "10.00"), ("mdf", "R-1", "-2.00")]
    assert f["balance"] == "8.00"


# --- tiered_volume ------------------------------------------------------------------------

Q1_SALES = [
    purchase("O-1", "2025-01-15", "20000.00"),
    purchase("O-2", "2025-02-15", "30000.00"),
    purchase("O-3", "2025-03-15", "10000.00"),
]  # 60000.00 in 2025-Q1; tiers 0: 1 %, 10000: 2 %, 50000: 3 %


def _volume_line(out: dict, period: str = "2025-Q1") -> tuple:
    st = statement(out, "D1", period)
    (line,) = st["lines"]
    assert line["origin_period"] == period
    return line["rule"], line["type"], line["event"], line["amount"], line["reason"]


def test_tiered_volume_retroactive_pays_the_reached_rate_on_all_volume() -> None:
    doc = document(
        program(tiered(method="retroactive"), period="quarterly", grace_days=10), Q1_SALES
    )

    # 60000 reached the 3 % tier: 60000 x 0.03
    assert _volume_line(simulate(doc, "2025-04-11")) == ("vol", "earning", None, "1800.00", None)


def test_tiered_volume_marginal_pays_each_tier_on_its_slice() -> None:
    doc = document(program(tiered(method="marginal"), period="quarterly", grace_days=10), Q1_SALES)

    # 10000 x 0.01 + 40000 x 0.02 + 10000 x 0.03 = 100 + 800 + 300
    assert _volume_line(simulate(doc, "2025-04-11")) == ("vol", "earning", None, "1200.00", None)


def test_tiered_volume_writes_nothing_while_the_period_is_open() -> None:
    doc = document(program(tiered(), period="quarterly", grace_days=10), Q1_SALES)

    assert simulate(doc, "2025-04-10")["statements"] == []  # Q1 closes at the end of Apr 10


def test_tiered_volume_exactly_on_a_tier_bound_is_in_that_tier() -> None:
    sales = [purchase("O-1", "2025-01-15", "20000.00"), purchase("O-2", "2025-02-15", "30000.00")]
    retro = document(program(tiered(), period="quarterly"), sales)
    marginal = document(program(tiered(method="marginal"), period="quarterly"), sales)

    # 50000 is the 3 % tier's "from": 50000 x 0.03
    assert _volume_line(simulate(retro, "2025-04-01"))[3] == "1500.00"
    # 10000 x 0.01 + 40000 x 0.02 + 0 x 0.03
    assert _volume_line(simulate(marginal, "2025-04-01"))[3] == "900.00"


def test_tiered_volume_one_cent_below_a_bound_stays_in_the_lower_tier() -> None:
    sales = [purchase("O-1", "2025-01-15", "20000.00"), purchase("O-2", "2025-02-15", "29999.99")]
    doc = document(program(tiered(), period="quarterly"), sales)

    # 49999.99 x 0.02 = 999.9998 -> 1000.00
    assert _volume_line(simulate(doc, "2025-04-01"))[3] == "1000.00"


def test_tiered_volume_measure_cap_caps_the_volume_before_tiers() -> None:
    retro = document(program(tiered(measure_cap="50000"), period="quarterly"), Q1_SALES)
    marginal = document(
        program(tiered(method="marginal", measure_cap="50000"), period="quarterly"), Q1_SALES
    )

    # 60000 capped to 50000: retroactive 50000 x 0.03; marginal 100 + 800 + 0
    assert _volume_line(simulate(retro, "2025-04-01"))[3] == "1500.00"
    assert _volume_line(simulate(marginal, "2025-04-01"))[3] == "900.00"


QUANTITY_SALES = [
    purchase("O-1", "2025-01-15", "500.00", "5"),
    purchase("O-2", "2025-02-15", "1500.00", "15"),
]  # 20 units for 2000.00; tiers 0 units: 1 %, 10 units: 2 %
QUANTITY_TIERS = (("0", "0.01"), ("10", "0.02"))


def test_tiered_volume_by_quantity_retroactive() -> None:
    rule = tiered(tiers=QUANTITY_TIERS, measure="quantity")
    doc = document(program(rule, period="quarterly"), QUANTITY_SALES)

    # 20 units reach the 2 % tier, paid on the whole amount: 2000.00 x 0.02
    assert _volume_line(simulate(doc, "2025-04-01"))[3] == "40.00"


def test_tiered_volume_by_quantity_marginal_pays_each_slice_its_share_of_the_amount() -> None:
    rule = tiered(tiers=QUANTITY_TIERS, measure="quantity", method="marginal")
    doc = document(program(rule, period="quarterly"), QUANTITY_SALES)

    # units 0-10 are 10/20 of 2000.00 at 1 % = 10.00; units 10-20 the other 1000.00 at 2 % = 20.00
    assert _volume_line(simulate(doc, "2025-04-01"))[3] == "30.00"


def test_tiered_volume_is_per_beneficiary_and_period() -> None:
    doc = document(
        program(tiered(), period="quarterly"),
        [
            purchase("O-1", "2025-01-15", "12000.00", distributor="D1"),  # 2 %: 240.00
            purchase("O-2", "2025-02-15", "9000.00", distributor="D2"),  # 1 %: 90.00
            purchase("O-3", "2025-04-15", "5000.00", distributor="D1"),  # Q2 alone: 1 %: 50.00
        ],
    )
    out = simulate(doc, "2025-07-01")

    assert _volume_line(out, "2025-Q1")[3] == "240.00"
    assert _volume_line(out, "2025-Q2")[3] == "50.00"
    assert lines(statement(out, "D2", "2025-Q1")) == expect(("vol", "earning", None, "90.00", None))


# --- growth -------------------------------------------------------------------------------


def _growth_doc(volume: str, payout_basis: str) -> dict:
    rule = growth(
        rate="0.05", baseline_amount="10000.00", min_growth="0.10", payout_basis=payout_basis
    )
    return document(
        program(rule, period="quarterly"),
        [purchase("O-1", "2025-01-15", "6000.00"), purchase("O-2", "2025-02-15", volume)],
    )


def test_growth_fixed_baseline_incremental_at_exactly_min_growth() -> None:
    # volume 6000 + 5000 = 11000; growth (11000 - 10000) / 10000 = 0.10 qualifies
    out = simulate(_growth_doc("5000.00", "incremental"), "2025-04-01")

    # incremental: (11000 - 10000) x 0.05
    assert lines(statement(out, "D1", "2025-Q1")) == expect(("gr", "earning", None, "50.00", None))


def test_growth_fixed_baseline_total() -> None:
    out = simulate(_growth_doc("5000.00", "total"), "2025-04-01")

    # total: 11000 x 0.05
    assert lines(statement(out, "D1", "2025-Q1")) == expect(("gr", "earning", None, "550.00", None))


def test_growth_just_below_min_growth_writes_a_zero_earning_line() -> None:
    # volume 10999.99: growth 0.099999 < 0.10
    out = simulate(_growth_doc("4999.99", "incremental"), "2025-04-01")
    st = statement(out, "D1", "2025-Q1")

    assert [(ln["rule"], ln["type"], ln["amount"]) for ln in st["lines"]] == [
        ("gr", "earning", "0.00")
    ]
    assert st["total"] == "0.00"


def _prior_year_doc(payout_basis: str, this_year: str) -> dict:
    rule = growth(
        rate="0.05",
        baseline="same_period_prior_year",
        min_growth="0.25",
        payout_basis=payout_basis,
    )
    return document(
        program(rule, period="quarterly"),
        [
            purchase("O-1", "2024-02-10", "8000.00"),  # 2024-Q1: 8000, its prior year had none
            purchase("O-2", "2024-05-10", "3000.00"),  # 2024-Q2: not the same period
            purchase("O-3", "2025-02-10", this_year),  # 2025-Q1
        ],
    )


def test_growth_against_the_same_period_of_the_prior_year_incremental() -> None:
    out = simulate(_prior_year_doc("incremental", "10000.00"), "2025-04-01")

    # 2024-Q1: zero baseline qualifies with any volume: (8000 - 0) x 0.05
    assert lines(statement(out, "D1", "2024-Q1")) == expect(("gr", "earning", None, "400.00", None))
    # 2025-Q1 against 2024-Q1: (10000 - 8000) / 8000 = 0.25 qualifies; 2000 x 0.05
    assert lines(statement(out, "D1", "2025-Q1")) == expect(("gr", "earning", None, "100.00", None))


def test_growth_against_the_same_period_of_the_prior_year_total() -> None:
    out = simulate(_prior_year_doc("total", "10000.00"), "2025-04-01")

    # 10000 x 0.05
    assert lines(statement(out, "D1", "2025-Q1")) == expect(("gr", "earning", None, "500.00", None))


def test_growth_against_the_prior_year_below_min_growth_pays_zero() -> None:
    out = simulate(_prior_year_doc("total", "9999.99"), "2025-04-01")

    # (9999.99 - 8000) / 8000 = 0.2499... < 0.25
    st = statement(out, "D1", "2025-Q1")
    assert [(ln["rule"], ln["amount"]) for ln in st["lines"]] == [("gr", "0.00")]
