"""The reseller's commissions page: statements, renewal commissions, credit notes, orders."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.orders.checkout import submit
from tests.orders.conftest import checkout_request
from tests.orders.test_history import other_company
from tests.statements.pages_support import (
    RESELLER_QUARTERLY,
    close,
    current_quarter,
    line,
    program,
    quarter,
    signed_in,
)
from tests.statements.test_pages_distributor import rows_of, section, text


def company_id(name: str) -> int:
    return db.session.scalar(select(Company.id).where(Company.name == name))


def available(html: str) -> Decimal:
    found = re.search(r"Available for your next purchases: \$([\d,.]+)", html)
    return Decimal(found.group(1).replace(",", "")) if found else Decimal(0)


def test_a_buyer_sees_commissions_renewal_commissions_and_credit_notes(ctx, bluebird_buyer):
    me = f"company-{company_id('Bluebird IT')}"
    before = available(bluebird_buyer.get("/commissions").get_data(as_text=True))
    res = program("northwind", "u-res", RESELLER_QUARTERLY, audience="reseller")
    q1, q2 = quarter(2025, 1), quarter(2025, 2)
    line(res, me, q1, 40_00, rule="sell")
    line(res, me, q1, 60_00, rule="renew")
    first = close(res, me, q1, 100_00, note="CN-NW-7001", remaining_minor=35_50)
    line(res, me, q2, 12_00, rule="renew")
    second = close(res, me, q2, 12_00, note="CN-NW-7002")
    now = current_quarter()
    renewal = line(res, me, now, 3_00, rule="renew")
    sale = line(res, me, now, 8_00, rule="sell")
    line(res, "company-999", now, 77_00, rule="renew")
    db.session.commit()

    response = bluebird_buyer.get("/commissions?program=u-res")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<a href="/commissions">Commissions</a>' in html
    assert available(html) - before == Decimal("47.50")  # 35.50 + 12.00 left on ours
    note = text(section(html, "credit-note-row", **{"credit-note": "CN-NW-7001"}))
    assert "$100.00" in note
    assert "$35.50" in note
    assert "1st quarter 2025" in note
    raw = section(html, "statement", statement=str(first.id))
    assert text(section(raw, "amount renewal-commissions")) == "$60.00"
    row = text(raw)
    assert "$100.00" in row
    assert "Paid as credit note" in row
    assert "CN-NW-7001" in row
    assert f'href="/commissions/statements/{second.id}"' in html
    block = section(html, "open-statement", program="u-res", period=now.key)
    assert "$11.00" in text(section(block, "lines-total"))
    assert "$77.00" not in html
    renewal_row = section(block, "statement-line renewal", line=str(renewal.id))
    assert "Renewal commission" in text(renewal_row)
    assert "Sales commission" in text(section(block, "statement-line", line=str(sale.id)))

    detail = bluebird_buyer.get(f"/commissions/statements/{first.id}").get_data(as_text=True)
    assert "of which renewal commissions" in detail
    assert "$60.00" in text(section(detail, "renewal-commissions"))
    assert "Back to commissions" in detail
    rows = rows_of(bluebird_buyer.get(f"/commissions/statements/{first.id}.csv", buffered=True))
    assert [row[4] for row in rows[2:]] == ["percent_commission", "renewal_commission"]


def test_order_links_lead_to_the_companys_own_orders_only(northwind_shop, bluebird_buyer):
    shop = northwind_shop
    mine, _c = submit(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())
    otter = other_company(shop)
    theirs, _c = submit(shop.tenant, otter.buyer, otter.terms, "en", checkout_request())
    me = f"company-{shop.buyer.company_id}"
    res = program("northwind", "u-res", RESELLER_QUARTERLY, audience="reseller")
    q1 = quarter(2025, 1)
    own = line(res, me, q1, 10_00, rule="sell", order_id=mine.id)
    foreign = line(res, me, q1, 5_00, rule="renew", order_id=theirs.id)
    statement = close(res, me, q1, 15_00, disposition="carried_forward")
    db.session.commit()

    html = bluebird_buyer.get(f"/commissions/statements/{statement.id}").get_data(as_text=True)
    own_row = section(html, "statement-line", line=str(own.id))
    assert f'<a class="order-link" href="/orders/{mine.number}">{mine.number}</a>' in own_row
    assert theirs.number not in html
    assert "—" in section(html, "statement-line renewal", line=str(foreign.id))
    rows = rows_of(bluebird_buyer.get(f"/commissions/statements/{statement.id}.csv", buffered=True))
    assert [row[8] for row in rows[2:]] == [mine.number, ""]


def test_a_japanese_reseller_reads_periods_and_yen_in_japanese(ctx, client_for):
    me = f"company-{company_id('Kirin Systems')}"
    res = program("sakura", "u-kirin", RESELLER_QUARTERLY, audience="reseller", currency="JPY")
    line(res, me, quarter(2025, 1), 12_345, rule="renew")
    statement = close(res, me, quarter(2025, 1), 12_345, note="CN-SK-1")
    db.session.commit()

    client = signed_in(client_for("sakura.localhost"), "buyer@kirin.example")
    html = client.get("/commissions?program=u-kirin").get_data(as_text=True)
    row = text(section(html, "statement", statement=str(statement.id)))
    assert "2025年第1四半期" in row
    assert "￥12,345" in row
    detail = client.get(f"/commissions/statements/{statement.id}").get_data(as_text=True)
    assert "更新コミッション" in detail
    rows = rows_of(client.get(f"/commissions/statements/{statement.id}.csv", buffered=True))
    assert rows[2][9:] == ["12345", "JPY"]
