"""Special price pages: the reseller asks on its quote's line, accepts a counter offer or
withdraws; the distributor's staff decide at /partners/special-prices and keep the rule
per tier at /partners/special-price-rules; vendor staff decide on the console. Nobody
else sees a request (404) or opens the staff pages (403/404)."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask_login import login_user
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment
from channelfront.quotes.models import QuoteStatus, SpecialPriceRule
from channelfront.theming.views import render
from tests.conftest import HostClient
from tests.mail_fixtures import Inbox
from tests.quotes.special_world import (
    FINANCE,
    PARTNER_MANAGER,
    VENDOR,
    ask,
    audit_count,
    decide,
    requests,
    tier_rule,
)
from tests.quotes.world import BUYER, Shop, make_quote

STD = ("SHD-STD-1Y", 2)


def signed_in(client_for, email: str, host: str = "northwind.localhost") -> HostClient:  # type: ignore[no-untyped-def]
    client = client_for(host)
    answer = client.login(email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def post(client: HostClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/catalog" if "/admin" not in path else "/admin/")
    return client.post(path, data={"csrf_token": token, **data})


def flashes(client: HostClient) -> list[str]:
    """The messages the next page shows (then they are gone)."""
    page = client.get("/catalog").get_data(as_text=True)
    return [
        html.unescape(m) for m in re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>', page)
    ]


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


# --- the reseller --------------------------------------------------------------------------


def test_the_reseller_asks_from_the_quote_and_is_sent_back_to_it(
    shop: Shop, client_for, inbox: Inbox
) -> None:
    quote = make_quote(shop, [STD])
    buyer = signed_in(client_for, BUYER)
    line_id = quote.lines[0].id
    answer = post(
        buyer,
        f"/quotes/{quote.number}/lines/{line_id}/special-price",
        {
            "unit_price": "",
            "discount_percent": "10",
            "justification": "Public tender",
            "deal_ref": "",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/quotes/{quote.number}#special-{line_id}")
    [row] = requests()
    assert (row.status, row.requested_unit_minor, row.requested_by) == (
        "pending",
        7560,
        shop.user(BUYER).id,
    )
    assert inbox.to(PARTNER_MANAGER)


@pytest.mark.parametrize(
    ("form", "field_label"),
    [
        ({"unit_price": "99.00", "justification": "x"}, "Unit price"),
        ({"unit_price": "-3", "justification": "x"}, "Unit price"),
        ({"unit_price": "abc", "justification": "x"}, "Unit price"),
        ({"unit_price": "70", "discount_percent": "5", "justification": "x"}, "Unit price"),
        ({"discount_percent": "150", "justification": "x"}, "Discount off your buy price"),
        ({"unit_price": "70", "justification": ""}, "Justification"),
    ],
)
def test_a_refused_request_is_flashed_naming_the_field_and_writes_nothing(
    shop: Shop, client_for, form: dict[str, str], field_label: str
) -> None:
    quote = make_quote(shop, [STD])
    buyer = signed_in(client_for, BUYER)
    before = audit_count()
    answer = post(buyer, f"/quotes/{quote.number}/lines/{quote.lines[0].id}/special-price", form)
    assert answer.status_code == 303
    [message] = flashes(buyer)
    assert message.startswith(f"{field_label}: ")
    assert requests() == []
    assert audit_count() == before


def test_the_reseller_accepts_a_counter_offer_and_withdraws_another(shop: Shop, client_for) -> None:
    quote = make_quote(shop, [STD, ("SHD-ENT-1Y", 1)])
    countered = ask(shop, quote, unit_price="70.00")
    decide(shop, countered, PARTNER_MANAGER, "counter", unit_price="79.00", comment="Meet us")
    waiting = ask(shop, quote, line=1, unit_price="100.00")
    buyer = signed_in(client_for, "approver@bluebird.example")
    accepted = post(buyer, f"/quotes/{quote.number}/special-prices/{countered.id}/accept", {})
    assert accepted.status_code == 303
    withdrawn = post(buyer, f"/quotes/{quote.number}/special-prices/{waiting.id}/withdraw", {})
    assert withdrawn.status_code == 303
    assert [(r.status, r.approved_unit_minor) for r in requests()] == [
        ("approved", 7900),
        ("withdrawn", None),
    ]
    again = post(buyer, f"/quotes/{quote.number}/special-prices/{waiting.id}/withdraw", {})
    assert again.status_code == 303
    assert flashes(buyer)[-1] == "This request is already decided."


def test_the_line_partial_shows_the_request_and_the_form(app: Flask, shop: Shop) -> None:
    quote = make_quote(shop, [STD, ("SHD-ENT-1Y", 1)])
    row = ask(shop, quote, unit_price="70.00")
    decide(shop, row, PARTNER_MANAGER, "counter", unit_price="79.00", comment="Meet us")
    login_user(shop.user(BUYER))
    first = render("quotes/partials/special_prices.html", quote=quote, line=quote.lines[0])
    assert f'data-request="{row.id}" data-status="countered"' in first
    assert "$79.00" in first
    assert "Meet us" in first
    assert f"/special-prices/{row.id}/accept" in first
    assert f"/lines/{quote.lines[0].id}/special-price" in first
    second = render("quotes/partials/special_prices.html", quote=quote, line=quote.lines[1])
    assert "data-request" not in second
    assert "Ask for a special price" in second
    listing = render("quotes/partials/special_price_requests.html", quote=quote)
    assert listing.count("data-request=") == 1


def test_the_request_form_is_gone_once_the_quote_is_accepted(shop: Shop) -> None:
    quote = make_quote(shop, [STD], status=QuoteStatus.ACCEPTED)
    login_user(shop.user(BUYER))
    html = render("quotes/partials/special_prices.html", quote=quote, line=quote.lines[0])
    assert "special-price-ask" not in html


@pytest.fixture
def rival(shop: Shop, client_for) -> HostClient:  # type: ignore[no-untyped-def]
    """The buyer of another reseller enrolled on northwind, signed in."""
    company = Company(name="Rival Resale", country="GB")
    db.session.add(company)
    db.session.flush()
    program_id = db.session.scalar(select(Enrollment.program_id))
    db.session.add(
        Enrollment(
            tenant_id=shop.tenant.id,
            company_id=company.id,
            program_id=program_id,
            credit_limit_minor=0,
        )
    )
    db.session.add(
        User(
            email="buyer@rival.example",
            name="Rory Rival",
            password_hash=hash_password(DEMO_PASSWORD),
            kind="reseller",
            role="buyer",
            company_id=company.id,
        )
    )
    db.session.commit()
    return signed_in(client_for, "buyer@rival.example")


def test_another_companys_or_tenants_quote_is_not_found(
    shop: Shop, client_for, rival: HostClient
) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    decide(shop, row, PARTNER_MANAGER, "counter", unit_price="79.00", comment=None)
    path = f"/quotes/{quote.number}/lines/{quote.lines[0].id}/special-price"
    form = {"unit_price": "60", "justification": "mine now"}
    assert post(rival, path, form).status_code == 404
    assert (
        post(rival, f"/quotes/{quote.number}/special-prices/{row.id}/accept", {}).status_code == 404
    )
    kirin = signed_in(client_for, "buyer@kirin.example", "sakura.localhost")
    assert post(kirin, path, form).status_code == 404
    # The right quote, another quote's line or request: not found either.
    own = make_quote(shop, [STD])
    buyer = signed_in(client_for, BUYER)
    assert (
        post(
            buyer, f"/quotes/{own.number}/lines/{quote.lines[0].id}/special-price", form
        ).status_code
        == 404
    )
    assert (
        post(buyer, f"/quotes/{own.number}/special-prices/{row.id}/accept", {}).status_code == 404
    )
    assert [r.status for r in requests()] == ["countered"]


# --- the distributor's staff --------------------------------------------------------------


def test_a_partner_manager_decides_from_the_queue(shop: Shop, client_for, inbox: Inbox) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00", justification="Tender for the city")
    manager = signed_in(client_for, PARTNER_MANAGER)
    listing = manager.get("/partners/special-prices")
    assert listing.status_code == 200
    page = text(listing)
    for shown in (
        quote.number,
        "Bluebird IT",
        "Acme Labs",
        "$84.00",
        "$70.00",
        "16.67",
        "$140.00",
        "Tender for the city",
        "Waits for a partner manager",
    ):
        assert shown in page, shown
    assert manager.get("/partners/special-prices?status=approved").status_code == 200
    assert f'data-request="{row.id}"' not in text(
        manager.get("/partners/special-prices?status=approved")
    )

    detail = manager.get(f"/partners/special-prices/{row.id}")
    assert detail.status_code == 200
    assert 'name="decision" value="counter"' in text(detail)

    refused = post(
        manager,
        f"/partners/special-prices/{row.id}/decision",
        {"decision": "decline", "comment": ""},
    )
    assert refused.status_code == 422
    assert "Comment: Say why the price is declined." in text(refused)
    assert requests()[0].status == "pending"

    done = post(
        manager,
        f"/partners/special-prices/{row.id}/decision",
        {"decision": "approve", "unit_price": "72.00", "comment": "Go"},
    )
    assert done.status_code == 303
    assert (requests()[0].status, requests()[0].approved_unit_minor) == ("approved", 7200)
    assert "$72.00" in inbox.to(BUYER)[-1].get_content()
    second = post(
        manager,
        f"/partners/special-prices/{row.id}/decision",
        {"decision": "decline", "comment": "No"},
    )
    assert second.status_code == 409
    assert "already decided" in text(second)


def test_finance_reads_the_request_but_may_not_decide(shop: Shop, client_for) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    finance = signed_in(client_for, FINANCE)
    page = finance.get(f"/partners/special-prices/{row.id}")
    assert page.status_code == 200
    assert 'name="decision"' not in text(page)
    assert "waits for a partner manager or a distributor administrator" in text(page)
    answer = post(finance, f"/partners/special-prices/{row.id}/decision", {"decision": "approve"})
    assert answer.status_code == 403
    assert requests()[0].status == "pending"


def test_resellers_cannot_open_the_staff_pages(shop: Shop, client_for) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    buyer = signed_in(client_for, BUYER)
    for path in (
        "/partners/special-prices",
        f"/partners/special-prices/{row.id}",
        "/partners/special-price-rules",
    ):
        assert buyer.get(path).status_code == 403, path
    assert (
        post(
            buyer, f"/partners/special-prices/{row.id}/decision", {"decision": "approve"}
        ).status_code
        == 403
    )
    assert buyer.get("/admin/special-prices").status_code == 404
    assert requests()[0].status == "pending"


def test_another_tenants_partner_manager_neither_sees_nor_decides(shop: Shop, client_for) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    alpen = signed_in(client_for, "admin@alpenhandel.example", "alpenhandel.localhost")
    assert quote.number not in text(alpen.get("/partners/special-prices"))
    assert alpen.get(f"/partners/special-prices/{row.id}").status_code == 404
    answer = post(alpen, f"/partners/special-prices/{row.id}/decision", {"decision": "approve"})
    assert answer.status_code == 404
    assert requests()[0].status == "pending"


# --- the vendor console -------------------------------------------------------------------


def test_vendor_staff_decide_on_the_console(shop: Shop, client_for, inbox: Inbox) -> None:
    tier_rule(shop, vendor="10")
    quote = make_quote(shop, [STD, ("SHD-ENT-1Y", 1)])
    big = ask(shop, quote, unit_price="60.00")
    small = ask(shop, quote, line=1, unit_price="125.00")
    assert (big.needs_vendor, small.needs_vendor) == (True, False)
    vendor = signed_in(client_for, VENDOR, "admin.localhost")
    listing = text(vendor.get("/admin/special-prices"))
    assert f'data-request="{big.id}"' in listing
    assert f'data-request="{small.id}"' not in listing
    assert "Northwind" in listing
    assert vendor.get(f"/admin/special-prices/{small.id}").status_code == 404
    early = vendor.get(f"/admin/special-prices/{big.id}")
    assert early.status_code == 200
    assert "waits for a partner manager" in text(early)

    decide(shop, big, PARTNER_MANAGER, "approve")
    assert 'name="decision" value="approve"' in text(vendor.get(f"/admin/special-prices/{big.id}"))
    done = post(
        vendor, f"/admin/special-prices/{big.id}/decision", {"decision": "approve", "comment": "OK"}
    )
    assert done.status_code == 303
    assert requests()[0].status == "approved"
    assert inbox.to(BUYER)
    manager = signed_in(client_for, PARTNER_MANAGER)
    assert manager.get("/admin/special-prices").status_code == 404


# --- the rules ----------------------------------------------------------------------------


def test_a_partner_manager_keeps_the_rule_of_a_tier(shop: Shop, client_for) -> None:
    manager = signed_in(client_for, PARTNER_MANAGER)
    page = manager.get("/partners/special-price-rules")
    assert page.status_code == 200
    program_id = int(re.search(r'data-program="(\d+)"', text(page)).group(1))
    before = audit_count()
    bad = post(
        manager,
        f"/partners/special-price-rules/{program_id}",
        {
            "auto_max_discount_percent": "12",
            "auto_max_line_total": "1000",
            "vendor_above_discount_percent": "5",
        },
    )
    assert bad.status_code == 422
    assert "The vendor&#39;s threshold cannot be below the auto-approval discount." in text(bad)
    assert 'aria-invalid="true"' in text(bad)
    assert db.session.scalars(select(SpecialPriceRule)).all() == []
    assert audit_count() == before
    for form, field in (
        ({"auto_max_discount_percent": "abc"}, "auto_max_discount_percent"),
        ({"auto_max_line_total": "-5"}, "auto_max_line_total"),
        ({"vendor_above_line_total": "1.001"}, "vendor_above_line_total"),
    ):
        answer = post(manager, f"/partners/special-price-rules/{program_id}", form)
        assert answer.status_code == 422, field
        assert f'id="rule-{program_id}-{field}-error"' in text(answer)

    saved = post(
        manager,
        f"/partners/special-price-rules/{program_id}",
        {
            "auto_max_discount_percent": "7.5",
            "auto_max_line_total": "1500.00",
            "vendor_above_discount_percent": "",
            "vendor_above_line_total": "10000",
        },
    )
    assert saved.status_code == 303
    db.session.expire_all()
    [rule] = db.session.scalars(select(SpecialPriceRule)).all()
    assert (
        rule.auto_max_discount_bps,
        rule.auto_max_line_minor,
        rule.vendor_above_discount_bps,
        rule.vendor_above_line_minor,
    ) == (750, 150000, None, 1000000)
    assert audit_count() == before + 1
    again = text(manager.get("/partners/special-price-rules"))
    assert 'value="7.5"' in again
    assert 'value="1500.00"' in again


def test_finance_reads_the_rules_but_may_not_change_them(shop: Shop, client_for) -> None:
    finance = signed_in(client_for, FINANCE)
    page = finance.get("/partners/special-price-rules")
    assert page.status_code == 200
    assert "disabled" in text(page)
    program_id = int(re.search(r'data-program="(\d+)"', text(page)).group(1))
    answer = post(
        finance, f"/partners/special-price-rules/{program_id}", {"auto_max_discount_percent": "50"}
    )
    assert answer.status_code == 403
    assert db.session.scalars(select(SpecialPriceRule)).all() == []


def test_the_pages_fit_a_phone(shop: Shop, client_for) -> None:
    """The queue's table stacks and scrolls: it sits in the scrolling wrapper."""
    quote = make_quote(shop, [STD])
    ask(shop, quote, unit_price="70.00")
    manager = signed_in(client_for, PARTNER_MANAGER)
    page = text(manager.get("/partners/special-prices"))
    assert '<div class="table-scroll">' in page
    assert "@media (max-width: 40rem)" in page


def test_the_quote_page_shows_each_lines_special_price(shop: Shop, client_for) -> None:
    quote = make_quote(shop, [STD])
    row = ask(shop, quote, unit_price="70.00")
    buyer = signed_in(client_for, BUYER)
    page = buyer.get(f"/quotes/{quote.number}")
    assert page.status_code == 200
    assert f'id="special-{quote.lines[0].id}"' in text(page)
    assert f'data-request="{row.id}" data-status="pending"' in text(page)
    assert 'id="special-prices"' in text(page)
