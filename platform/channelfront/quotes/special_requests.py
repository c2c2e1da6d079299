"""Special price requests: a reseller asks for a lower buy price on one quote line; the
program tier's rule approves it at once or routes it to the distributor's partner
managers and, above the vendor's threshold, to vendor staff as well.

A decision approves (possibly at another price), counters or declines; a counter
becomes an approval when the reseller accepts it. Every decision is audited and mailed,
and the quote's timeline records each step. Decisions lock the request's row and read
it again, so two deciders never both decide. Nothing here commits.

An approved price holds only for its quote's end customer, product, quantity and term
until the quote expires (``checkout_step.with_special_prices``). A line keeps one open
request (a new one withdraws the old) and one approved price (a newer approval
replaces the older).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, false, select

from channelfront import row_locks
from channelfront.accounts.models import User, UserKind
from channelfront.audit.service import record as audit
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.pricing.models import Enrollment
from channelfront.quotes import prices, services, special_mail, special_rules
from channelfront.quotes.models import (
    EDITABLE,
    Quote,
    QuoteLine,
    QuoteStatus,
    SpecialPriceRequest,
    SpecialStage,
    SpecialStatus,
)

DECISIONS = ("approve", "counter", "decline")
MAX_JUSTIFICATION = 2000
MAX_COMMENT = 2000
MAX_DEAL_REF = 80
#: Reseller roles that may ask for, accept and withdraw special prices.
REQUESTING_ROLES = frozenset({"buyer", "approver", "company_admin"})
OPEN = (SpecialStatus.PENDING.value, SpecialStatus.COUNTERED.value)
#: A price may still be granted while the quote can still become an order.
GRANTABLE_QUOTE = (*EDITABLE, QuoteStatus.ACCEPTED.value)


class DecisionRefused(Exception):
    """The action cannot be taken: not this person's to take (403) or no longer open
    (409). Nothing was written."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _now() -> datetime:
    return datetime.now(UTC)


def _deal_of(quote: Quote, product_id: int) -> int | None:
    """The approved, protected deal the quote was made from, when it has the product."""
    from channelfront.deals import conversion  # deals build on quotes

    return conversion.deal_for_line(quote, product_id)


def _text(raw: object, field: str, maximum: int, required_message: str | None) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise OrderInputError(field, _("Enter text."))
    text = (raw or "").strip()
    if not text and required_message:
        raise OrderInputError(field, required_message)
    if len(text) > maximum:
        raise OrderInputError(field, _("The text has at most %(max)d characters.", max=maximum))
    if any(not ch.isprintable() and ch not in "\r\n\t" for ch in text):
        raise OrderInputError(field, _("The text contains characters that cannot be stored."))
    return text or None


def _below_normal(unit: int, normal: int, field: str, currency: str) -> int:
    if unit >= normal:
        raise OrderInputError(
            field,
            _(
                "A special price must be below the normal buy price of %(price)s.",
                price=str(Money(normal, currency)),
            ),
        )
    return unit


def _requested_unit(line: QuoteLine, currency: str, unit_price: object, percent: object) -> int:
    given_price = unit_price not in (None, "")
    given_percent = percent not in (None, "")
    if given_price and given_percent:
        raise OrderInputError("unit_price", _("Enter either a unit price or a discount, not both."))
    if not given_price and not given_percent:
        raise OrderInputError(
            "unit_price",
            _("Enter the unit price you ask for, or a discount off your buy price."),
        )
    normal = line.buy_unit_minor
    if given_price:
        unit = prices.parse_amount(unit_price, currency, "unit_price")
        return _below_normal(unit, normal, "unit_price", currency)
    bps = prices.parse_percent(percent, "discount_percent", prices.MAX_DISCOUNT_BPS)
    return _below_normal(prices.off_list(normal, bps), normal, "discount_percent", currency)


def _rule_of(company_id: int) -> Any:
    program_id = db.session.scalar(
        select(Enrollment.program_id).where(Enrollment.company_id == company_id)
    )
    return special_rules.rule_for(program_id)


def _is_reseller_of(actor: User, company_id: int) -> bool:
    return (
        actor.kind == UserKind.RESELLER
        and actor.company_id == company_id
        and actor.role in REQUESTING_ROLES
        and actor.is_active
    )


def _label(row: SpecialPriceRequest, quote: Quote | None) -> str:
    return f"{quote.number if quote else row.quote_id} {row.sku}"


def _state(row: SpecialPriceRequest) -> dict[str, Any]:
    return {
        "status": row.status,
        "stage": row.stage,
        "needs_vendor": row.needs_vendor,
        "requested_unit_minor": row.requested_unit_minor,
        "approved_unit_minor": row.approved_unit_minor,
        "comment": row.comment,
    }


def _audit(
    action: str, row: SpecialPriceRequest, actor: User | None, before: dict[str, Any] | None
) -> None:
    quote = db.session.get(Quote, row.quote_id)
    audit(
        f"special_price.{action}",
        row,
        label=_label(row, quote),
        before=before,
        after=_state(row),
        tenant_id=row.tenant_id,
        company_id=row.company_id,
        actor=actor,
    )


def _note(
    row: SpecialPriceRequest,
    decision: str,
    actor: User | None,
    stage: str | None,
    unit: int | None,
    comment: str | None,
) -> None:
    entry = {
        "by": actor.id if actor else None,
        "name": actor.name if actor else None,
        "stage": stage,
        "decision": decision,
        "unit_minor": unit,
        "comment": comment,
        "at": _now().isoformat(),
    }
    row.decisions = [*(row.decisions or []), entry]


def _timeline(row: SpecialPriceRequest, kind: str, actor: User | None, **data: Any) -> None:
    quote = db.session.get(Quote, row.quote_id)
    if quote is not None:
        services.record(
            quote,
            kind,
            actor.id if actor else None,
            data={"request": row.id, "sku": row.sku, "line": row.quote_line_id, **data},
        )


def _replace_approved(row: SpecialPriceRequest, actor: User | None) -> None:
    """Withdraw the line's older approved price: a line has one special price."""
    older = db.session.scalars(
        select(SpecialPriceRequest).where(
            SpecialPriceRequest.quote_id == row.quote_id,
            SpecialPriceRequest.quote_line_id == row.quote_line_id,
            SpecialPriceRequest.status == SpecialStatus.APPROVED.value,
            SpecialPriceRequest.id != row.id,
        )
    ).all()
    for earlier in older:
        before = _state(earlier)
        earlier.status = SpecialStatus.WITHDRAWN.value
        _note(earlier, "replaced", actor, earlier.stage, None, f"#{row.id}")
        _audit("replaced", earlier, actor, before)


def _approve(row: SpecialPriceRequest, unit: int, actor: User | None, decider: User | None) -> None:
    """Approved at ``unit``; ``decider`` is who granted the price (None: the rule)."""
    row.status = SpecialStatus.APPROVED.value
    row.approved_unit_minor = unit
    if decider is not None or row.decided_by is None:
        row.decided_by = decider.id if decider else None
        row.decided_at = _now()
    _replace_approved(row, actor)


def _withdraw_open(quote: Quote, line: QuoteLine, actor: User) -> None:
    for old in db.session.scalars(
        select(SpecialPriceRequest).where(
            SpecialPriceRequest.quote_id == quote.id,
            SpecialPriceRequest.quote_line_id == line.id,
            SpecialPriceRequest.status.in_(OPEN),
        )
    ).all():
        before = _state(old)
        old.status = SpecialStatus.WITHDRAWN.value
        _note(old, "withdraw", actor, old.stage, None, None)
        _audit("withdrawn", old, actor, before)


def close_open(quote: Quote) -> None:
    """The quote ended unordered (withdrawn, declined, expired): its waiting requests are
    withdrawn, so they leave the deciders' queues (no commit)."""
    for old in db.session.scalars(
        select(SpecialPriceRequest).where(
            SpecialPriceRequest.quote_id == quote.id,
            SpecialPriceRequest.status.in_(OPEN),
        )
    ).all():
        before = _state(old)
        old.status = SpecialStatus.WITHDRAWN.value
        _note(old, "withdraw", None, old.stage, None, quote.status)
        _audit("withdrawn", old, None, before)


def request_price(
    quote: Quote,
    line: QuoteLine,
    actor: User,
    *,
    unit_price: object = None,
    discount_percent: object = None,
    justification: object,
    deal_ref: object = None,
) -> SpecialPriceRequest:
    """Ask for a lower buy price on one line of the reseller's quote (no commit).

    ``unit_price`` (major units) or ``discount_percent`` (off the line's buy price),
    exactly one. The tier's rule approves it at once or routes it; raises
    OrderInputError naming the field, with nothing written.
    """
    if not _is_reseller_of(actor, quote.company_id):
        raise OrderInputError("quote", _("You cannot ask for special prices on this quote."))
    if quote.status not in EDITABLE:
        raise OrderInputError(
            "quote", _("Special prices can be asked while the quote is a draft or sent.")
        )
    if services.is_expired(quote):
        raise OrderInputError("quote", _("This quote has expired."))
    if line.quote_id != quote.id or line not in quote.lines:
        raise OrderInputError("line", _("There is no such line on this quote."))
    unit = _requested_unit(line, quote.currency, unit_price, discount_percent)
    reason = _text(
        justification,
        "justification",
        MAX_JUSTIFICATION,
        _("Say why the end customer needs this price."),
    )
    deal = _text(deal_ref, "deal_ref", MAX_DEAL_REF, None)
    # Two requests on one quote at once are taken one after the other.
    row_locks.hold(Quote, quote.id)
    _withdraw_open(quote, line, actor)
    rule = _rule_of(quote.company_id)
    outcome = special_rules.evaluate(rule, line.buy_unit_minor, unit, line.units)
    row = SpecialPriceRequest(
        tenant_id=quote.tenant_id,
        quote_id=quote.id,
        quote_line_id=line.id,
        company_id=quote.company_id,
        customer_id=quote.customer_id,
        product_id=line.product_id,
        sku=line.sku,
        quantity=line.quantity,
        term_months=line.term_months,
        periods=line.periods,
        currency=quote.currency,
        normal_unit_minor=line.buy_unit_minor,
        requested_unit_minor=unit,
        justification=reason,
        deal_ref=deal,
        deal_id=_deal_of(quote, line.product_id),
        status=SpecialStatus.PENDING.value,
        stage=SpecialStage.DISTRIBUTOR.value,
        needs_vendor=outcome.needs_vendor,
        auto_approved=False,
        valid_until=quote.valid_until,
        requested_by=actor.id,
        decisions=[],
        created_at=_now(),
    )
    db.session.add(row)
    db.session.flush()
    _audit("requested", row, actor, None)
    if outcome.auto:
        row.auto_approved = True
        row.stage = None
        _approve(row, unit, actor, None)
        _note(row, "approve", None, "rule", unit, None)
        _audit("auto_approved", row, actor, None)
        special_mail.tell_requester(special_mail.APPROVED, row, None)
    else:
        special_mail.tell(
            special_mail.WAITING,
            row,
            special_mail.distributor_deciders(row.tenant_id),
            comment=None,
        )
    _timeline(row, "special_price_requested", actor, status=row.status, unit_minor=unit)
    if row.auto_approved:
        _timeline(row, "special_price_approved", None, status=row.status, auto=True)
    return row


# --- deciding ------------------------------------------------------------------------------


def _qualifies(actor: User, row: SpecialPriceRequest) -> bool:
    """The actor's kind and role decide the request's stage (its status aside)."""
    if not actor.is_active or actor.id == row.requested_by:
        return False
    if row.stage == SpecialStage.DISTRIBUTOR:
        return (
            actor.kind == UserKind.DISTRIBUTOR
            and actor.tenant_id == row.tenant_id
            and actor.role in special_mail.DISTRIBUTOR_DECIDERS
        )
    if row.stage == SpecialStage.VENDOR:
        return actor.kind == UserKind.VENDOR and actor.role in special_mail.VENDOR_DECIDERS
    return False


def may_decide(actor: User, row: SpecialPriceRequest) -> bool:
    """True when the request waits and the actor may decide it now."""
    return row.status == SpecialStatus.PENDING and _qualifies(actor, row)


def _refusal(actor: User, row: SpecialPriceRequest) -> DecisionRefused | None:
    """Why the actor cannot decide the request now (None: they can)."""
    if actor.id == row.requested_by:
        return DecisionRefused(_("You asked for this price, so someone else decides it."))
    if actor.kind not in (UserKind.DISTRIBUTOR, UserKind.VENDOR):
        return DecisionRefused(_("Special prices are decided by the distributor's staff."))
    if row.status != SpecialStatus.PENDING:
        return DecisionRefused(_("This request is already decided."), 409)
    if _qualifies(actor, row):
        return None
    if row.stage == SpecialStage.VENDOR:
        return DecisionRefused(_("This request waits for the vendor's staff."))
    return DecisionRefused(
        _("This request waits for a partner manager or a distributor administrator.")
    )


def why_not(actor: User, row: SpecialPriceRequest) -> str | None:
    """Why the actor cannot decide the request, as the read-only page says it."""
    refused = _refusal(actor, row)
    return refused.message if refused else None


def _decision_input(
    row: SpecialPriceRequest, decision: object, unit_price: object, comment: object
) -> tuple[str, int | None, str | None]:
    if decision not in DECISIONS:
        raise OrderInputError("decision", _("Choose approve, counter or decline."))
    text = _text(comment, "comment", MAX_COMMENT, None)
    if decision == "decline" and not text:
        raise OrderInputError("comment", _("Say why the price is declined."))
    unit = None
    if unit_price not in (None, ""):
        if decision == "decline":
            raise OrderInputError("unit_price", _("A decline has no price."))
        unit = prices.parse_amount(unit_price, row.currency, "unit_price")
        _below_normal(unit, row.normal_unit_minor, "unit_price", row.currency)
    elif decision == "counter":
        raise OrderInputError("unit_price", _("Enter the unit price you offer instead."))
    return str(decision), unit, text


def _lock(row: SpecialPriceRequest) -> None:
    row_locks.hold(SpecialPriceRequest, row.id)
    db.session.refresh(row)


def _quote_open(row: SpecialPriceRequest) -> bool:
    quote = db.session.get(Quote, row.quote_id)
    return quote is not None and quote.status in GRANTABLE_QUOTE and not services.is_expired(quote)


def _to_vendor(row: SpecialPriceRequest, unit: int) -> bool:
    """At the distributor's stage: does granting ``unit`` need the vendor too? If so the
    request moves on to vendor staff, with ``unit`` as the distributor's proposal."""
    if row.stage != SpecialStage.DISTRIBUTOR:
        return False
    rule = _rule_of(row.company_id)
    row.needs_vendor = special_rules.needs_vendor(rule, row.normal_unit_minor, unit, row.units)
    if not row.needs_vendor:
        return False
    row.status = SpecialStatus.PENDING.value
    row.stage = SpecialStage.VENDOR.value
    row.approved_unit_minor = unit
    special_mail.tell(special_mail.WAITING, row, special_mail.vendor_deciders(), comment=None)
    return True


def decide(
    row: SpecialPriceRequest,
    actor: User,
    decision: object,
    *,
    unit_price: object = None,
    comment: object,
) -> SpecialPriceRequest:
    """Approve (at the requested price or ``unit_price``), counter (``unit_price``) or
    decline (``comment`` required) a waiting request (no commit).

    A distributor's approval of a request above the vendor's threshold moves it on to
    vendor staff. Raises DecisionRefused when the actor may not decide it or it is no
    longer waiting, OrderInputError for a bad field; nothing is written then.
    """
    refused = _refusal(actor, row)
    if refused is not None:
        raise refused
    choice, unit, text = _decision_input(row, decision, unit_price, comment)
    _lock(row)  # read it again: another decider may have been first
    refused = _refusal(actor, row)
    if refused is not None:
        refused.status = 409  # it was open a moment ago
        raise refused
    if choice != "decline" and not _quote_open(row):
        raise DecisionRefused(
            _("The quote was ordered, closed or has expired: the request can only be declined."),
            409,
        )
    before, stage = _state(row), row.stage
    if choice == "approve":
        unit = unit if unit is not None else (row.approved_unit_minor or row.requested_unit_minor)
        _note(row, "approve", actor, stage, unit, text)
        row.comment = text
        if not _to_vendor(row, unit):
            _approve(row, unit, actor, actor)
            special_mail.tell_requester(special_mail.APPROVED, row, text)
        _audit("approved", row, actor, before)
    elif choice == "counter":
        assert unit is not None
        _note(row, "counter", actor, stage, unit, text)
        row.status = SpecialStatus.COUNTERED.value
        row.approved_unit_minor = unit
        row.decided_by, row.decided_at, row.comment = actor.id, _now(), text
        _audit("countered", row, actor, before)
        special_mail.tell_requester(special_mail.COUNTERED, row, text)
    else:
        _note(row, "decline", actor, stage, None, text)
        row.status = SpecialStatus.DECLINED.value
        row.approved_unit_minor = None
        row.decided_by, row.decided_at, row.comment = actor.id, _now(), text
        _audit("declined", row, actor, before)
        special_mail.tell_requester(special_mail.DECLINED, row, text)
    if row.status != SpecialStatus.PENDING:  # moving on to the vendor changes nothing yet
        _timeline(row, f"special_price_{_PAST[choice]}", actor, status=row.status)
    return row


_PAST = {"approve": "approved", "counter": "countered", "decline": "declined"}


def _check_counter(row: SpecialPriceRequest) -> None:
    if row.status != SpecialStatus.COUNTERED or row.approved_unit_minor is None:
        raise DecisionRefused(_("There is no counter offer to accept."), 409)


def accept_counter(row: SpecialPriceRequest, actor: User) -> SpecialPriceRequest:
    """The reseller takes the counter offer: approved at the countered price, or, when a
    partner manager's offer is still above the vendor's threshold, on to vendor staff
    (no commit). Raises DecisionRefused."""
    if not _is_reseller_of(actor, row.company_id):
        raise DecisionRefused(_("Only the reseller that asked can accept the offer."))
    _check_counter(row)  # a refusal takes no lock and writes nothing
    _lock(row)
    _check_counter(row)
    if not _quote_open(row):
        raise DecisionRefused(_("The quote was ordered, closed or has expired."), 409)
    before, unit = _state(row), row.approved_unit_minor
    _note(row, "accept_counter", actor, row.stage, unit, None)
    if not _to_vendor(row, unit):
        _approve(row, unit, actor, None)  # granted by whoever countered
    _audit("counter_accepted", row, actor, before)
    _timeline(row, "special_price_counter_accepted", actor, status=row.status, unit_minor=unit)
    return row


def withdraw(row: SpecialPriceRequest, actor: User) -> SpecialPriceRequest:
    """The reseller withdraws a waiting or countered request (no commit)."""
    if not _is_reseller_of(actor, row.company_id):
        raise DecisionRefused(_("Only the reseller that asked can withdraw the request."))
    if row.status not in OPEN:  # a refusal takes no lock and writes nothing
        raise DecisionRefused(_("This request is already decided."), 409)
    _lock(row)
    if row.status not in OPEN:
        raise DecisionRefused(_("This request is already decided."), 409)
    before = _state(row)
    row.status = SpecialStatus.WITHDRAWN.value
    _note(row, "withdraw", actor, row.stage, None, None)
    _audit("withdrawn", row, actor, before)
    _timeline(row, "special_price_withdrawn", actor)
    return row


def follow_lines(quote: Quote, actor: User) -> None:
    """After the quote's lines were written anew (an edit or a revision), each waiting,
    countered or approved request moves to the line with its product, quantity and term
    for the same end customer; one left without such a line is withdrawn (no commit)."""
    db.session.flush()  # the new lines get their ids
    lines = {(line.product_id, line.quantity, line.term_months): line for line in quote.lines}
    rows = db.session.scalars(
        select(SpecialPriceRequest).where(
            SpecialPriceRequest.quote_id == quote.id,
            SpecialPriceRequest.status.in_((*OPEN, SpecialStatus.APPROVED.value)),
        )
    ).all()
    for row in rows:
        line = lines.get((row.product_id, row.quantity, row.term_months))
        if line is not None and row.customer_id == quote.customer_id:
            row.quote_line_id = line.id
            row.valid_until = quote.valid_until
            continue
        before = _state(row)
        row.status = SpecialStatus.WITHDRAWN.value
        _note(row, "quote_changed", actor, row.stage, None, None)
        _audit("withdrawn", row, actor, before)
        _timeline(row, "special_price_withdrawn", actor, reason="quote_changed")


# --- reading -------------------------------------------------------------------------------


def visible_to(actor: User, status: str | None = None) -> Select[SpecialPriceRequest]:
    """The requests a staff user may see, waiting ones first (oldest first), then the
    rest newest first. Distributor staff: their storefront's. Vendor staff: those that
    need the vendor's decision, on every storefront. Anyone else: none."""
    query = select(SpecialPriceRequest)
    if actor.kind == UserKind.DISTRIBUTOR and actor.tenant_id is not None:
        query = query.where(SpecialPriceRequest.tenant_id == actor.tenant_id)
    elif actor.kind == UserKind.VENDOR:
        query = query.where(SpecialPriceRequest.needs_vendor.is_(True))
    else:
        query = query.where(false())
    if status:
        query = query.where(SpecialPriceRequest.status == status)
    waiting = SpecialPriceRequest.status == SpecialStatus.PENDING.value
    return query.order_by(
        case((waiting, 0), else_=1),
        case((waiting, SpecialPriceRequest.id), else_=-SpecialPriceRequest.id),
    )


def of_quote(quote: Quote) -> list[SpecialPriceRequest]:
    """Every request on the quote, oldest first."""
    return list(
        db.session.scalars(
            select(SpecialPriceRequest)
            .where(SpecialPriceRequest.quote_id == quote.id)
            .order_by(SpecialPriceRequest.id)
        )
    )
