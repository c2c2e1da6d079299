"""A program edit tried on the tenant's real history before it is published.

The stored facts (IncentiveEvent rows) of the last twelve calendar months are written
as the simulation contract's document, once with the published program and once with
the draft, and `incentives.simulate` runs both: the same engine as the ledger. The vendor
console shows the two results side by side.

The window starts on the first day of the month eleven months before today's, so it
holds twelve calendar months, the current one included. Facts from before it are not
in the document: a refund of an earlier purchase is left out (and counted), and the
partner of record a subscription had when the window opened comes in as a
`partner_of_record_transfers` entry, so its renewals pay the partner that sold it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

import incentives
from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.statements.facts import local_date, to_event, to_minor
from channelfront.statements.history import kind_of, period_for
from channelfront.statements.models import IncentiveEvent, IncentiveProgram, PartnerOfRecord
from channelfront.statements.partners import company_id_of, partners_for
from channelfront.tenancy.models import Tenant
from incentives.model import Event, Partner
from incentives.money import text

WINDOW_MONTHS = 12
# A fact's stored date is its recording day in one program's time zone; another zone
# may put it a day either side, so rows are read with this margin and dated again.
ZONE_MARGIN = timedelta(days=2)


class ReplayFailed(ValueError):
    """The engine refused the history document (e.g. a currency without a rate)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Window:
    since: date
    as_of: date


def window(today: date) -> Window:
    """Twelve calendar months up to `today`: from the first of the month eleven back."""
    months = today.year * 12 + today.month - 1 - (WINDOW_MONTHS - 1)
    return Window(date(months // 12, months % 12 + 1, 1), today)


def digest(document: dict[str, Any] | None) -> str:
    """A fingerprint of a program document (key order does not matter)."""
    plain = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(plain.encode()).hexdigest()


# -- the contract's input document ------------------------------------------------------------


def contract_event(event: Event) -> dict[str, Any]:
    """An engine event written as an entry of the contract's `events`."""
    common: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "event_date": event.event_date.isoformat(),
        "recorded_at": event.recorded_at.isoformat() if event.recorded_at else None,
    }
    if event.type == "adjustment":
        assert event.amount is not None
        return {
            **common,
            "beneficiary": event.beneficiary,
            "amount": text(event.amount, event.currency),
        }
    return {
        **common,
        "channel": event.channel,
        "distributor_id": event.distributor_id,
        "ordering_partner_id": event.ordering_partner_id,
        "subscription_id": event.subscription_id,
        "event_kind": event.event_kind,
        "term_index": event.term_index,
        "product_id": event.product_id,
        "category_path": list(event.category_path),
        "quantity": str(event.quantity),
        "net_amount": text(event.net_amount, event.currency),
        "currency": event.currency,
        "refund_of": event.refund_of,
    }


def contract_partner(partner: Partner) -> dict[str, Any]:
    return {
        "id": partner.id,
        "kind": partner.kind,
        "tier_history": [{"from": d.isoformat(), "tier": t} for d, t in partner.tiers],
        "status_history": [{"from": d.isoformat(), "status": s} for d, s in partner.statuses],
    }


def _rows(tenant: Tenant, span: Window) -> list[IncentiveEvent]:
    return list(
        db.session.scalars(
            select(IncentiveEvent)
            .where(
                IncentiveEvent.tenant_id == tenant.id,
                IncentiveEvent.event_date >= span.since - ZONE_MARGIN,
                IncentiveEvent.event_date <= span.as_of + ZONE_MARGIN,
            )
            .order_by(IncentiveEvent.recorded_at, IncentiveEvent.id)
        )
    )


def _transfers(tenant: Tenant, since: date) -> list[dict[str, Any]]:
    """Each subscription's partner of record as the window opens."""
    latest: dict[str, PartnerOfRecord] = {}
    for row in db.session.scalars(
        select(PartnerOfRecord)
        .where(PartnerOfRecord.tenant_id == tenant.id, PartnerOfRecord.effective_on < since)
        .order_by(PartnerOfRecord.effective_on, PartnerOfRecord.id)
    ):
        latest[row.subscription_id] = row
    return [
        {"subscription_id": sid, "from": row.effective_on.isoformat(), "partner_id": row.partner_id}
        for sid, row in sorted(latest.items())
    ]


@dataclass(frozen=True)
class History:
    """The facts and partners a document is built from (read once for both versions)."""

    window: Window
    rows: Sequence[IncentiveEvent]
    partners: list[dict[str, Any]]
    transfers: list[dict[str, Any]]


def history(tenant: Tenant, span: Window) -> History:
    return History(
        span,
        _rows(tenant, span),
        [contract_partner(p) for p in partners_for(tenant).values()],
        _transfers(tenant, span.since),
    )


def document_for(program: dict[str, Any], facts: History) -> tuple[dict[str, Any], int, int]:
    """The contract's document for `program` over the window: (document, events, left out).

    Facts are dated in the program's own time zone. Refunds whose purchase is before
    the window are left out: the purchase's earnings are not in the simulation either.
    """
    zone = program.get("timezone", "UTC")  # the schema's default when left out
    span = facts.window
    events = [to_event(row, zone) for row in facts.rows]
    events = [e for e in events if span.since <= e.event_date <= span.as_of]
    purchases = {e.id for e in events if e.type == "purchase"}
    kept = [e for e in events if e.type != "refund" or e.refund_of in purchases]
    document = {
        "program": program,
        "partners": facts.partners,
        "partner_of_record_transfers": facts.transfers,
        "events": [contract_event(e) for e in kept],
    }
    return document, len(kept), len(events) - len(kept)


# -- the comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One statement of the comparison in one version (None where it has none)."""

    total: Money
    status: str
    disposition: str


@dataclass(frozen=True)
class Row:
    """A beneficiary's statement of one period, in the published version and the draft."""

    beneficiary: str
    name: str
    period: str
    old: Side | None
    new: Side | None
    difference: Money
    partial: bool = False  # the period started before the window: only part of it is in


@dataclass(frozen=True)
class Sum:
    """A beneficiary's (or everyone's) amount over the window, in both versions."""

    beneficiary: str | None
    name: str
    old: Money
    new: Money

    @property
    def difference(self) -> Money:
        return Money(self.new.minor - self.old.minor, self.new.currency)


@dataclass(frozen=True)
class Comparison:
    window: Window
    currency: str
    has_old: bool
    events: int
    left_out: int
    rows: list[Row]
    earned: list[Sum]  # lines over the window, per beneficiary
    funds: list[Sum]  # fund balances (MDF), per beneficiary
    total: Sum  # lines over the window, everyone
    fund_total: Sum


@dataclass(frozen=True)
class _Result:
    statements: dict[tuple[str, str], Side]
    earned: dict[str, int]
    funds: dict[str, int]


def _minor(amount: str, currency: str) -> int:
    return to_minor(Decimal(amount), currency)


def _run(document: dict[str, Any], as_of: date) -> _Result:
    try:
        output = incentives.simulate(document, as_of)
    except incentives.InputError as error:
        raise ReplayFailed(error.field, error.message) from None
    statements: dict[tuple[str, str], Side] = {}
    earned: dict[str, int] = defaultdict(int)
    for s in output["statements"]:
        currency = s["currency"]
        statements[(s["beneficiary"], s["period"])] = Side(
            Money(_minor(s["total"], currency), currency), s["status"], s["disposition"]
        )
        earned[s["beneficiary"]] += sum(_minor(line["amount"], currency) for line in s["lines"])
    funds = {f["beneficiary"]: _minor(f["balance"], f["currency"]) for f in output["funds"]}
    return _Result(statements, dict(earned), funds)


def names(beneficiaries: Iterable[str], tenant: Tenant) -> dict[str, str]:
    """Beneficiaries as people know them (company or storefront name), in one query."""
    wanted = set(beneficiaries)
    ids = {company_id_of(who): who for who in wanted}
    ids.pop(None, None)
    found = {who: who for who in wanted}
    if tenant.slug in found:
        found[tenant.slug] = tenant.name
    if ids:
        for company_id, company_name in db.session.execute(
            select(Company.id, Company.name).where(Company.id.in_(ids))
        ):
            found[ids[company_id]] = company_name
    return found


def _sums(
    keys: Iterable[str], old: dict[str, int], new: dict[str, int], currency: str, names: Any
) -> list[Sum]:
    return sorted(
        (
            Sum(who, names(who), Money(old.get(who, 0), currency), Money(new.get(who, 0), currency))
            for who in set(keys)
        ),
        key=lambda s: (s.name.casefold(), s.beneficiary or ""),
    )


def _start(key: str) -> date | None:
    kind = kind_of(key)
    period = period_for(key, kind) if kind else None
    return period.start if period else None


def compare(program: IncentiveProgram, tenant: Tenant, now: datetime | None = None) -> Comparison:
    """The draft (or, without one, the live document) against the published version,
    both run on the last twelve months of the tenant's facts; ReplayFailed."""
    draft = program.draft if program.draft is not None else program.document
    today = local_date(now or datetime.now(UTC), draft.get("timezone", "UTC"))
    facts = history(tenant, window(today))
    new_document, count, left_out = document_for(draft, facts)
    new = _run(new_document, today)
    has_old = program.version > 0
    old = _run(document_for(program.document, facts)[0], today) if has_old else None
    old = old or _Result({}, {}, {})
    currency = draft["settlement_currency"]
    everyone = {who for who, _period in [*new.statements, *old.statements]}
    known = names(everyone | set(new.funds) | set(old.funds), tenant)

    def name(who: str) -> str:
        return known.get(who, who)

    rows = []
    for who, period in set(new.statements) | set(old.statements):
        before, after = old.statements.get((who, period)), new.statements.get((who, period))
        diff = (after.total.minor if after else 0) - (before.total.minor if before else 0)
        started = _start(period)
        partial = started is not None and started < facts.window.since
        rows.append(Row(who, name(who), period, before, after, Money(diff, currency), partial))
    rows.sort(key=lambda r: (r.name.casefold(), r.beneficiary, r.period))
    all_old, all_new = sum(old.earned.values()), sum(new.earned.values())
    fund_old, fund_new = sum(old.funds.values()), sum(new.funds.values())
    return Comparison(
        window=facts.window,
        currency=currency,
        has_old=has_old,
        events=count,
        left_out=left_out,
        rows=rows,
        earned=_sums([*old.earned, *new.earned], old.earned, new.earned, currency, name),
        funds=_sums([*old.funds, *new.funds], old.funds, new.funds, currency, name),
        total=Sum(None, "", Money(all_old, currency), Money(all_new, currency)),
        fund_total=Sum(None, "", Money(fund_old, currency), Money(fund_new, currency)),
    )
