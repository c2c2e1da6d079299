"""Incentive programs in the console: drafts checked by field path, simulated on the last
twelve months of real facts next to the published version, published, closed by hand."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.statements import posting
from channelfront.statements.models import IncentiveProgram, PeriodClose, Statement
from incentives.periods import period_of
from tests.statements.programs_data import fact, live_program, tenant

PRODUCT = "CONSOLE-SIM-1"
DOC: dict[str, Any] = {
    "settlement_currency": "USD",
    "timezone": "America/New_York",
    "statement_period": "monthly",
    "grace_days": 5,
    "min_payout": "0.00",
    "rules": [
        {
            "id": "com",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {"product_ids": [PRODUCT]},
            "rate": "0.04",
        },
        {
            "id": "mdf",
            "kind": "mdf_accrual",
            "beneficiary": "distributor",
            "scope": {"product_ids": [PRODUCT]},
            "rate": "0.01",
        },
    ],
}


def with_rate(rate: str) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    doc["rules"][0]["rate"] = rate
    return doc


def months_ago(count: int, day: int = 10) -> date:
    today = datetime.now(UTC).date()
    months = today.year * 12 + today.month - 1 - count
    return date(months // 12, months % 12 + 1, day)


@pytest.fixture
def program(ctx):  # type: ignore[no-untyped-def]
    """A published program on northwind (4 % commission, 1 % MDF on one product) and
    three facts: 1,000.00 three months ago, 500.00 last month, and 200.00 fourteen
    months ago (outside the simulation's twelve months)."""
    row = live_program("northwind", "console-sim", DOC)
    db.session.commit()
    northwind = tenant("northwind")
    for key, when, amount in [
        ("SIM-1", months_ago(3), 100_000),
        ("SIM-2", months_ago(1), 50_000),
        ("SIM-OLD", months_ago(14), 20_000),
    ]:
        posting.post(northwind, [fact(northwind, key, when, amount, product_id=PRODUCT)])
    db.session.commit()
    return row


def page(row: IncentiveProgram) -> str:
    return f"/admin/incentives/{row.tenant_id}/programs/{row.id}"


def save(submit, row, document: Any, action: str = "save"):  # type: ignore[no-untyped-def]
    raw = document if isinstance(document, str) else json.dumps(document)
    return submit(page(row), page(row) + "/draft", {"document": raw, "action": action})


def stored(rows, row) -> tuple[Any, Any, int]:  # type: ignore[no-untyped-def]
    [found] = rows(
        select(IncentiveProgram.document, IncentiveProgram.draft, IncentiveProgram.version).where(
            IncentiveProgram.id == row.id
        )
    )
    return found.document, found.draft, found.version


def cells(html: str, table: str, beneficiary: str) -> list[str]:
    """The old, new and difference cells of a beneficiary's row in a simulation table."""
    part = html.split(f'class="data {table} stack-table"')[1].split("</table>")[0]
    row = part.split(f'data-beneficiary="{beneficiary}"')[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_the_program_page_shows_the_document_and_version(console, text_of, program):
    response = console.get(page(program))
    assert response.status_code == 200
    text = text_of(response)
    assert "Version 1, published on" in text
    html = response.get_data(as_text=True)
    assert "&#34;percent_commission&#34;" in html or "&quot;percent_commission&quot;" in html
    listing = text_of(console.get("/admin/incentives/programs"))
    assert "Console-Sim (console-sim) The distributor 1" in listing


def test_malformed_json_is_refused_and_nothing_is_saved(console, submit, text_of, rows, program):
    response = save(submit, program, '{"rules": [ }')
    assert response.status_code == 400
    text = text_of(response)
    assert "Nothing was saved" in text
    assert "This is not valid JSON (line 1, column 13)." in text
    assert '{"rules": [ }' in text  # the text is kept to fix it
    assert stored(rows, program)[1] is None

    twice = save(submit, program, '{"rules": [], "rules": []}')
    assert twice.status_code == 400
    assert "The key “rules” appears twice in one object." in text_of(twice)
    not_object = save(submit, program, "[1, 2]")
    assert not_object.status_code == 400
    assert "A program document is a JSON object." in text_of(not_object)


def test_a_number_too_long_for_int_is_refused_not_a_500(console, submit, text_of, rows, program):
    doc = copy.deepcopy(DOC)
    response = save(
        submit, program, json.dumps(doc).replace('"grace_days": 5', '"grace_days": ' + "9" * 5000)
    )
    assert response.status_code == 400
    assert "A number has more than 30 digits." in text_of(response)
    assert stored(rows, program)[1] is None


def test_schema_errors_are_listed_by_field_path(console, submit, text_of, rows, program):
    doc = with_rate("lots")
    doc["statement_period"] = "weekly"
    response = save(submit, program, doc)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-field="rules[0].rate"' in html
    assert 'data-field="statement_period"' in html
    assert "<code>rules[0].rate</code>: Write a number as a string" in html
    assert "<code>statement_period</code>: “weekly” is not one of" in html
    assert stored(rows, program)[1] is None


def test_a_saved_draft_leaves_the_published_version_in_force(
    console, submit, text_of, rows, program
):
    response = save(submit, program, with_rate("0.06"))
    assert response.status_code == 302
    document, draft, version = stored(rows, program)
    assert document["rules"][0]["rate"] == "0.04"
    assert draft["rules"][0]["rate"] == "0.06"
    assert version == 1
    assert "An unpublished draft is waiting." in text_of(console.get(page(program)))


def test_the_simulation_shows_old_and_new_totals_side_by_side(console, submit, text_of, program):
    response = save(submit, program, with_rate("0.06"), action="simulate")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Simulation on the last 12 months" in text
    # 1,500.00 in the window (the sale fourteen months ago is not): 4 % is 60.00, 6 % 90.00.
    assert cells(html, "simulation-earned", "northwind") == [
        "Northwind Distribution",
        "$60.00",
        "$90.00",
        "+$30.00",
    ]
    # MDF is 1 % in both versions: 15.00, no difference.
    assert cells(html, "simulation-funds", "northwind") == [
        "Northwind Distribution",
        "$15.00",
        "$15.00",
        "$0.00",
    ]
    three_months_ago = period_of(months_ago(3), "monthly").key
    part = html.split(f'data-period="{three_months_ago}"')[1].split("</tr>")[0]
    assert "$40.00" in part
    assert "$60.00" in part
    assert "+$20.00" in part
    assert "Published (version 1)" in text
    assert "2 events." in text


def test_publish_needs_a_simulation_of_the_current_draft(console, submit, text_of, rows, program):
    assert save(submit, program, with_rate("0.06")).status_code == 302
    refused = submit(page(program), page(program) + "/publish", {"digest": "x"})
    assert refused.status_code == 400
    assert stored(rows, program)[2] == 1

    simulated = save(submit, program, with_rate("0.06"), action="simulate")
    assert "Publish as version 2" in text_of(simulated)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', simulated.get_data(True))
    assert digest

    # Someone changes the draft after the simulation: it must be simulated again.
    assert save(submit, program, with_rate("0.07")).status_code == 302
    stale = submit(page(program), page(program) + "/publish", {"digest": digest.group(1)})
    assert stale.status_code == 400
    assert "The draft changed since this page was shown." in text_of(stale)
    assert stored(rows, program)[2] == 1

    again = save(submit, program, with_rate("0.07"), action="simulate")
    fresh = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', again.get_data(True))
    published = submit(page(program), page(program) + "/publish", {"digest": fresh.group(1)})
    assert published.status_code == 302
    document, draft, version = stored(rows, program)
    assert (document["rules"][0]["rate"], draft, version) == ("0.07", None, 2)
    text = text_of(console.get(page(program)))
    assert "Version 2 of Console-Sim is published." in text
    assert "Version 2, published on" in text


def test_a_new_program_starts_as_a_draft(console, submit, text_of, rows, ctx):
    northwind = tenant("northwind")
    form = "/admin/incentives/programs"
    action = f"/admin/incentives/{northwind.id}/programs"
    bad = submit(form, action, {"code": "Not A Code", "name": "Spring", "audience": "reseller"})
    assert bad.status_code == 400
    assert "Code: Use 1 to 40 lower-case letters, digits or hyphens." in text_of(bad)
    nameless = submit(form, action, {"code": "spring-spiff", "name": "", "audience": "reseller"})
    assert nameless.status_code == 400
    assert "Name: Enter the program's name." in text_of(nameless)
    created = submit(
        form, action, {"code": "spring-spiff", "name": "Spring", "audience": "reseller"}
    )
    assert created.status_code == 302
    [(version, draft)] = rows(
        select(IncentiveProgram.version, IncentiveProgram.draft).where(
            IncentiveProgram.code == "spring-spiff"
        )
    )
    assert version == 0
    assert draft["settlement_currency"] == "USD"
    page_text = text_of(console.get(created.headers["Location"]))
    assert "Not published yet" in page_text
    assert "Publish the program before closing a period." in page_text


def test_a_first_version_is_simulated_against_nothing(console, submit, text_of, program, ctx):
    fresh = db.session.scalar(select(IncentiveProgram).where(IncentiveProgram.id == program.id))
    from channelfront.statements import programs as program_service

    new = program_service.create(tenant("northwind"), "console-new", "New", "distributor", DOC)
    db.session.commit()
    assert fresh is not None
    response = save(submit, new, with_rate("0.05"), action="simulate")
    assert response.status_code == 200
    assert "The program is not published yet" in text_of(response)
    assert cells(response.get_data(True), "simulation-earned", "northwind")[1:] == [
        "$0.00",
        "$75.00",
        "+$75.00",
    ]


def test_another_tenants_program_is_not_found(console, submit, program):
    sakura = tenant("sakura").id
    other = f"/admin/incentives/{sakura}/programs/{program.id}"
    assert console.get(other).status_code == 404
    token = console.csrf_token(page(program))
    for action in ("/draft", "/publish", "/close"):
        response = console.post(other + action, data={"csrf_token": token, "document": "{}"})
        assert response.status_code == 404
    assert console.get(f"/admin/incentives/{sakura}/programs/{2**64}").status_code == 404


def test_a_period_closes_by_hand_once(console, submit, text_of, rows, program):
    earliest = period_of(months_ago(14), "monthly")
    text = text_of(console.get(page(program)))
    assert f"({earliest.key})" in text  # offered: it ended and is not closed

    closed = submit(page(program), page(program) + "/close", {"period": earliest.key})
    assert closed.status_code == 302
    assert "is closed." in text_of(console.get(closed.headers["Location"]))
    statements = rows(
        select(Statement.total_minor).where(
            Statement.program_id == program.id, Statement.period == earliest.key
        )
    )
    assert statements == [(800,)]  # 4 % of 200.00

    again = submit(page(program), page(program) + "/close", {"period": earliest.key})
    assert again.status_code == 302
    assert "is closed already; nothing changed." in text_of(console.get(again.headers["Location"]))
    closes = rows(
        select(func.count(PeriodClose.id)).where(
            PeriodClose.program_id == program.id, PeriodClose.period == earliest.key
        )
    )
    assert closes == [(1,)]
    assert f"({earliest.key})" not in text_of(console.get(page(program))).split("Close period")[0]


def test_closing_out_of_order_or_an_open_period_is_refused(console, submit, text_of, program):
    later = period_of(months_ago(3), "monthly").key
    out_of_order = submit(page(program), page(program) + "/close", {"period": later})
    assert out_of_order.status_code == 400
    assert "Period: Close " in text_of(out_of_order)
    current = period_of(datetime.now(UTC).date(), "monthly").key
    not_ended = submit(page(program), page(program) + "/close", {"period": current})
    assert not_ended.status_code == 400
    assert "has not ended yet." in text_of(not_ended)
    nonsense = submit(page(program), page(program) + "/close", {"period": "2026-Q9"})
    assert nonsense.status_code == 400
    assert "is not a period of this program." in text_of(nonsense)


def test_program_pages_speak_the_admins_language(console, submit, text_of, program):
    assert submit("/admin/", "/locale", {"locale": "de", "next": "/admin/"}).status_code == 302
    response = save(submit, program, with_rate("0.06"), action="simulate")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Simulation über die letzten 12 Monate" in text_of(response)
    nbsp = "\u00a0"
    assert cells(html, "simulation-earned", "northwind")[1:] == [
        f"60,00{nbsp}$",
        f"90,00{nbsp}$",
        f"+30,00{nbsp}$",
    ]
    refused = save(submit, program, "{")
    assert "Es wurde nichts gespeichert" in text_of(refused)


@pytest.mark.parametrize("code", SHIPPED_LOCALES)
def test_every_incentive_page_renders_in_each_language(console, submit, program, code):
    assert submit("/admin/", "/locale", {"locale": code, "next": "/admin/"}).status_code == 302
    for path in ["/admin/incentives", "/admin/incentives/programs", page(program)]:
        response = console.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{code}"' in response.get_data(as_text=True)
    simulated = save(submit, program, with_rate("0.06"), action="simulate")
    assert simulated.status_code == 200
    refused = save(submit, program, "{")
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.get_data(as_text=True)


def test_yen_amounts_are_whole_in_japanese(console, submit, ctx):
    doc = copy.deepcopy(DOC)
    doc.update(settlement_currency="JPY", timezone="Asia/Tokyo", min_payout="0")
    row = live_program("sakura", "console-yen", doc)
    db.session.commit()
    sakura = tenant("sakura")
    fact_row = fact(sakura, "YEN-1", months_ago(2), 150_000, product_id=PRODUCT)
    fact_row.ordering_partner_id = None
    posting.post(sakura, [fact_row])
    db.session.commit()
    assert submit("/admin/", "/locale", {"locale": "ja", "next": "/admin/"}).status_code == 302
    response = save(submit, row, {**doc, "rules": with_rate("0.06")["rules"]}, action="simulate")
    assert response.status_code == 200
    # 150,000 yen: 4 % is 6,000, 6 % is 9,000; yen have no decimals.
    assert cells(response.get_data(True), "simulation-earned", "sakura")[1:] == [
        "￥6,000",
        "￥9,000",
        "+￥3,000",
    ]
    assert "過去12か月でのシミュレーション" in response.get_data(as_text=True)


def test_a_draft_without_a_time_zone_is_simulated_in_utc(console, submit, text_of, program):
    document = with_rate("0.06")
    document.pop("timezone", None)
    response = save(submit, program, document, action="simulate")
    assert response.status_code == 200
    assert "Simulation on the last 12 months" in text_of(response)
