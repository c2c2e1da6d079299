"""Writing quotes: create, revise, price, and move through their statuses.

Every status change goes through ``move`` (a compare-and-set on status and revision) and
is recorded on the quote's timeline by ``record``. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from channelfront.accounts.models import User
from channelfront.customers import services as customers
from channelfront.customers.models import Customer
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.orders import numbering
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, PricedLine, price_lines
from channelfront.pricing.services import PartnerTerms
from channelfront.quotes import prices
from channelfront.quotes.models import EDITABLE, Quote, QuoteEvent, QuoteLine, QuoteStatus
from channelfront.quotes.signals import quote_moved
from channelfront.tenancy.models import Tenant

DEFAULT_VALID_DAYS = 30
MAX_VALID_DAYS = 365
MAX_NOTE_LENGTH = 2000
MAX_TERMS_LENGTH = 10_000
#: A quote in these states will not be ordered: its waiting special price requests end.
ENDED_UNORDERED = (QuoteStatus.WITHDRAWN, QuoteStatus.DECLINED, QuoteStatus.EXPIRED)


@dataclass(frozen=True)
class QuoteLineInput:
    """One requested line; ``resale_price`` in major units, blank for the default."""

    sku: str
    quantity: object
    term_months: object = None
    resale_price: object = None


@dataclass(frozen=True)
class QuoteInput:
    lines: list[QuoteLineInput]
    customer_id: object = None
    new_customer: CustomerInput | None = None
    valid_until: object = None
    language: str = ""
    note: str = ""
    terms: str = ""
    license_to_customer: bool = False
    # "markup" (percent on the buy price) or "discount" (percent off list) for every
    # line; None to take each line's own resale price (default: the list price).
    pricing_mode: str | None = None
    pricing_percent: object = None


def quote_number(prefix: str, value: int) -> str:
    return f"{prefix}-Q-{value:06d}"


def today() -> date:
    return datetime.now(UTC).date()


def record(
    quote: Quote,
    kind: str,
    actor_id: int | None = None,
    note: str | None = None,
    data: dict | None = None,
) -> QuoteEvent:
    """A timeline entry for the quote's current revision (no commit)."""
    event = QuoteEvent(
        tenant_id=quote.tenant_id,
        kind=kind,
        revision=quote.revision,
        actor_id=actor_id,
        note=note,
        data=data or {},
        at=datetime.now(UTC),
    )
    quote.events.append(event)
    return event


def move(
    quote: Quote,
    from_statuses: tuple[str, ...],
    to_status: QuoteStatus,
    actor_id: int | None = None,
    note: str | None = None,
    data: dict | None = None,
    **values: object,
) -> bool:
    """Compare-and-set the quote's status for its current revision (no commit).

    False, and nothing written, when another request moved or revised it first.
    """
    now = datetime.now(UTC)
    from_status = quote.status
    moved = db.session.execute(
        update(Quote)
        .where(
            Quote.id == quote.id,
            Quote.status.in_(from_statuses),
            Quote.revision == quote.revision,
        )
        .values(status=to_status.value, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    quote.status = to_status.value
    quote.updated_at = now
    for name, value in values.items():
        setattr(quote, name, value)
    record(quote, to_status.value, actor_id, note, data)
    quote_moved.send(quote, from_status=from_status)
    if to_status in ENDED_UNORDERED:
        from channelfront.quotes import special_requests  # it records on quotes through here

        special_requests.close_open(quote)
    return True


def _text(raw: object, field_name: str, maximum: int) -> str | None:
    text = str(raw or "").strip()
    if not all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        raise OrderInputError(field_name, _("The text contains characters that cannot be stored."))
    if len(text) > maximum:
        raise OrderInputError(
            field_name, _("The text has at most %(max)d characters.", max=maximum)
        )
    return text or None


def _valid_until(raw: object) -> date:
    if raw in (None, ""):
        return today() + timedelta(days=DEFAULT_VALID_DAYS)
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError as exc:
            raise OrderInputError(
                "valid_until", _("Enter the date the quote is valid until (YYYY-MM-DD).")
            ) from exc
    if value < today() or value > today() + timedelta(days=MAX_VALID_DAYS):
        raise OrderInputError(
            "valid_until",
            _("A quote is valid from today for at most %(days)d days.", days=MAX_VALID_DAYS),
        )
    return value


def _language(tenant: Tenant, raw: str) -> str:
    language = (raw or "").strip() or tenant.default_locale
    if language not in tenant.locales:
        raise OrderInputError(
            "language",
            _("Choose one of this site's languages: %(codes)s.", codes=", ".join(tenant.locales)),
        )
    return language


def _customer(company_id: int, data: QuoteInput) -> Customer:
    if data.customer_id not in (None, ""):
        return customers.get_for_company(company_id, data.customer_id)
    if data.new_customer is not None:
        return customers.create(company_id, customers.validate(data.new_customer))
    raise OrderInputError("end_customer", _("Choose an end customer or enter a new one."))


def _resale_units(lines: list[PricedLine], data: QuoteInput, currency: str) -> list[int]:
    """Each line's resale unit price, by the quote's pricing mode or line by line."""
    if data.pricing_mode == "markup":
        bps = prices.parse_percent(data.pricing_percent, "pricing_percent", prices.MAX_MARKUP_BPS)
        return [prices.with_markup(line.price.buy_price.minor, bps) for line in lines]
    if data.pricing_mode == "discount":
        bps = prices.parse_percent(data.pricing_percent, "pricing_percent", prices.MAX_DISCOUNT_BPS)
        return [prices.off_list(line.price.list_price.minor, bps) for line in lines]
    if data.pricing_mode not in (None, ""):
        raise OrderInputError("pricing_mode", _("Choose per line, markup or discount."))
    units = []
    for index, (line, wanted) in enumerate(zip(lines, data.lines, strict=True)):
        if wanted.resale_price in (None, ""):
            units.append(line.price.list_price.minor)
        else:
            units.append(
                prices.parse_amount(wanted.resale_price, currency, f"lines[{index}].resale_price")
            )
    return units


def _priced(
    terms: PartnerTerms, tenant: Tenant, language: str, data: QuoteInput
) -> list[QuoteLine]:
    requests = [LineRequest(line.sku, line.quantity, line.term_months) for line in data.lines]
    priced = price_lines(terms, tenant.currency, language, requests)
    units = _resale_units(priced, data, tenant.currency)
    return [
        QuoteLine(
            tenant_id=tenant.id,
            position=index,
            product_id=line.product.id,
            sku=line.product.sku,
            name=line.name,
            kind=line.product.kind,
            term_months=line.term_months,
            periods=line.periods,
            quantity=line.quantity,
            list_unit_minor=line.price.list_price.minor,
            buy_unit_minor=line.price.buy_price.minor,
            price_source=line.price.source.kind,
            resale_unit_minor=unit,
        )
        for index, (line, unit) in enumerate(zip(priced, units, strict=True))
    ]


def _apply(quote: Quote, tenant: Tenant, terms: PartnerTerms, data: QuoteInput) -> None:
    language = _language(tenant, data.language)
    lines = _priced(terms, tenant, language, data)
    quote.language = language
    quote.valid_until = _valid_until(data.valid_until)
    quote.note = _text(data.note, "note", MAX_NOTE_LENGTH)
    quote.terms = _text(data.terms, "terms", MAX_TERMS_LENGTH)
    quote.license_to_customer = bool(data.license_to_customer)
    quote.pricing_mode = data.pricing_mode or None
    quote.pricing_bps = (
        prices.parse_percent(data.pricing_percent, "pricing_percent", prices.MAX_MARKUP_BPS)
        if data.pricing_mode
        else None
    )
    quote.lines = lines
    quote.resale_total_minor = sum(line.resale_total_minor for line in lines)
    quote.updated_at = datetime.now(UTC)


def create(tenant: Tenant, actor: User, terms: PartnerTerms, data: QuoteInput) -> Quote:
    """A draft quote for an end customer (no commit); OrderInputError names a bad field."""
    company_id = terms.enrollment.company_id
    quote = Quote(
        tenant_id=tenant.id,
        company_id=company_id,
        buyer_id=actor.id,
        currency=tenant.currency,
        status=QuoteStatus.DRAFT.value,
        revision=1,
    )
    _apply(quote, tenant, terms, data)  # everything is checked before a number is taken
    quote.customer = _customer(company_id, data)
    quote.number = quote_number(tenant.document_prefix, numbering.next_value(tenant.id, "quote"))
    db.session.add(quote)
    record(quote, QuoteStatus.DRAFT.value, actor.id)
    return quote


def revise(
    quote: Quote, tenant: Tenant, actor: User, terms: PartnerTerms, data: QuoteInput
) -> Quote:
    """Change a quote (no commit). A sent or viewed quote becomes a new draft revision:
    the link the customer has stops working. Special prices stay with the lines whose
    product, quantity, term and end customer are unchanged; others are withdrawn."""
    if quote.status not in EDITABLE:
        raise OrderInputError("quote", _("This quote can no longer be changed."))
    was_sent = quote.status != QuoteStatus.DRAFT
    _apply(quote, tenant, terms, data)
    quote.customer = _customer(quote.company_id, data)
    from channelfront.quotes import special_requests  # it records on quotes through here

    special_requests.follow_lines(quote, actor)
    if was_sent:
        quote.revision += 1
        quote.status = QuoteStatus.DRAFT.value
        quote.reminded_days = None
        record(quote, "revised", actor.id, data={"revision": quote.revision})
    else:
        record(quote, "edited", actor.id)
    return quote


#: The reseller may take back a quote until it is paid or ordered.
WITHDRAWABLE = (*EDITABLE, QuoteStatus.ACCEPTED.value)


def withdraw(quote: Quote, actor: User) -> Quote:
    """The reseller takes the quote back (no commit): the customer's link stops working.

    Refused when the quote is paid, ordered, declined, expired or already withdrawn, or
    when the customer moved it meanwhile.
    """
    if quote.status not in WITHDRAWABLE or not move(
        quote, WITHDRAWABLE, QuoteStatus.WITHDRAWN, actor.id
    ):
        raise OrderInputError("quote", _("This quote can no longer be withdrawn."))
    return quote


def find(company_id: int, number: str) -> Quote | None:
    """The company's quote with this number on the active tenant."""
    if not isinstance(number, str) or len(number) > 24:
        return None
    return db.session.scalar(
        select(Quote).where(Quote.company_id == company_id, Quote.number == number)
    )


def is_expired(quote: Quote) -> bool:
    return quote.valid_until < today()
