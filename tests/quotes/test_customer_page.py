"""The end customer's quote: the mail with its link, the page without an account, and the
answers given there (accept for an invoice, decline). Never a buy price or a margin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.quotes import links, sending, services
from channelfront.quotes.models import QuoteEvent, QuoteStatus
from channelfront.tenancy.models import Tenant
from tests.quotes.customer_support import (
    RESELLER_WORDS,
    fresh,
    hidden,
    money,
    post,
    send_quote,
)
from tests.quotes.world import BUYER, Shop, make_quote

CUSTOMER_MAIL = "it@acme.example"


@pytest.fixture
def browser(client_for):  # type: ignore[no-untyped-def]
    """The end customer's browser on the distributor's storefront: nobody signed in."""
    return client_for("northwind.localhost")


def kinds(quote) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(QuoteEvent.kind).where(QuoteEvent.quote_id == quote.id).order_by(QuoteEvent.id)
        )
    )


def secrets_of(quote) -> list[str]:  # type: ignore[no-untyped-def]
    """Every buy and margin amount of the quote, as the page would print it."""
    amounts = set()
    for line in quote.lines:
        amounts |= {line.buy_unit_minor, line.buy_total_minor, line.margin_minor}
        amounts.add(line.resale_unit_minor - line.buy_unit_minor)
    amounts.add(sum(line.buy_total_minor for line in quote.lines))
    amounts.add(sum(line.margin_minor for line in quote.lines))
    return [money(amount, quote.currency) for amount in amounts]


def test_sending_mails_the_link_with_resale_prices_and_nothing_of_the_reseller(
    shop: Shop, browser, inbox
) -> None:
    quote, path = send_quote(
        shop,
        [("SHD-STD-1Y", 2), ("SHD-ENT-1Y", 1)],
        pricing_mode="markup",
        pricing_percent="25",
        note="Prices include onboarding.",
        terms="Payable within 14 days.",
    )
    quote = fresh(quote)
    assert quote.status == QuoteStatus.SENT
    assert quote.sent_at is not None
    [mail] = inbox.to(CUSTOMER_MAIL)
    assert mail["Subject"] == f"Quote {quote.number} from Bluebird IT"
    body = mail.get_content()
    assert f"http://northwind.localhost{path}" in body
    assert "Hello Casey Customer," in body
    for line in quote.lines:
        assert line.name in body
        assert money(line.resale_total_minor, "USD") in body
    assert f"Total: {money(quote.resale_total_minor, 'USD')}" in body
    assert "Prices include onboarding." in body
    assert "Payable within 14 days." in body
    program = shop.terms().enrollment.program.name
    response = browser.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Quote from Bluebird IT" in page
    assert money(quote.resale_total_minor, "USD") in page
    assert "Prices include onboarding." in page
    for text in (body, page):
        for secret in secrets_of(quote):
            assert secret not in text, secret
        for word in (*RESELLER_WORDS, program):
            assert word not in text, word
    # Only resale fields reach the customer's templates: list prices neither.
    for line in quote.lines:
        assert money(line.list_unit_minor, "USD") not in page


def test_the_page_is_private_and_has_no_site_navigation(shop: Shop, browser) -> None:
    _quote, path = send_quote(shop)
    response = browser.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    assert 'class="site-nav"' not in page
    assert "Sign in" not in page
    assert 'name="viewport"' in page


def test_opening_marks_the_quote_viewed_once_and_tells_the_buyer(
    shop: Shop, browser, inbox
) -> None:
    quote, path = send_quote(shop)
    assert browser.get(path).status_code == 200
    assert browser.get(path).status_code == 200
    assert fresh(quote).status == QuoteStatus.VIEWED
    assert kinds(quote).count("viewed") == 1
    [mail] = inbox.to(BUYER)
    assert mail["Subject"] == f"Acme Labs opened quote {quote.number}"
    assert f"/quotes/{quote.number}" in mail.get_content()


def test_sending_again_mails_the_same_link(shop: Shop, browser, inbox) -> None:
    quote, path = send_quote(shop)
    browser.get(path)
    url = sending.send(fresh(quote), shop.user(BUYER))
    from channelfront.outbox.services import commit_and_dispatch

    commit_and_dispatch()
    assert url.endswith(path)
    assert fresh(quote).status == QuoteStatus.VIEWED
    assert kinds(quote)[-1] == "resent"
    assert len(inbox.to(CUSTOMER_MAIL)) == 2


@pytest.mark.parametrize(
    ("setup", "field"),
    [
        ("accepted", "quote"),
        ("expired", "valid_until"),
        ("other_company", "quote"),
    ],
)
def test_what_cannot_be_sent_is_refused_by_name(shop: Shop, setup: str, field: str) -> None:
    status = QuoteStatus.ACCEPTED if setup == "accepted" else QuoteStatus.DRAFT
    quote = make_quote(shop, status=status)
    actor = shop.user(BUYER)
    if setup == "expired":
        quote.valid_until = services.today() - timedelta(days=1)
    if setup == "other_company":
        actor = shop.user("partners@northwind.example")
    with pytest.raises(OrderInputError) as refused:
        sending.send(quote, actor)
    assert refused.value.field == field
    db.session.rollback()


def test_a_quote_without_lines_cannot_be_sent(shop: Shop) -> None:
    quote = make_quote(shop)
    quote.lines = []
    with pytest.raises(OrderInputError) as refused:
        sending.send(quote, shop.user(BUYER))
    assert refused.value.field == "lines"
    db.session.rollback()


def test_accepting_for_an_invoice_tells_the_buyer_to_order(shop: Shop, browser, inbox) -> None:
    quote, path = send_quote(shop)
    response = post(browser, path, "accept")
    assert response.status_code == 303
    quote = fresh(quote)
    assert (quote.status, quote.accepted_as) == (QuoteStatus.ACCEPTED, "invoice")
    page = browser.get(path).get_data(as_text=True)
    assert "Bluebird IT will send you an invoice." in page
    assert 'action="' + f"{path}/pay" not in page
    subjects = [m["Subject"] for m in inbox.to(BUYER)]
    assert f"Acme Labs accepted quote {quote.number}: please order it" in subjects
    # Accepting again, or paying now, changes nothing.
    assert post(browser, path, "accept").status_code == 200
    assert post(browser, path, "decline", reason="late").status_code == 200
    assert fresh(quote).status == QuoteStatus.ACCEPTED


def test_declining_needs_a_reason_and_tells_the_buyer(shop: Shop, browser, inbox) -> None:
    quote, path = send_quote(shop)
    response = post(browser, path, "decline", reason="   ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-field="reason"' in page
    assert "Tell the reseller why you decline the quote." in page
    assert fresh(quote).status == QuoteStatus.VIEWED
    response = post(browser, path, "decline", reason="We chose another vendor.")
    assert response.status_code == 303
    quote = fresh(quote)
    assert quote.status == QuoteStatus.DECLINED
    assert quote.decline_reason == "We chose another vendor."
    page = browser.get(path).get_data(as_text=True)
    assert "You declined this quote." in page
    [mail] = [m for m in inbox.to(BUYER) if "declined" in m["Subject"]]
    assert mail["Subject"] == f"Acme Labs declined quote {quote.number}"
    assert "We chose another vendor." in mail.get_content()


def test_a_revised_quotes_old_link_says_it_was_updated(shop: Shop, browser, localstripe) -> None:
    from channelfront.quotes.services import QuoteInput, QuoteLineInput

    quote, path = send_quote(shop)
    old = browser.get(path).get_data(as_text=True)
    data = QuoteInput(lines=[QuoteLineInput("SHD-STD-1Y", 3)], customer_id=quote.customer_id)
    services.revise(fresh(quote), shop.tenant, shop.user(BUYER), shop.terms(), data)
    db.session.commit()
    response = browser.get(path)
    assert response.status_code == 410
    assert "This quote was updated after this link was sent." in response.get_data(as_text=True)
    assert "Bluebird IT" in response.get_data(as_text=True)
    from tests.quotes.customer_support import CARD

    response = browser.post(f"{path}/pay", data={**hidden(old), **CARD})
    assert response.status_code == 410
    assert localstripe.count("payment_intents") == 0
    # Sent again, the new revision has its own link, and that one works.
    url = sending.send(fresh(quote), shop.user(BUYER))
    db.session.commit()
    assert url.split("/q/")[1] != path.split("/q/")[1]
    assert browser.get(url.split("localhost", 1)[1]).status_code == 200


def test_an_expired_quote_says_so_and_is_marked_expired(shop: Shop, browser) -> None:
    quote, path = send_quote(shop)
    quote = fresh(quote)
    quote.valid_until = services.today() - timedelta(days=1)
    db.session.commit()
    response = browser.get(path)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This quote expired on" in page
    assert 'name="reason"' not in page
    assert fresh(quote).status == QuoteStatus.EXPIRED
    assert post(browser, path, "accept").status_code == 410
    assert fresh(quote).status == QuoteStatus.EXPIRED


def test_a_withdrawn_quote_refuses_every_answer(shop: Shop, browser, localstripe) -> None:
    quote, path = send_quote(shop)
    page = browser.get(path).get_data(as_text=True)
    services.withdraw(fresh(quote), shop.user(BUYER))
    db.session.commit()
    response = browser.get(path)
    assert response.status_code == 410
    assert "Bluebird IT has withdrawn this quote." in response.get_data(as_text=True)
    from tests.quotes.customer_support import CARD

    assert browser.post(f"{path}/pay", data={**hidden(page), **CARD}).status_code == 410
    assert post(browser, path, "accept").status_code == 410
    assert localstripe.count("payment_intents") == 0
    assert fresh(quote).status == QuoteStatus.WITHDRAWN


def test_a_tampered_foreign_or_unknown_link_is_not_found(shop: Shop, browser, client_for) -> None:
    quote, path = send_quote(shop)
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert browser.get(f"/q/{tampered}").status_code == 404
    assert browser.get("/q/x").status_code == 404
    assert browser.get("/q/" + "a" * 400).status_code == 404
    # The genuine link on another distributor's host.
    assert client_for("alpenhandel.localhost").get(path).status_code == 404
    assert client_for("admin.localhost").get(path).status_code == 404
    # A genuine token naming another tenant, a quote that does not exist, or a
    # revision never made.
    alpen = db.session.scalar(select(Tenant.id).where(Tenant.slug == "alpenhandel"))
    foreign = links.make_token(alpen, quote.id, quote.revision)
    unknown = links.make_token(shop.tenant.id, 999_999, 1)
    future = links.make_token(shop.tenant.id, quote.id, quote.revision + 1)
    for other in (foreign, unknown, future):
        assert browser.get(f"/q/{other}").status_code == 404
    # A draft never sent has no working link.
    draft = make_quote(shop)
    never_sent = links.make_token(shop.tenant.id, draft.id, draft.revision)
    assert browser.get(f"/q/{never_sent}").status_code == 404
    assert fresh(quote).status == QuoteStatus.SENT


def test_another_tenants_quote_is_not_found_on_this_host(shop_at, client_for) -> None:
    alpen = shop_at("alpenhandel.localhost")
    _quote, path = send_quote(alpen)
    assert client_for("alpenhandel.localhost").get(path).status_code == 200
    assert client_for("northwind.localhost").get(path).status_code == 404


def test_the_page_speaks_the_quotes_language(shop: Shop, browser, inbox, translated) -> None:
    quote, path = send_quote(shop, language="es")
    page = browser.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="es"' in page
    heading = translated("es", "Quote from %(company)s", company="Bluebird IT")
    decline = translated("es", "Decline")
    assert decline != "Decline" or heading != "Quote from Bluebird IT"
    assert heading in page
    assert decline in page
    [mail] = inbox.to(CUSTOMER_MAIL)
    assert mail["Subject"] == translated(
        "es", "Quote %(number)s from %(company)s", number=quote.number, company="Bluebird IT"
    )
    assert re.search(r"\d", page)


def test_the_page_runs_few_queries(app, shop: Shop, browser) -> None:
    from tests.perf.test_query_count import recorded_statements

    _quote, path = send_quote(shop, [("SHD-STD-1Y", 2), ("SHD-ENT-1Y", 1), ("SHD-PERP", 5)])
    browser.get(path)  # marks it viewed; warms the caches
    browser.get(path)
    with recorded_statements(app) as statements:
        assert browser.get(path).status_code == 200
    # The quote with its customer, its lines, the reseller's name (3 today).
    assert len(statements) <= 4, statements
