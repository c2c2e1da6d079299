"""The quote list: newest first, filters by status and date, search by number, end
customer and SKU, pages, bad filters named, and a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import event, update

from channelfront.extensions import db
from channelfront.quotes.models import Quote, QuoteStatus
from tests.quotes.pages_world import NUMBER
from tests.quotes.world import Shop, customer, make_quote

_HARNESS = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/quotes{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return NUMBER.findall(response.get_data(as_text=True))


def made_on(quote: Quote, when: datetime) -> None:
    db.session.execute(update(Quote).where(Quote.id == quote.id).values(created_at=when))
    db.session.commit()


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if not _HARNESS.match(statement):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_newest_first_with_customer_status_total_and_validity(shop: Shop, bluebird_buyer) -> None:
    older = make_quote(shop)
    newer = make_quote(shop, new_customer=customer("Zenith Co", "buy@zenith.example"))
    made_on(older, datetime.now(UTC) - timedelta(days=3))
    assert listed(bluebird_buyer) == [newer.number, older.number]
    page = bluebird_buyer.get("/quotes").get_data(as_text=True)
    row = page.split(f'data-quote="{newer.number}"')[1].split("</tr>")[0]
    assert "Zenith Co" in row
    assert "buy@zenith.example" in row
    assert ">Draft<" in row
    assert newer.valid_until.isoformat() in row
    assert 'class="amount resale-total"' in row


def test_filters_and_search(shop: Shop, bluebird_buyer) -> None:
    acme = make_quote(shop, [("SHD-STD-1Y", 1)], status=QuoteStatus.SENT)
    zenith = make_quote(
        shop, [("INS-PERP", 2)], new_customer=customer("Zenith Co", "buy@zenith.example")
    )
    made_on(acme, datetime(2026, 1, 10, 12, tzinfo=UTC))
    made_on(zenith, datetime(2026, 2, 10, 12, tzinfo=UTC))
    assert listed(bluebird_buyer, "?status=sent") == [acme.number]
    assert listed(bluebird_buyer, "?status=draft") == [zenith.number]
    assert listed(bluebird_buyer, "?status=paid") == []
    assert listed(bluebird_buyer, "?q=zenith") == [zenith.number]
    assert listed(bluebird_buyer, "?q=it@acme") == [acme.number]
    assert listed(bluebird_buyer, "?q=ins-perp") == [zenith.number]
    assert listed(bluebird_buyer, f"?q={acme.number.lower()}") == [acme.number]
    assert listed(bluebird_buyer, "?from=2026-02-01") == [zenith.number]
    assert listed(bluebird_buyer, "?to=2026-01-10") == [acme.number]
    assert listed(bluebird_buyer, "?from=2026-01-10&to=2026-02-10") == [zenith.number, acme.number]
    assert listed(bluebird_buyer, "?q=100%25") == []
    page = bluebird_buyer.get("/quotes?status=sent").get_data(as_text=True)
    assert '<option value="sent" selected>Sent</option>' in page


def test_bad_filters_are_named(bluebird_buyer) -> None:
    for query, field in (
        ("?status=bogus", "status"),
        ("?from=yesterday", "from"),
        ("?from=2026-02-01&to=2026-01-01", "to"),
        ("?page=0", "page"),
        ("?q=" + "x" * 101, "q"),
    ):
        response = bluebird_buyer.get(f"/quotes{query}")
        assert response.status_code == 400, query
        assert f'data-field="{field}"' in response.get_data(as_text=True)


def test_pages(app: Flask, shop: Shop, bluebird_buyer) -> None:
    app.config["QUOTE_LIST_PAGE_SIZE"] = 2
    try:
        numbers = [make_quote(shop).number for _ in range(3)]
        assert listed(bluebird_buyer) == numbers[::-1][:2]
        assert listed(bluebird_buyer, "?page=2") == numbers[:1]
        assert listed(bluebird_buyer, "?page=9") == numbers[:1]
    finally:
        app.config.pop("QUOTE_LIST_PAGE_SIZE")


def test_the_list_runs_a_fixed_number_of_queries(app: Flask, shop: Shop, bluebird_buyer) -> None:
    for n in range(3):
        make_quote(shop, new_customer=customer(f"Customer {n}", f"c{n}@x.example"))
    bluebird_buyer.get("/quotes")
    with recorded_statements(app) as few:
        assert len(listed(bluebird_buyer)) == 3
    for n in range(3, 30):
        make_quote(shop, new_customer=customer(f"Customer {n}", f"c{n}@x.example"))
    with recorded_statements(app) as many:
        assert len(listed(bluebird_buyer)) == 25
    assert len(many) == len(few), "\n".join(s.split("\n")[0][:120] for s in many)
    assert len(many) <= 12
