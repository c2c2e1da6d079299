"""Incentive programs edited with forms: every rule kind goes form -> document -> form
unchanged, schema errors show beside the field they name, the JSON view edits the same
draft, and a program made on the forms publishes."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.statements import programs
from channelfront.statements.models import IncentiveProgram
from incentives import parse
from tests.statements.programs_data import tenant

ALL_KINDS: dict[str, Any] = {
    "settlement_currency": "USD",
    "timezone": "America/New_York",
    "statement_period": "quarterly",
    "grace_days": 7,
    "min_payout": "25.00",
    "negative_balance": "debit_note",
    "rounding": "half_up",
    "fx_rate_date": "event_date",
    "rules": [
        {
            "id": "pct",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {"category_ids": ["security"], "channels": ["storefront"]},
            "exclusive_group": "commission",
            "priority": 2,
            "rate": "0.05",
            "clawback_window_days": 90,
            "caps": {"per_line": "100.00", "per_period": "1000.00"},
        },
        {
            "id": "vol",
            "kind": "tiered_volume",
            "beneficiary": "ordering_partner",
            "scope": {"partner_tiers": ["gold"], "valid_from": "2026-01-01"},
            "tiers": [{"from": "0", "rate": "0.01"}, {"from": "5000", "rate": "0.02"}],
            "tier_method": "marginal",
            "tier_measure": "amount",
            "measure_cap": "100000",
            "refund_volume_attribution": "refund_period",
        },
        {
            "id": "unit",
            "kind": "fixed_per_unit",
            "beneficiary": "ordering_partner",
            "scope": {"exclude_product_ids": ["NOPE-1"]},
            "amount_per_unit": "2.50",
            "caps": {"lifetime": "500.00", "per_promotion_units": "40"},
        },
        {
            "id": "mdf",
            "kind": "mdf_accrual",
            "beneficiary": "distributor",
            "scope": {"event_kinds": ["new", "expansion"]},
            "rate": "0.01",
        },
        {
            "id": "ren",
            "kind": "renewal_commission",
            "beneficiary": "originating_partner",
            "scope": {},
            "renewal": {
                "first_purchase_rate": "0.10",
                "partner_renewal_rate": "0.05",
                "self_service_renewal_rate": "0.03",
                "max_renewals": 3,
            },
        },
        {
            "id": "grow",
            "kind": "growth",
            "beneficiary": "distributor",
            "scope": {},
            "rate": "0.02",
            "growth": {
                "baseline": "fixed",
                "baseline_amount": "10000.00",
                "min_growth": "0.10",
                "payout_basis": "total",
            },
        },
    ],
}


class Fields(HTMLParser):
    """The values a browser would post for the rule editor's form (buttons left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.inside = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "rule-editor" in a.get("class", ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("name") != "csrf_token":
            self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form":
            self.inside = False


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = Fields()
    parser.feed(html)
    return [(k, v) for k, v in parser.pairs if k != "new_kind"]


@pytest.fixture
def draft(ctx):  # type: ignore[no-untyped-def]
    """A program of northwind, unpublished, whose draft has one rule of every kind."""
    row = programs.create(tenant("northwind"), "forms-all", "Forms All", "distributor", ALL_KINDS)
    db.session.commit()
    return row


def rules_page(row: IncentiveProgram) -> str:
    return f"/admin/incentives/{row.tenant_id}/programs/{row.id}/rules"


def post_fields(console, row, pairs, action: str = "save"):  # type: ignore[no-untyped-def]
    token = console.csrf_token(rules_page(row))
    data: dict[str, Any] = {}
    for name, value in [*pairs, ("action", action), ("csrf_token", token)]:
        data.setdefault(name, []).append(value)
    return console.post(rules_page(row), data=data)


def stored_draft(rows, row) -> Any:  # type: ignore[no-untyped-def]
    [found] = rows(select(IncentiveProgram.draft).where(IncentiveProgram.id == row.id))
    return found.draft


def test_every_rule_kind_round_trips_form_document_form(console, rows, draft):
    page = console.get(rules_page(draft))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for kind in ("percent_commission", "tiered_volume", "fixed_per_unit", "mdf_accrual"):
        assert f'data-kind="{kind}"' in html
    assert 'data-kind="renewal_commission"' in html
    assert 'data-kind="growth"' in html
    shown = form_fields(html)

    response = post_fields(console, draft, shown)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = stored_draft(rows, draft)
    assert parse.program(saved) == parse.program({**ALL_KINDS, "id": "forms-all"})
    assert saved["rules"][1]["tiers"] == ALL_KINDS["rules"][1]["tiers"]
    assert saved["rules"][4]["renewal"]["max_renewals"] == 3

    again = form_fields(console.get(rules_page(draft)).get_data(as_text=True))
    assert sorted(again) == sorted(shown)


def test_fields_have_labels_and_help_text(console, text_of, draft):
    text = text_of(console.get(rules_page(draft)))
    for words in (
        "Clawback window (days)",
        "A refund within this many days takes the earning back.",
        "Cap per period",
        "Rounding",
        "Statement period",
        "Tier method",
        "Which sales count (scope)",
        "Categories",
        "Partner tiers",
    ):
        assert words in text


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(console, rows, text_of, draft):
    shown = form_fields(console.get(rules_page(draft)).get_data(as_text=True))
    broken = [
        (k, "lots" if k == "rules-1-tiers-1-rate" else v) for k, v in shown if k != "rules-0-rate"
    ]
    response = post_fields(console, draft, broken)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    beside = html.split('has-error" data-field="rules-1-tiers-1-rate"')[1].split("</div>")[0]
    assert 'value="lots"' in beside
    assert "Write a number as a string" in beside
    rate = html.split('<div class="field has-error" data-field="rules-0-rate"')[1].split("</div>")[
        0
    ]
    assert "A percent_commission rule needs this field." in rate
    assert "Nothing was saved" in html
    assert "Rule 2, Rate : Write a number as a string" in text_of(response)
    assert stored_draft(rows, draft)["rules"][1]["tiers"][1]["rate"] == "0.02"


def test_rows_and_rules_are_added_and_removed_without_script(console, rows, draft):
    shown = form_fields(console.get(rules_page(draft)).get_data(as_text=True))
    added = post_fields(console, draft, shown, action="add_tier-1")
    assert added.status_code == 200
    with_row = form_fields(added.get_data(as_text=True))
    assert ("rules-1-tiers-2-from", "") in with_row
    removed = post_fields(console, draft, with_row, action="remove_tier-1-0")
    fewer = form_fields(removed.get_data(as_text=True))
    assert ("rules-1-tiers-0-from", "5000") in fewer
    assert not any(k == "rules-1-tiers-2-from" for k, _v in fewer)

    token = console.csrf_token(rules_page(draft))
    data = {"action": "add_rule", "new_kind": "tiered_volume", "csrf_token": token}
    new = console.post(rules_page(draft), data={**dict(shown[:0]), **data})
    assert new.status_code == 200
    assert 'data-kind="tiered_volume"' in new.get_data(as_text=True)
    dropped = post_fields(console, draft, shown, action="remove_rule-0")
    assert 'data-kind="percent_commission"' not in dropped.get_data(as_text=True)
    assert stored_draft(rows, draft)["rules"][0]["id"] == "pct"  # editing buttons save nothing


def test_a_scope_picks_from_the_catalog_and_groups(console, rows, draft):
    html = console.get(rules_page(draft)).get_data(as_text=True)
    products = html.split('name="rules-3-scope-product_ids"')[1].split("</select>")[0]
    assert "<option" in products
    shown = form_fields(html)
    group = html.split('name="rules-3-scope-groups"')[1].split("</select>")[0]
    slug = group.split('value="')[1].split('"')[0]
    response = post_fields(console, draft, [*shown, ("rules-3-scope-groups", slug)])
    assert response.status_code == 302
    assert stored_draft(rows, draft)["rules"][3]["scope"]["product_ids"]


def test_the_json_view_edits_the_same_draft(console, submit, text_of, rows, draft):
    program_page = f"/admin/incentives/{draft.tenant_id}/programs/{draft.id}"
    assert "Forms" in text_of(console.get(program_page))
    doc = copy.deepcopy(ALL_KINDS)
    doc["rules"][0]["rate"] = "0.07"
    saved = submit(program_page, program_page + "/draft", {"document": json.dumps(doc)})
    assert saved.status_code == 302
    html = console.get(rules_page(draft)).get_data(as_text=True)
    assert ("rules-0-rate", "0.07") in form_fields(html)


def test_a_program_made_on_the_forms_publishes(ctx, console, rows, text_of):
    row = programs.create(
        tenant("northwind"),
        "forms-new",
        "Forms New",
        "distributor",
        {"settlement_currency": "USD", "rules": []},
    )
    db.session.commit()
    token = console.csrf_token(rules_page(row))
    added = console.post(
        rules_page(row),
        data={"action": "add_rule", "new_kind": "tiered_volume", "csrf_token": token},
    )
    pairs = [
        (k, v) for k, v in form_fields(added.get_data(as_text=True)) if k != "rules-0-tiers-0-rate"
    ]
    pairs += [
        ("rules-0-tiers-0-rate", "0.01"),
        ("rules-0-tiers-1-from", "1000"),
        ("rules-0-tiers-1-rate", "0.03"),
        ("rules-0-scope-category_ids", "security"),
    ]
    simulated = post_fields(console, row, pairs, action="simulate")
    assert simulated.status_code == 200, simulated.get_data(as_text=True)[:3000]
    assert "Simulation on the last 12 months" in text_of(simulated)
    program_page = f"/admin/incentives/{row.tenant_id}/programs/{row.id}"
    digest = simulated.get_data(as_text=True).split('id="digest"')[1].split('value="')[1]
    digest = digest.split('"')[0]
    token = console.csrf_token(program_page)
    published = console.post(
        program_page + "/publish", data={"digest": digest, "csrf_token": token}
    )
    assert published.status_code == 302
    [found] = rows(select(IncentiveProgram).where(IncentiveProgram.id == row.id))
    live = found[0]
    assert live.version == 1
    assert live.document["rules"][0]["tiers"] == [
        {"from": "0", "rate": "0.01"},
        {"from": "1000", "rate": "0.03"},
    ]
    assert live.document["rules"][0]["scope"] == {"category_ids": ["security"]}


def test_another_tenants_program_is_a_404(console, draft):
    assert (
        console.get(
            f"/admin/incentives/{draft.tenant_id + 999}/programs/{draft.id}/rules"
        ).status_code
        == 404
    )
    assert (
        console.get(f"/admin/incentives/{draft.tenant_id}/programs/99999999/rules").status_code
        == 404
    )
