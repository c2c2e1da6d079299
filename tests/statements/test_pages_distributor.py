"""The distributor's incentives pages: open period, estimate, fund, statements, chart, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.checkout import submit
from channelfront.statements import close as closing
from channelfront.statements.models import FundTotal, LedgerEntry
from incentives.periods import period_of
from tests.orders.conftest import checkout_request
from tests.statements.pages_support import (
    QUARTERLY,
    close,
    current_quarter,
    line,
    program,
    quarter,
    quarters,
    signed_in,
    staff,
    volume,
)

FINANCE = "finance@northwind.example"


def section(html: str, css_class: str, **data: str) -> str:
    """The HTML of the first element with this class and data attributes."""
    attrs = "".join(rf'[^>]*data-{name}="{re.escape(value)}"' for name, value in data.items())
    match = re.search(rf'<(\w+) class="{css_class}"{attrs}[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert match, f"no {css_class} {data} in the page"
    return match.group(2)


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_finance_sees_the_open_quarter_with_its_lines_the_estimate_and_the_fund(ctx, client_for):
    dist = program("northwind", "u-dist", QUARTERLY)
    now = current_quarter()
    line(dist, "northwind", now, 12_34)
    line(dist, "northwind", now, -2_00, type_="clawback")
    line(dist, "northwind", now, 45_00, rule="mdf", fund=True)
    line(dist, "northwind", now, 5_00, rule="mdf", fund=True)
    volume(dist, "vol", "northwind", now, 8_000_00)
    volume(dist, "vol", "northwind", now, 4_000_00)
    volume(dist, "grow", "northwind", now, 12_000_00)
    # Someone else's rows on the same program are not the distributor's.
    line(dist, "company-999", now, 99_99)
    db.session.commit()

    html = signed_in(client_for("northwind.localhost"), FINANCE).get("/incentives")
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert '<a href="/incentives">Incentives</a>' in page  # in the navigation
    block = section(page, "open-statement", program="u-dist", period=now.key)
    assert f"{now.start:%b} {now.start.day}, {now.start.year}" in text(block)
    assert "$10.34" in text(section(block, "lines-total"))  # 12.34 - 2.00, fund excluded
    assert "(2 lines)" in text(block)
    assert "$99.99" not in block
    assert 'data-type="clawback"' in block
    assert "Clawback" in block
    # Volume rules: 12,000 reaches the 2% tier on all volume; growth pays 1% over 5,000.
    assert "$12,000.00" in text(section(block, "accrual", rule="vol"))
    assert "$240.00" in text(section(block, "accrual", rule="vol"))
    assert "$70.00" in text(section(block, "accrual", rule="grow"))
    assert "$310.00" in text(section(block, "estimate-total"))
    assert "Estimates are not statement lines" in block
    fund = section(page, "fund", program="u-dist")
    assert "$50.00" in text(fund)


def test_the_fund_balance_keeps_what_closed_periods_accrued(ctx, client_for):
    dist = program("northwind", "u-fund", QUARTERLY)
    now = current_quarter()
    earlier = period_of(now.start - timedelta(days=1), "quarterly")
    line(dist, "northwind", earlier, 30_00, rule="mdf", fund=True)
    line(dist, "northwind", earlier, 12_00, rule="mdf", fund=True)
    line(dist, "northwind", earlier, 5_00)
    line(dist, "company-999", earlier, 7_00, rule="mdf", fund=True)  # someone else's fund
    line(dist, "northwind", now, 8_00, rule="mdf", fund=True)
    db.session.commit()
    moment = datetime.combine(now.start, time(12), UTC)
    assert closing.close_one(closing.Due(dist.tenant_id, dist.id, earlier), moment)

    totals = db.session.execute(
        select(FundTotal.beneficiary, FundTotal.period, FundTotal.total_minor, FundTotal.entries)
        .where(FundTotal.program_id == dist.id)
        .order_by(FundTotal.beneficiary)
    ).all()
    assert totals == [("company-999", earlier.key, 7_00, 1), ("northwind", earlier.key, 42_00, 2)]
    page = signed_in(client_for("northwind.localhost"), FINANCE).get("/incentives")
    fund = section(page.get_data(as_text=True), "fund", program="u-fund")
    assert "$50.00" in text(fund)  # 42.00 closed + 8.00 open; not the other partner's 7.00


def test_a_real_order_shows_up_in_the_open_period_with_a_link_to_its_invoice(
    northwind_shop, client_for
):
    shop = northwind_shop
    dist = program("northwind", "u-live", QUARTERLY)
    order, created = submit(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())
    assert created
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    earned = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.program_id == dist.id, LedgerEntry.rule_id == "com")
    ).all()
    assert earned, "the order was not captured"
    commission = sum(e.amount_minor for e in earned)
    assert commission == sum(
        int((Decimal(line.total_minor) * Decimal("0.05")).to_integral_value())
        for line in order.lines
    )

    page = signed_in(client_for("northwind.localhost"), FINANCE).get("/incentives")
    block = section(page.get_data(as_text=True), "open-statement", program="u-live")
    assert f'href="/invoices/{invoice.number}">{order.number}</a>' in block
    assert f"${commission / 100:,.2f}" in text(section(block, "lines-total"))
    volume_row = text(section(block, "accrual", rule="vol"))
    assert f"${order.total_minor / 100:,.2f}" in volume_row


def test_closed_statements_with_disposition_credit_note_and_a_carried_opening(ctx, client_for):
    dist = program("northwind", "u-dist", QUARTERLY)
    q1, q2, q3 = quarters(quarter(2025, 1), 3)
    paid = close(dist, "northwind", q1, 1_250_00, note="CN-NW-9001", remaining_minor=250_00)
    carried = close(dist, "northwind", q2, 40_00, disposition="carried_forward")
    now = current_quarter()
    line(dist, "northwind", now, 10_00)
    db.session.commit()

    client = signed_in(client_for("northwind.localhost"), FINANCE)
    page = client.get("/incentives?program=u-dist").get_data(as_text=True)
    first = section(page, "statement", statement=str(paid.id))
    assert "1st quarter 2025" in text(first)
    assert "U Dist" in text(first)
    assert "$1,250.00" in text(first)
    assert "Paid as credit note" in text(first)
    assert "CN-NW-9001" in text(first)
    assert "$250.00 of $1,250.00 left" in text(first)
    second = section(page, "statement", statement=str(carried.id))
    assert "Carried forward" in text(second)
    assert "2nd quarter 2025" in text(second)
    assert page.index(f'data-statement="{carried.id}"') < page.index(f'data-statement="{paid.id}"')
    assert f'href="/incentives/statements/{paid.id}.csv"' in page
    # The carried 40.00 opens the next statement that has a line: the open one.
    block = section(page, "open-statement", program="u-dist", period=now.key)
    assert "$40.00" in text(section(block, "opening"))
    assert q3.key not in page  # no lines, no close: not a period of its own

    csv_rows = rows_of(
        client.get(f"/incentives/open.csv?program=u-dist&period={now.key}", buffered=True)
    )
    assert csv_rows[1][5:] == ["opening_balance", "", "", "", "40.00", "USD"]
    assert sum(Decimal(row[9]) for row in csv_rows[1:]) == Decimal("50.00")


def test_the_chart_shows_the_last_eight_periods_and_a_table_of_the_figures(ctx, client_for):
    dist = program("northwind", "u-dist", QUARTERLY)
    periods = quarters(quarter(2023, 4), 9)
    for index, period in enumerate(periods):
        total = -30_00 if period.key == "2024-Q2" else (index + 1) * 100_00
        close(dist, "northwind", period, total, disposition="carried_forward")
    db.session.commit()

    client = signed_in(client_for("northwind.localhost"), FINANCE)
    html = client.get("/incentives?program=u-dist").get_data(as_text=True)
    assert '<p class="meta chart-program">U Dist</p>' in html
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.DOTALL).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Statement totals of the last periods</title>' in svg
    assert re.findall(r'<g class="bar[^"]*" data-period="([^"]+)"', svg) == [
        p.key for p in periods[1:]
    ]
    assert "2023-Q4" not in svg
    assert '<g class="bar negative" data-period="2024-Q2">' in svg
    assert "Q1 2024: $200.00" in svg
    assert "-$30.00" in svg
    # The same figures as a table, for screen readers and without SVG.
    table = re.search(r'<table class="data chart-data">.*?</table>', html, re.DOTALL).group(0)
    assert len(re.findall(r"<tr data-period=", table)) == 8
    assert "4th quarter 2025" in table
    assert "$900.00" in table
    assert "<script" not in html


def test_a_statement_shows_each_line_with_its_rule_type_reason_origin_and_order(
    northwind_shop, client_for
):
    shop = northwind_shop
    order, _created = submit(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    dist = program("northwind", "u-dist", QUARTERLY)
    q4, q1 = quarter(2024, 4), quarter(2025, 1)
    earning = line(dist, "northwind", q1, 300_00, order_id=order.id)
    capped = line(dist, "northwind", q1, 0, order_id=order.id, reason="cap_reached")
    late = line(
        dist, "northwind", q1, -12_50, rule="vol", type_="prior_period_adjustment", origin=q4
    )
    manual = line(dist, "northwind", q1, 7_25, rule=None, type_="adjustment")
    statement = close(dist, "northwind", q1, 294_75 + 5_00, opening_minor=5_00, disposition="paid")
    db.session.commit()

    client = signed_in(client_for("northwind.localhost"), FINANCE)
    response = client.get(f"/incentives/statements/{statement.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "U Dist · 1st quarter 2025" in html
    assert "Jan 1, 2025 to Mar 31, 2025" in html
    assert "$5.00" in text(section(html, "opening"))
    assert "$299.75" in text(section(html, "total"))
    row = text(section(html, "statement-line", line=str(earning.id)))
    assert row.startswith("Sales commission com Earning")
    assert order.number in row
    assert "$300.00" in row
    assert f'<a class="order-link" href="/invoices/{invoice.number}">{order.number}</a>' in html
    assert "Cap reached" in text(section(html, "statement-line", line=str(capped.id)))
    adjustment = text(section(html, "statement-line", line=str(late.id)))
    assert "Volume rebate vol Prior-period adjustment" in adjustment
    assert "4th quarter 2024" in adjustment
    assert "-$12.50" in adjustment
    assert "Manual adjustment" in text(section(html, "statement-line", line=str(manual.id)))
    assert "4 lines" in html

    download = client.get(f"/incentives/statements/{statement.id}.csv", buffered=True)
    assert download.headers["Content-Type"].startswith("text/csv")
    assert download.headers["Cache-Control"] == "no-store"
    assert 'filename="statement-u-dist-2025-Q1.csv"' in download.headers["Content-Disposition"]
    rows = rows_of(download)
    assert rows[0] == [
        "period",
        "program",
        "line",
        "rule",
        "rule_kind",
        "type",
        "reason",
        "origin_period",
        "order",
        "amount",
        "currency",
    ]
    assert rows[1] == [
        "2025-Q1",
        "u-dist",
        "",
        "",
        "",
        "opening_balance",
        "",
        "",
        "",
        "5.00",
        "USD",
    ]
    by_line = {row[2]: row for row in rows[2:]}
    assert by_line[str(earning.id)][3:] == [
        "com",
        "percent_commission",
        "earning",
        "",
        "2025-Q1",
        order.number,
        "300.00",
        "USD",
    ]
    assert by_line[str(late.id)][5:] == [
        "prior_period_adjustment",
        "",
        "2024-Q4",
        "",
        "-12.50",
        "USD",
    ]
    assert by_line[str(capped.id)][6] == "cap_reached"
    assert by_line[str(manual.id)][3:5] == ["", ""]
    assert sum(Decimal(row[9]) for row in rows[1:]) == Decimal("299.75")


def test_german_staff_read_periods_money_and_dates_in_german(ctx, client_for):
    dist = program("alpenhandel", "u-alpen", QUARTERLY, currency="EUR")
    statement = close(dist, "alpenhandel", quarter(2025, 1), 1_234_50, note="CN-AH-1")
    line(dist, "alpenhandel", quarter(2025, 1), 1_234_50, reason="cap_reached")
    carried = close(dist, "alpenhandel", quarter(2025, 2), 0, disposition="carried_forward")
    staff("alpenhandel", "finanz@alpenhandel.example", locale="de")
    client = signed_in(client_for("alpenhandel.localhost"), "finanz@alpenhandel.example")

    page = client.get("/incentives?program=u-alpen").get_data(as_text=True)
    assert "<h1>Anreize</h1>" in page
    row = text(section(page, "statement", statement=str(statement.id)))
    assert "1. Quartal 2025" in row
    assert "1.234,50 €" in row  # text() turns the no-break space into a space
    assert "Als Gutschrift ausgezahlt" in row
    assert "Vorgetragen" in text(section(page, "statement", statement=str(carried.id)))
    assert "Q1 2025: 1.234,50\xa0€" in page  # the chart's short labels

    detail = client.get(f"/incentives/statements/{statement.id}").get_data(as_text=True)
    assert "01.01.2025 bis 31.03.2025" in detail
    assert "Obergrenze erreicht" in detail
    assert "Verkaufsprovision" in detail
    # The CSV stays machine-readable: same columns, codes and a decimal point.
    rows = rows_of(client.get(f"/incentives/statements/{statement.id}.csv", buffered=True))
    assert rows[0][0] == "period"
    assert rows[2][6] == "cap_reached"
    assert rows[2][9] == "1234.50"


def test_long_lists_come_in_pages_and_filter_by_program(ctx, app, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "STATEMENTS_PAGE_SIZE", 2)
    monkeypatch.setitem(app.config, "STATEMENT_LINES_PAGE_SIZE", 3)
    dist = program("northwind", "u-dist", QUARTERLY)
    extra = program("northwind", "u-extra", QUARTERLY)
    for period in quarters(quarter(2024, 1), 3):
        close(dist, "northwind", period, 10_00, disposition="carried_forward")
    close(extra, "northwind", quarter(2024, 1), 99_00)
    q1 = quarter(2025, 1)
    lines = [line(dist, "northwind", q1, amount) for amount in (1_00, 2_00, 3_00, 4_00)]
    statement = close(dist, "northwind", q1, 10_00, disposition="carried_forward")
    db.session.commit()
    client = signed_in(client_for("northwind.localhost"), FINANCE)

    # Filtered by program (the storefront may have other programs' statements too).
    first = client.get("/incentives?program=u-dist").get_data(as_text=True)
    assert "4 closed statements" in first
    assert "Page 1 of 2" in first
    assert 'href="/incentives?program=u-dist&amp;page=2"' in first
    assert "$99.00" not in first
    only = client.get("/incentives?program=u-extra").get_data(as_text=True)
    assert "1 closed statement" in only
    assert "$99.00" in only
    filtered = client.get("/incentives?program=u-dist&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in filtered
    assert 'href="/incentives?program=u-dist&amp;page=1"' in filtered
    # A page past the end shows the last page.
    late = client.get("/incentives?program=u-dist&page=40").get_data(as_text=True)
    assert "Page 2 of 2" in late
    everything = client.get("/incentives").get_data(as_text=True)
    assert "Page 1 of " in everything
    assert 'href="/incentives?page=2"' in everything

    detail = client.get(f"/incentives/statements/{statement.id}").get_data(as_text=True)
    assert "4 lines" in detail
    assert "Page 1 of 2" in detail
    assert [f'data-line="{e.id}"' in detail for e in lines] == [True, True, True, False]
    second = client.get(f"/incentives/statements/{statement.id}?page=2").get_data(as_text=True)
    assert f'data-line="{lines[3].id}"' in second
    assert f'href="/incentives/statements/{statement.id}?page=1"' in second
    # The CSV has every line, whatever the page size.
    rows = rows_of(client.get(f"/incentives/statements/{statement.id}.csv", buffered=True))
    assert len(rows) == 2 + 4
