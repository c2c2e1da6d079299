"""Quotes past their validity expire and the buyer is reminded 7 days and 1 day before a
sent quote expires, once each, on a day each test chooses (``expire_and_remind(today)``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.outbox.models import OutboxMessage
from channelfront.outbox.services import dispatch
from channelfront.quotes import expiry_mail, services
from channelfront.quotes.expiry import Outcome, expire_and_remind
from channelfront.quotes.models import PaymentState, Quote, QuoteEvent, QuotePayment, QuoteStatus
from channelfront.tenancy.scoping import tenant_scope
from tests.quotes.world import BUYER, Shop, make_quote

VALID_DAYS = 20


def valid_until() -> date:
    return services.today() + timedelta(days=VALID_DAYS)


def sent(shop: Shop, status: QuoteStatus = QuoteStatus.SENT, **fields: object) -> Quote:
    fields.setdefault("valid_until", valid_until())
    return make_quote(shop, status=status, **fields)


def fresh(quote: Quote) -> Quote:
    db.session.expire_all()
    row = db.session.get(Quote, quote.id)
    assert row is not None
    return row


def kinds(quote: Quote) -> list[str]:
    return list(
        db.session.scalars(
            select(QuoteEvent.kind).where(QuoteEvent.quote_id == quote.id).order_by(QuoteEvent.id)
        )
    )


def reminders(inbox, quote: Quote) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m["Subject"]) for m in inbox.to(BUYER) if quote.number in str(m["Subject"])]


def test_the_buyer_is_reminded_seven_days_and_one_day_before_once_each(shop: Shop, inbox) -> None:
    quote = sent(shop)
    end = quote.valid_until
    long_date = f"{end:%B} {end.day}, {end.year}"

    assert expire_and_remind(end - timedelta(days=8)) == Outcome()
    assert expire_and_remind(end - timedelta(days=7)).reminded == 1
    assert fresh(quote).reminded_days == 7
    [mail] = inbox.to(BUYER)
    assert mail["Subject"] == f"Quote {quote.number} expires on {long_date}"
    body = mail.get_content()
    assert f"expires in 7 days, on {long_date}" in body
    assert "Acme Labs" in body
    assert f"/quotes/{quote.number}" in body
    assert "has not opened the quote yet" in body

    # The same day again, and the day after (inside the 7-day reminder's grace): nothing.
    assert expire_and_remind(end - timedelta(days=7)) == Outcome()
    assert expire_and_remind(end - timedelta(days=6)) == Outcome()
    assert expire_and_remind(end - timedelta(days=2)) == Outcome()

    assert expire_and_remind(end - timedelta(days=1)).reminded == 1
    assert fresh(quote).reminded_days == 1
    assert len(reminders(inbox, quote)) == 2
    assert "expires in 1 day, on" in inbox.to(BUYER)[-1].get_content()

    # Its last valid day and after: no third reminder.
    assert expire_and_remind(end) == Outcome()
    assert len(reminders(inbox, quote)) == 2
    assert kinds(quote).count("reminded") == 2
    assert fresh(quote).status == QuoteStatus.SENT


def test_a_quote_found_at_three_days_left_gets_only_the_one_day_reminder(shop: Shop, inbox) -> None:
    quote = sent(shop, QuoteStatus.VIEWED)
    end = quote.valid_until
    assert expire_and_remind(end - timedelta(days=3)) == Outcome()
    assert fresh(quote).reminded_days is None
    assert expire_and_remind(end - timedelta(days=1)).reminded == 1
    assert fresh(quote).reminded_days == 1
    assert len(reminders(inbox, quote)) == 1
    assert "has opened the quote but not accepted it yet" in inbox.to(BUYER)[-1].get_content()


def test_a_reminder_missed_on_its_day_goes_out_the_day_after_and_counts_the_days_left(
    shop: Shop, inbox
) -> None:
    quote = sent(shop)
    end = quote.valid_until
    assert expire_and_remind(end - timedelta(days=6)).reminded == 1
    assert fresh(quote).reminded_days == 7
    assert "expires in 6 days" in inbox.to(BUYER)[-1].get_content()
    # The 1-day reminder missed on its day goes out on the last valid day.
    assert expire_and_remind(end).reminded == 1
    assert "expires at the end of today" in inbox.to(BUYER)[-1].get_content()
    assert len(reminders(inbox, quote)) == 2


def test_a_quote_sent_inside_a_reminder_period_skips_that_reminder(shop: Shop, inbox) -> None:
    quote = sent(shop)
    end = quote.valid_until
    quote.sent_at = datetime.combine(end - timedelta(days=5), time(9), tzinfo=UTC)
    db.session.commit()
    assert expire_and_remind(end - timedelta(days=5)) == Outcome()
    assert expire_and_remind(end - timedelta(days=1)).reminded == 1
    assert fresh(quote).reminded_days == 1
    assert len(reminders(inbox, quote)) == 1


def test_drafts_and_accepted_quotes_get_no_reminder(shop: Shop, inbox) -> None:
    draft = sent(shop, QuoteStatus.DRAFT)
    accepted = sent(shop, QuoteStatus.ACCEPTED)
    assert expire_and_remind(valid_until() - timedelta(days=7)) == Outcome()
    assert expire_and_remind(valid_until() - timedelta(days=1)) == Outcome()
    assert reminders(inbox, draft) == reminders(inbox, accepted) == []


def test_a_reminder_queued_for_a_revision_that_was_replaced_is_not_sent(shop: Shop, inbox) -> None:
    quote = sent(shop)
    # Written with the mark, not yet delivered; then the quote is revised.
    message = expiry_mail.remind_later(quote, 7, 7)
    db.session.commit()
    quote.revision += 1
    quote.status = QuoteStatus.DRAFT.value
    db.session.commit()
    dispatch([message.id])
    assert reminders(inbox, quote) == []
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).done_at is not None


def test_quotes_past_their_validity_expire_and_a_second_run_changes_nothing(shop: Shop) -> None:
    statuses = (
        QuoteStatus.DRAFT,
        QuoteStatus.SENT,
        QuoteStatus.VIEWED,
        QuoteStatus.ACCEPTED,
        QuoteStatus.DECLINED,
    )
    quotes = {status: sent(shop, status) for status in statuses}
    end = valid_until()

    expire_and_remind(end)  # valid through its last day
    assert {fresh(q).status for q in quotes.values()} == {s.value for s in statuses}

    outcome = expire_and_remind(end + timedelta(days=1))
    assert outcome.expired >= 3
    after = {status: fresh(quote).status for status, quote in quotes.items()}
    assert after == {
        QuoteStatus.DRAFT: "draft",
        QuoteStatus.SENT: "expired",
        QuoteStatus.VIEWED: "expired",
        QuoteStatus.ACCEPTED: "expired",
        QuoteStatus.DECLINED: "declined",
    }
    expired = fresh(quotes[QuoteStatus.SENT])
    assert kinds(expired)[-1] == "expired"
    assert expired.events[-1].data == {"valid_until": end.isoformat()}

    assert expire_and_remind(end + timedelta(days=1)) == Outcome()
    assert expire_and_remind(end + timedelta(days=30)) == Outcome()
    assert kinds(expired).count("expired") == 1


def test_a_quote_whose_card_is_being_charged_expires_only_after_the_charge(shop: Shop) -> None:
    quote = sent(shop)
    payment = QuotePayment(
        tenant_id=quote.tenant_id,
        quote_id=quote.id,
        revision=quote.revision,
        state=PaymentState.CHARGING.value,
        amount_minor=quote.resale_total_minor,
        currency=quote.currency,
        updated_at=datetime.now(UTC),
    )
    db.session.add(payment)
    db.session.commit()
    after = quote.valid_until + timedelta(days=1)
    expire_and_remind(after)
    assert fresh(quote).status == QuoteStatus.SENT
    payment = db.session.get(QuotePayment, payment.id)
    payment.state = PaymentState.DECLINED.value
    db.session.commit()
    expire_and_remind(after)
    assert fresh(quote).status == QuoteStatus.EXPIRED


def test_quotes_of_every_tenant_are_handled_by_one_run(
    shop: Shop, shop_at: Callable[[str], Shop]
) -> None:
    ours = sent(shop)
    theirs = make_quote(
        shop_at("sakura.localhost"),
        buyer="buyer@kirin.example",
        status=QuoteStatus.SENT,
        valid_until=valid_until(),
    )
    shop_at("northwind.localhost")  # the run starts inside northwind's request
    expire_and_remind(valid_until() + timedelta(days=1))
    db.session.expire_all()
    for quote in (ours, theirs):
        with tenant_scope(quote.tenant_id):
            assert db.session.get(Quote, quote.id).status == QuoteStatus.EXPIRED


def test_flask_quotes_expire_runs_for_a_given_day(app: Flask, shop: Shop, inbox) -> None:
    quote = sent(shop)
    end = quote.valid_until
    runner = app.test_cli_runner()
    reminded = runner.invoke(args=["quotes", "expire", "--today", str(end - timedelta(days=7))])
    assert reminded.exit_code == 0, reminded.output
    assert "0 quote(s) expired, 1 reminder(s) sent." in reminded.output
    expired = runner.invoke(args=["quotes", "expire", "--today", str(end + timedelta(days=1))])
    assert expired.exit_code == 0, expired.output
    assert "quote(s) expired" in expired.output
    assert fresh(quote).status == QuoteStatus.EXPIRED
    bad = runner.invoke(args=["quotes", "expire", "--today", "tomorrow"])
    assert bad.exit_code == 2
    assert "'tomorrow' is not a date (YYYY-MM-DD)" in bad.output


def test_beat_runs_the_expiry_every_hour(app: Flask, shop: Shop, inbox) -> None:
    celery = app.extensions["celery"]
    assert celery.conf.beat_schedule["quotes-expire"] == {
        "task": "quotes.expire_and_remind",
        "schedule": 3600.0,
    }
    soon = make_quote(
        shop,
        status=QuoteStatus.SENT,
        valid_until=services.today() + timedelta(days=7),
    )
    past = sent(shop, QuoteStatus.VIEWED)
    past.valid_until = services.today() - timedelta(days=1)
    db.session.commit()
    celery.tasks["quotes.expire_and_remind"].delay()  # eager here: runs now, on today
    assert fresh(past).status == QuoteStatus.EXPIRED
    assert fresh(soon).reminded_days == 7
    assert len(reminders(inbox, soon)) == 1
