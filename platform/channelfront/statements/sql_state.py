"""The engine's State over the ledger tables, for one program (mirrors MemoryState).

Every question the engine asks is one indexed query (a sum, a lookup or a short list);
nothing loads the ledger. Writes are added to the caller's session and commit (or roll
back) with whatever the caller is doing. Amounts are stored in minor units: entries in
the settlement currency, volume in the purchase's currency.

A subscription's partner of record is a fact of the tenant, not of one program, so a
program published later knows who sold a subscription before it existed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.statements.facts import from_minor, to_event, to_minor
from channelfront.statements.models import (
    IncentiveEvent,
    IncentiveProgram,
    LedgerEntry,
    PartnerOfRecord,
    VolumeEntry,
)
from channelfront.statements.programs import engine_program
from incentives.ledger import ZERO, Earned, Entry, Posting, Purchase, Volume
from incentives.memory import EARNING_TYPES
from incentives.model import Program
from incentives.periods import Period, period_of


class SqlState:
    """incentives.State for one program's rows (``program_id``) of one tenant."""

    def __init__(self, row: IncentiveProgram, program: Program | None = None) -> None:
        self.row = row
        self.program = program or engine_program(row)
        self.currency = self.program.settlement_currency
        self.kind = self.program.statement_period
        # The order whose change is being posted; its entries link to it.
        self.order_id: int | None = None

    # -- helpers ------------------------------------------------------------------------------

    def _period(self, start: date) -> Period:
        return period_of(start, self.kind)

    def _sum(self, column: Any, *conditions: Any) -> int | Decimal:
        return db.session.scalar(
            select(func.coalesce(func.sum(column), 0)).where(
                LedgerEntry.tenant_id == self.row.tenant_id,
                LedgerEntry.program_id == self.row.id,
                *conditions,
            )
        )

    def _volume(self, row: VolumeEntry) -> Volume:
        return Volume(
            row.rule_id,
            row.beneficiary,
            row.event_key,
            self._period(row.origin_start),
            self._period(row.posting_start),
            from_minor(row.amount_minor, row.currency),
            row.currency,
            row.rate_date,
            Decimal(row.quantity),
        )

    # -- questions ----------------------------------------------------------------------------

    def earned(self, rule_id: str, beneficiary: str, posting: Period | None) -> Decimal:
        conditions = [
            LedgerEntry.rule_id == rule_id,
            LedgerEntry.beneficiary == beneficiary,
            LedgerEntry.type.in_(EARNING_TYPES),
            LedgerEntry.amount_minor > 0,
        ]
        if posting is not None:
            conditions.append(LedgerEntry.posting_start == posting.start)
        return from_minor(int(self._sum(LedgerEntry.amount_minor, *conditions)), self.currency)

    def units_earned(self, rule_id: str, beneficiary: str) -> Decimal:
        units = self._sum(
            LedgerEntry.units,
            LedgerEntry.rule_id == rule_id,
            LedgerEntry.beneficiary == beneficiary,
            LedgerEntry.type == "earning",
        )
        return Decimal(units)

    def aggregate_posted(self, rule_id: str, beneficiary: str, origin: Period) -> Decimal:
        posted = self._sum(
            LedgerEntry.amount_minor,
            LedgerEntry.rule_id == rule_id,
            LedgerEntry.beneficiary == beneficiary,
            LedgerEntry.event_key.is_(None),
            LedgerEntry.type.in_(EARNING_TYPES),
            LedgerEntry.origin_start == origin.start,
        )
        return from_minor(int(posted), self.currency)

    def purchase(self, event_id: str) -> Purchase | None:
        row = db.session.scalar(
            select(IncentiveEvent).where(
                IncentiveEvent.tenant_id == self.row.tenant_id, IncentiveEvent.key == event_id
            )
        )
        if row is None or row.type != "purchase":
            return None
        event = to_event(row, self.program.timezone)
        origin = self._period(event.event_date)
        statement_rates = self.program.fx_rate_date == "statement_date"
        purchase = Purchase(event, origin, origin.end if statement_rates else event.event_date)
        for entry in db.session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.program_id == self.row.id,
                LedgerEntry.event_key == event_id,
                LedgerEntry.type == "earning",
                LedgerEntry.rule_id.is_not(None),
            )
            .order_by(LedgerEntry.id)
        ):
            amount = from_minor(entry.amount_minor, entry.currency)
            purchase.earned.append(
                Earned(
                    entry.rule_id or "",
                    entry.beneficiary,
                    entry.fund,
                    amount,
                    amount,
                    self.currency,
                )
            )
        purchase.volumes = [
            self._volume(v)
            for v in db.session.scalars(
                select(VolumeEntry)
                .where(VolumeEntry.program_id == self.row.id, VolumeEntry.event_key == event_id)
                .order_by(VolumeEntry.id)
            )
        ]
        refunds = select(IncentiveEvent.key).where(
            IncentiveEvent.tenant_id == self.row.tenant_id, IncentiveEvent.refund_of == event_id
        )
        refunded, quantity = db.session.execute(
            select(
                func.coalesce(func.sum(IncentiveEvent.net_minor), 0),
                func.coalesce(func.sum(IncentiveEvent.quantity), 0),
            ).where(
                IncentiveEvent.tenant_id == self.row.tenant_id,
                IncentiveEvent.refund_of == event_id,
            )
        ).one()
        purchase.refunded_amount = from_minor(int(refunded), row.currency)
        purchase.refunded_quantity = Decimal(quantity)
        clawed: dict[tuple[str, str, bool], Decimal] = defaultdict(lambda: ZERO)
        for rule_id, beneficiary, fund, total in db.session.execute(
            select(
                LedgerEntry.rule_id,
                LedgerEntry.beneficiary,
                LedgerEntry.fund,
                func.sum(LedgerEntry.amount_minor),
            )
            .where(
                LedgerEntry.program_id == self.row.id,
                LedgerEntry.event_key.in_(refunds),
                LedgerEntry.type == "clawback",
            )
            .group_by(LedgerEntry.rule_id, LedgerEntry.beneficiary, LedgerEntry.fund)
        ):
            key = (rule_id or "", beneficiary, bool(fund))
            clawed[key] += from_minor(int(total), self.currency)
        purchase.clawed = dict(clawed)
        return purchase

    def partner_of_record(self, subscription_id: str, on: date) -> tuple[date, str] | None:
        found = db.session.execute(
            select(PartnerOfRecord.effective_on, PartnerOfRecord.partner_id)
            .where(
                PartnerOfRecord.tenant_id == self.row.tenant_id,
                PartnerOfRecord.subscription_id == subscription_id,
                PartnerOfRecord.effective_on <= on,
            )
            .order_by(PartnerOfRecord.effective_on.desc(), PartnerOfRecord.id)
            .limit(1)
        ).first()
        return (found[0], found[1]) if found else None

    def volumes(
        self, rule_id: str, beneficiary: str, origin: Period, through: Period
    ) -> list[Volume]:
        """The volume summed per currency and rate date, in the database.

        The engine only adds volumes up, each converted at its own currency and rate
        date, so one sum per (currency, rate date) gives it the same total without
        loading a quarter's purchases; each sum is named after its first event.
        """
        rows = db.session.execute(
            select(
                VolumeEntry.currency,
                VolumeEntry.rate_date,
                func.sum(VolumeEntry.amount_minor),
                func.sum(VolumeEntry.quantity),
                func.min(VolumeEntry.event_key),
            )
            .where(
                VolumeEntry.tenant_id == self.row.tenant_id,
                VolumeEntry.program_id == self.row.id,
                VolumeEntry.rule_id == rule_id,
                VolumeEntry.beneficiary == beneficiary,
                VolumeEntry.origin_start == origin.start,
                VolumeEntry.posting_start <= through.start,
            )
            .group_by(VolumeEntry.currency, VolumeEntry.rate_date)
            .order_by(VolumeEntry.currency, VolumeEntry.rate_date)
        )
        return [
            Volume(
                rule_id,
                beneficiary,
                first_event,
                origin,
                through,
                from_minor(int(amount), currency),
                currency,
                rate_date,
                Decimal(quantity),
            )
            for currency, rate_date, amount, quantity, first_event in rows
        ]

    def volume_keys(self, posting: Period) -> set[tuple[str, str, Period]]:
        rows = db.session.execute(
            select(VolumeEntry.rule_id, VolumeEntry.beneficiary, VolumeEntry.origin_start)
            .where(
                VolumeEntry.tenant_id == self.row.tenant_id,
                VolumeEntry.program_id == self.row.id,
                VolumeEntry.posting_start == posting.start,
            )
            .distinct()
        )
        return {(rule, who, self._period(start)) for rule, who, start in rows}

    # -- writes -------------------------------------------------------------------------------

    def save(self, posting: Posting) -> None:
        self.save_entries(posting.entries)
        db.session.add_all(
            VolumeEntry(
                tenant_id=self.row.tenant_id,
                program_id=self.row.id,
                rule_id=v.rule_id,
                beneficiary=v.beneficiary,
                event_key=v.event_id,
                origin_start=v.origin.start,
                posting_start=v.posting.start,
                amount_minor=to_minor(v.amount, v.currency),
                currency=v.currency,
                rate_date=v.rate_date,
                quantity=v.quantity,
            )
            for v in posting.volumes
        )
        subscription = posting.event.subscription_id
        if posting.partner_of_record is not None and subscription:
            self._record(subscription, posting.event.event_date, posting.partner_of_record)

    def _record(self, subscription_id: str, day: date, partner_id: str) -> None:
        # Each program posts the same event: the fact is written once.
        known = db.session.scalar(
            select(PartnerOfRecord.id).where(
                PartnerOfRecord.tenant_id == self.row.tenant_id,
                PartnerOfRecord.subscription_id == subscription_id,
                PartnerOfRecord.effective_on == day,
                PartnerOfRecord.partner_id == partner_id,
            )
        )
        if known is None:
            db.session.add(
                PartnerOfRecord(
                    tenant_id=self.row.tenant_id,
                    subscription_id=subscription_id,
                    effective_on=day,
                    partner_id=partner_id,
                )
            )

    def save_entries(self, entries: list[Entry]) -> None:
        db.session.add_all(
            LedgerEntry(
                tenant_id=self.row.tenant_id,
                program_id=self.row.id,
                beneficiary=e.beneficiary,
                rule_id=e.rule_id,
                type=e.type,
                event_key=e.event_id,
                order_id=self.order_id if e.event_id is not None else None,
                origin_period=e.origin.key,
                origin_start=e.origin.start,
                posting_period=e.posting.key,
                posting_start=e.posting.start,
                amount_minor=to_minor(e.amount, self.currency),
                currency=self.currency,
                reason=e.reason,
                fund=e.fund,
                units=e.units,
            )
            for e in entries
        )
