"""Posting events to the ledger and closing periods: the one engine of every caller."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal, localcontext
from zoneinfo import ZoneInfo

from incentives import rates
from incentives.buckets import Bucket, BucketKey, sort_key
from incentives.errors import InputError
from incentives.fx import FxTable
from incentives.ledger import ZERO, Earned, Entry, Posting, Purchase, State, Volume
from incentives.matching import beneficiary, matches, takes_record, winners
from incentives.model import Event, Partner, Program, Rule, Transfer
from incentives.money import round_minor
from incentives.periods import Period, following, period_of, posting_period


class Engine:
    """Posts events of one program in order and closes its periods."""

    def __init__(
        self,
        program: Program,
        state: State,
        partners: Mapping[str, Partner] | None = None,
        fx: FxTable | None = None,
        transfers: Iterable[Transfer] = (),
        closed_early: Iterable[str] = (),
    ) -> None:
        self.program = program
        self.state = state
        self.partners = partners or {}
        self.fx = fx or FxTable()
        self.transfers = sorted(transfers, key=lambda t: t.start)
        self.rules = {rule.id: rule for rule in program.rules}
        self.zone = ZoneInfo(program.timezone)
        self.buckets: dict[BucketKey, Bucket] = {}
        self._periods: dict[date, Period] = {}
        # Periods closed by hand before their grace days ran out (period keys).
        self.closed_early = frozenset(closed_early)

    # -- time ---------------------------------------------------------------------------

    def period(self, day: date) -> Period:
        """The statement period holding `day`."""
        found = self._periods.get(day)
        if found is None:
            found = self._periods[day] = period_of(day, self.program.statement_period)
        return found

    def recorded_instant(self, event: Event) -> datetime:
        """When the event was recorded: `recorded_at`, or the start of its date."""
        if event.recorded_at is not None:
            return event.recorded_at
        return datetime.combine(event.event_date, time(), self.zone)

    def recorded_day(self, event: Event) -> date:
        """The recording date in the program's time zone."""
        if event.recorded_at is None:
            return event.event_date
        return event.recorded_at.astimezone(self.zone).date()

    def posting_for(self, origin: Period, event: Event) -> Period:
        """The statement a fact of `origin` recorded with `event` goes to."""
        kind = self.program.statement_period
        period = posting_period(origin, kind, self.program.grace_days, self.recorded_day(event))
        while period.key in self.closed_early:
            period = following(period, kind)
        return period

    # -- posting ------------------------------------------------------------------------

    def post(self, event: Event) -> Posting:
        """Post one event: entries, fund accruals and aggregate volume, saved to the state."""
        with localcontext() as ctx:
            ctx.prec = 60
            posting = Posting(event)
            if event.type == "adjustment":
                self._adjustment(event, posting)
            elif event.type == "purchase":
                self._purchase(event, posting)
            else:
                self._refund(event, posting)
            self.state.save(posting)
            return posting

    def _adjustment(self, event: Event, posting: Posting) -> None:
        origin = self.period(event.event_date)
        assert event.beneficiary is not None
        posting.entries.append(
            Entry(
                event.beneficiary,
                None,
                "adjustment",
                event.id,
                origin,
                self.posting_for(origin, event),
                event.amount,
            )
        )

    def partner_of_record(self, event: Event) -> str | None:
        """The subscription's partner of record before this event."""
        if event.subscription_id is None:
            return None
        day = event.event_date
        recorded = self.state.partner_of_record(event.subscription_id, day)
        moved = [t for t in self.transfers if t.subscription_id == event.subscription_id]
        moved = [t for t in moved if t.start <= day]
        if moved and (recorded is None or moved[-1].start >= recorded[0]):
            return moved[-1].partner_id
        return recorded[1] if recorded else None

    def _purchase(self, event: Event, posting: Posting) -> None:
        origin = self.period(event.event_date)
        target = self.posting_for(origin, event)
        record = self.partner_of_record(event)
        taken = takes_record(event, record)
        if taken is not None:
            posting.partner_of_record = record = taken
        statement_rates = self.program.fx_rate_date == "statement_date"
        purchase = Purchase(event, origin, origin.end if statement_rates else event.event_date)
        posting.purchase = purchase
        for rule, who in self._winners(event, record):
            if rates.is_exclusion(rule, event):
                continue
            partner = self.partners.get(who)
            active = partner is None or partner.active_on(event.event_date)
            if rule.aggregate:
                if active:
                    volume = Volume(
                        rule.id,
                        who,
                        event.id,
                        origin,
                        target,
                        event.net_amount,
                        event.currency,
                        purchase.rate_date,
                        event.quantity,
                    )
                    purchase.volumes.append(volume)
                    posting.volumes.append(volume)
                continue
            if not active:
                posting.entries.append(
                    self._zero(rule, who, event, origin, target, "partner_inactive")
                )
            elif self._past_renewals(rule, event):
                posting.entries.append(
                    self._zero(rule, who, event, origin, target, "renewal_limit")
                )
            else:
                self._earn(rule, who, event, origin, target, purchase, posting)

    def _winners(self, event: Event, record: str | None) -> list[tuple[Rule, str]]:
        candidates = []
        for rule in self.program.rules:
            if rule.kind == "renewal_commission" and event.event_kind == "none":
                continue
            who = beneficiary(rule, event, record)
            if who is not None and matches(rule.scope, event, who, self.partners.get(who)):
                candidates.append((rule, who))
        return winners(candidates, event)

    @staticmethod
    def _past_renewals(rule: Rule, event: Event) -> bool:
        limit = rule.renewal.max_renewals if rule.renewal else None
        return event.event_kind == "renewal" and limit is not None and event.term_index > limit

    def _zero(
        self, rule: Rule, who: str, event: Event, origin: Period, target: Period, reason: str
    ) -> Entry:
        return Entry(who, rule.id, "earning", event.id, origin, target, ZERO, reason, rule.fund)

    def _earn(
        self,
        rule: Rule,
        who: str,
        event: Event,
        origin: Period,
        target: Period,
        purchase: Purchase,
        posting: Posting,
    ) -> None:
        settlement = self.program.settlement_currency
        units = ZERO
        unit_cut = False
        if rule.kind == "fixed_per_unit":
            assert rule.amount_per_unit is not None
            units = event.quantity
            cap = rule.caps.per_promotion_units
            if cap is not None:
                units = min(units, max(cap - self.state.units_earned(rule.id, who), ZERO))
                unit_cut = units < event.quantity
            raw, currency = rule.amount_per_unit * units, settlement
        else:
            raw, currency = rates.transaction_rate(rule, event) * event.net_amount, event.currency
        if self._bucketed(currency):
            key = BucketKey(target, rule.id, who, rule.fund, currency, purchase.rate_date, origin)
            self.buckets.setdefault(key, Bucket()).add(raw, event.id)
            purchase.earned.append(Earned(rule.id, who, rule.fund, None, raw, currency))
            return
        value = self._convert(raw, currency, purchase.rate_date, event.id)
        amount = self._capped(rule, who, target, value)
        reason = "cap_reached" if amount == 0 and (value > 0 or unit_cut) else None
        posting.entries.append(
            Entry(
                who, rule.id, "earning", event.id, origin, target, amount, reason, rule.fund, units
            )
        )
        purchase.earned.append(Earned(rule.id, who, rule.fund, amount, raw, currency))

    def _bucketed(self, currency: str) -> bool:
        return (
            self.program.fx_rate_date == "statement_date"
            and currency != self.program.settlement_currency
        )

    def _convert(self, raw: Decimal, currency: str, on: date, event: str | None) -> Decimal:
        rate = self.fx.rate(currency, self.program.settlement_currency, on, event)
        return round_minor(raw * rate, self.program.settlement_currency, self.program.rounding)

    def _capped(self, rule: Rule, who: str, target: Period, value: Decimal) -> Decimal:
        """Cut a rounded amount to the room its caps leave (clawbacks give none back)."""
        caps = rule.caps
        amount = value
        if value <= 0:
            return value
        if caps.per_line is not None:
            amount = min(amount, caps.per_line)
        if caps.per_period is not None:
            used = self.state.earned(rule.id, who, target)
            amount = min(amount, max(caps.per_period - used, ZERO))
        if caps.lifetime is not None:
            used = self.state.earned(rule.id, who, None)
            amount = min(amount, max(caps.lifetime - used, ZERO))
        return amount

    # -- refunds ------------------------------------------------------------------------

    def _refund(self, event: Event, posting: Posting) -> None:
        assert event.refund_of is not None
        purchase = self.state.purchase(event.refund_of)
        if purchase is None:
            raise InputError("refund_of", f"{event.refund_of!r} is not a purchase", event.id)
        self._check_refund(event, purchase)
        bought = purchase.event
        if self.recorded_instant(bought) > self.recorded_instant(event):
            # Nothing is clawed back before the purchase itself was on record.
            event = replace(event, recorded_at=bought.recorded_at)
        origin = self.period(event.event_date)
        target = self.posting_for(origin, event)
        purchase.refunded_amount += event.net_amount
        purchase.refunded_quantity += event.quantity
        full_amount = purchase.refunded_amount == bought.net_amount
        full_quantity = purchase.refunded_quantity == bought.quantity
        days = (event.event_date - bought.event_date).days
        for earned in purchase.earned:
            if not (earned.amount or (earned.amount is None and earned.raw)):
                continue
            rule = self.rules.get(earned.rule_id)
            window = rule.clawback_window_days if rule else None
            if window is not None and days > window:
                posting.entries.append(
                    Entry(
                        earned.beneficiary,
                        earned.rule_id,
                        "clawback",
                        event.id,
                        origin,
                        target,
                        ZERO,
                        "outside_clawback_window",
                        earned.fund,
                    )
                )
                continue
            per_unit = rule is not None and rule.kind == "fixed_per_unit"
            share = self._share(event, bought, per_unit)
            full = full_quantity if per_unit else full_amount
            self._claw(earned, share, full, event, purchase, origin, target, posting)
        posting.refunded = purchase
        for volume in purchase.volumes:
            rule = self.rules.get(volume.rule_id)
            by_refund = rule is not None and rule.refund_volume_attribution == "refund_period"
            volume_origin = origin if by_refund else purchase.origin
            posting.volumes.append(
                Volume(
                    volume.rule_id,
                    volume.beneficiary,
                    event.id,
                    volume_origin,
                    self.posting_for(volume_origin, event),
                    -event.net_amount,
                    volume.currency,
                    volume.rate_date,
                    -event.quantity,
                )
            )

    @staticmethod
    def _check_refund(event: Event, purchase: Purchase) -> None:
        bought = purchase.event
        if event.currency != bought.currency:
            raise InputError(
                "currency",
                f"{event.currency} differs from the purchase's {bought.currency}",
                event.id,
            )
        if purchase.refunded_amount + event.net_amount > bought.net_amount:
            raise InputError("net_amount", "refunds would exceed the purchase's amount", event.id)
        if purchase.refunded_quantity + event.quantity > bought.quantity:
            raise InputError("quantity", "refunds would exceed the purchase's quantity", event.id)
        if event.event_date < bought.event_date:
            raise InputError("event_date", "a refund cannot precede its purchase", event.id)

    @staticmethod
    def _share(event: Event, bought: Event, per_unit: bool) -> Decimal:
        if per_unit or bought.net_amount == 0:
            return event.quantity / bought.quantity if bought.quantity else Decimal(1)
        return event.net_amount / bought.net_amount

    def _claw(
        self,
        earned: Earned,
        share: Decimal,
        full: bool,
        event: Event,
        purchase: Purchase,
        origin: Period,
        target: Period,
        posting: Posting,
    ) -> None:
        key = (earned.rule_id, earned.beneficiary, earned.fund)
        if earned.amount is None:
            so_far = purchase.clawed_raw.get(key, ZERO)
            take = earned.raw + so_far if full else earned.raw * share
            purchase.clawed_raw[key] = so_far - take
            bucket = BucketKey(
                target,
                earned.rule_id,
                earned.beneficiary,
                earned.fund,
                earned.currency,
                purchase.rate_date,
                origin,
            )
            self.buckets.setdefault(bucket, Bucket()).add(-take, event.id, clawback=True)
            return
        so_far = purchase.clawed.get(key, ZERO)
        remaining = earned.amount + so_far
        settlement = self.program.settlement_currency
        proportional = round_minor(earned.amount * share, settlement, self.program.rounding)
        take = remaining if full else min(proportional, remaining)
        purchase.clawed[key] = so_far - take
        posting.entries.append(
            Entry(
                earned.beneficiary,
                earned.rule_id,
                "clawback",
                event.id,
                origin,
                target,
                -take,
                None,
                earned.fund,
            )
        )

    # -- closing ------------------------------------------------------------------------

    def flush(self, posting: Period) -> list[Entry]:
        """Convert the statement-date sums of `posting` into entries.

        Per key (rule, beneficiary, currency, rate date), earnings and clawbacks are
        summed unrounded and the sum is converted and rounded once: the earning line is
        its own sum converted (and capped), the clawback line what the rounded total
        leaves, so the lines add up to the one rounding of the period's net amount.
        """
        entries = []
        with localcontext() as ctx:
            ctx.prec = 60
            for key in sorted((k for k in self.buckets if k.posting == posting), key=sort_key):
                for entry in self._flush_bucket(key, self.buckets.pop(key)):
                    self.state.save_entries([entry])
                    entries.append(entry)
        return entries

    def _flush_bucket(self, key: BucketKey, bucket: Bucket) -> list[Entry]:
        def line(kind: str, amount: Decimal, reason: str | None = None) -> Entry:
            return Entry(
                key.beneficiary,
                key.rule_id,
                kind,
                None,
                key.origin,
                key.posting,
                amount,
                reason,
                key.fund,
            )

        entries = []
        earned = ZERO
        if bucket.earned is not None:
            earned = self._convert(bucket.earned, key.currency, key.rate_date, bucket.first_event)
            rule = self.rules[key.rule_id]
            amount = self._capped(rule, key.beneficiary, key.posting, earned)
            reason = "cap_reached" if amount == 0 and earned > 0 else None
            entries.append(line("earning", amount, reason))
        if bucket.clawed is not None:
            # Caps cut only the earning line; the clawback is measured from the uncapped
            # conversion, so without a cap the two lines add up to the rounded net.
            total = self._convert(bucket.net(), key.currency, key.rate_date, bucket.first_event)
            entries.append(line("clawback", total - earned))
        return entries

    def close(self, statement: Period) -> list[Entry]:
        """Aggregate lines of the statement of `statement`, written as it closes.

        One `earning` line per aggregate rule and beneficiary with volume in the
        period, and one `prior_period_adjustment` per earlier origin period whose
        volume changed after it closed.
        """
        entries = []
        with localcontext() as ctx:
            ctx.prec = 60
            for rule_id, who, origin in sorted(self.state.volume_keys(statement)):
                rule = self.rules.get(rule_id)
                if rule is None or not rule.aggregate:
                    continue
                entry = self._aggregate_line(rule, who, origin, statement)
                self.state.save_entries([entry])
                entries.append(entry)
        return entries

    def _aggregate_line(self, rule: Rule, who: str, origin: Period, statement: Period) -> Entry:
        volumes = self.state.volumes(rule.id, who, origin, statement)
        amount = sum((self._settled(v) for v in volumes), ZERO)
        if rule.kind == "growth":
            payout = rates.growth(rule, amount, self._baseline(rule, who, origin, statement))
        else:
            payout = rates.tiered(rule, amount, sum((v.quantity for v in volumes), ZERO))
        target = round_minor(payout, self.program.settlement_currency, self.program.rounding)
        if rule.caps.per_period is not None:
            target = min(target, rule.caps.per_period)
        delta = target - self.state.aggregate_posted(rule.id, who, origin)
        wanted = delta
        if delta > 0 and rule.caps.lifetime is not None:
            room = rule.caps.lifetime - self.state.earned(rule.id, who, None)
            delta = min(delta, max(room, ZERO))
        kind = "earning" if origin == statement else "prior_period_adjustment"
        reason = "cap_reached" if delta == 0 and wanted > 0 else None
        return Entry(who, rule.id, kind, None, origin, statement, delta, reason)

    def _settled(self, volume: Volume) -> Decimal:
        rate = self.fx.rate(
            volume.currency, self.program.settlement_currency, volume.rate_date, volume.event_id
        )
        return volume.amount * rate

    def _baseline(self, rule: Rule, who: str, origin: Period, statement: Period) -> Decimal:
        assert rule.growth is not None
        if rule.growth.baseline == "fixed":
            return rule.growth.baseline_amount
        prior = period_of(
            origin.start.replace(year=origin.start.year - 1), self.program.statement_period
        )
        return sum(
            (self._settled(v) for v in self.state.volumes(rule.id, who, prior, statement)), ZERO
        )
