"""The program document of the simulation contract, checked before it is stored.

Marshmallow checks the shape (every key of "Contract details", types, choices; unknown
keys are refused so a misspelt key is never silently ignored), then the engine's own
parser (`incentives.parse.program`) is the final word, so the product never stores a
program the engine would refuse. On top come the product's rules: a program settles in
its tenant's currency, and a live program converts at the event date's rate.

Errors come out as ``{field path: [message]}``, paths like ``rules[0].scope.channels``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from incentives import InputError, parse
from incentives.model import BENEFICIARIES, RULE_KINDS
from incentives.periods import MONTHS

NUMBER = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)
CURRENCY = re.compile(r"^[A-Z]{3}$")
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$")
# Which kind needs which key (the engine would refuse the rule without it).
KIND_NEEDS = {
    "percent_commission": ("rate",),
    "mdf_accrual": ("rate",),
    "growth": ("rate", "growth"),
    "fixed_per_unit": ("amount_per_unit",),
    "tiered_volume": ("tiers",),
    "renewal_commission": ("renewal",),
}


class ProgramInvalid(ValueError):
    """A program document refused; ``errors`` maps field paths to messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {path: list(messages) for path, messages in errors.items()}
        super().__init__(
            "; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in self.errors.items())
        )


# -- fields ---------------------------------------------------------------------------------


def choice(*options: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value not in options:
            raise ValidationError(
                _(
                    "“%(value)s” is not one of: %(choices)s.",
                    value=str(value)[:40],
                    choices=", ".join(options),
                )
            )

    return check


def identifier(value: str) -> None:
    if not IDENTIFIER.match(value):
        raise ValidationError(
            _("Use 1 to 40 letters, digits or the characters _ . : - (no spaces).")
        )


class Text(fields.String):
    """A non-empty JSON string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(_("Write a non-empty text."))
        return value


class NumberText(fields.Field):
    """A number written as a string, like the contract's amounts and rates ("0.05")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not NUMBER.match(value.strip()):
            raise ValidationError(_("Write a number as a string, e.g. “0.05” or “1250.00”."))
        return value


class DayText(fields.Field):
    """A date written YYYY-MM-DD."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("Write a date as YYYY-MM-DD.")) from None
        return value


class WholeNumber(fields.Field):
    """A JSON integer (not a string, a fraction or a boolean), at least `minimum`."""

    def __init__(self, minimum: int | None = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Write a whole number."))
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(
                _("The number must be at least %(minimum)d.", minimum=self.minimum)
            )
        return value


def _strings() -> fields.List:
    return fields.List(Text(), allow_none=True)


def _optional(field: fields.Field) -> fields.Field:
    field.allow_none = True
    return field


# -- schemas ----------------------------------------------------------------------------------


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ScopeSchema(StrictSchema):
    channels = _strings()
    distributor_ids = _strings()
    partner_ids = _strings()
    partner_tiers = _strings()
    product_ids = _strings()
    category_ids = _strings()
    exclude_product_ids = _strings()
    exclude_category_ids = _strings()
    event_kinds = _strings()
    valid_from = _optional(DayText())
    valid_to = _optional(DayText())


class TierSchema(StrictSchema):
    start = NumberText(required=True, data_key="from")
    rate = NumberText(required=True)


class GrowthSchema(StrictSchema):
    baseline = Text(required=True, validate=choice("fixed", "same_period_prior_year"))
    baseline_amount = _optional(NumberText())
    min_growth = _optional(NumberText())
    payout_basis = _optional(Text(validate=choice("incremental", "total")))


class RenewalSchema(StrictSchema):
    first_purchase_rate = NumberText(required=True)
    partner_renewal_rate = NumberText(required=True)
    self_service_renewal_rate = NumberText(required=True)
    max_renewals = _optional(WholeNumber())


class CapsSchema(StrictSchema):
    per_line = _optional(NumberText())
    per_period = _optional(NumberText())
    lifetime = _optional(NumberText())
    per_promotion_units = _optional(NumberText())


class RuleSchema(StrictSchema):
    id = Text(required=True, validate=identifier)
    kind = Text(required=True, validate=choice(*RULE_KINDS))
    beneficiary = Text(required=True, validate=choice(*BENEFICIARIES))
    scope = fields.Nested(ScopeSchema, allow_none=True)
    exclusive_group = _optional(Text())
    priority = _optional(WholeNumber(minimum=None))
    rate = _optional(NumberText())
    amount_per_unit = _optional(NumberText())
    tiers = fields.List(fields.Nested(TierSchema), allow_none=True)
    tier_method = _optional(Text(validate=choice("retroactive", "marginal")))
    tier_measure = _optional(Text(validate=choice("amount", "quantity")))
    measure_cap = _optional(NumberText())
    growth = fields.Nested(GrowthSchema, allow_none=True)
    renewal = fields.Nested(RenewalSchema, allow_none=True)
    caps = fields.Nested(CapsSchema, allow_none=True)
    clawback_window_days = _optional(WholeNumber())
    refund_volume_attribution = _optional(Text(validate=choice("origin_period", "refund_period")))

    @validates_schema
    def _kind_fields(self, data: dict[str, Any], **_kwargs: Any) -> None:
        missing = {
            name: [_("A %(kind)s rule needs this field.", kind=data["kind"])]
            for name in KIND_NEEDS.get(data.get("kind", ""), ())
            if data.get(name) in (None, [])
        }
        if missing:
            raise ValidationError(missing)


def time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a time zone (e.g. Europe/Berlin).", value=value[:60])
        ) from None


def currency_code(value: str) -> None:
    if not CURRENCY.match(value):
        raise ValidationError(_("Write a three-letter currency code, e.g. EUR."))


class ProgramSchema(StrictSchema):
    id = Text(required=True, validate=identifier)
    settlement_currency = Text(required=True, validate=currency_code)
    timezone = _optional(Text(validate=time_zone))
    statement_period = _optional(Text(validate=choice(*MONTHS)))
    grace_days = _optional(WholeNumber())
    min_payout = _optional(NumberText())
    negative_balance = _optional(Text(validate=choice("carry_forward", "debit_note")))
    rounding = _optional(Text(validate=choice("half_even", "half_up")))
    fx_rate_date = _optional(Text(validate=choice("event_date", "statement_date")))
    rules = fields.List(fields.Nested(RuleSchema), required=True)


# -- errors -------------------------------------------------------------------------------------


# Marshmallow's own messages, in the user's language.
def _builtin(message: str) -> str:
    known = {
        "Missing data for required field.": _("This field is required."),
        "Unknown field.": _("This field is not part of a program document."),
        "Field may not be null.": _("This field is required."),
        "Not a valid list.": _("Write a list."),
        "Invalid input type.": _("Write an object."),
    }
    return known.get(message, message)


def _flatten(errors: Any, path: str, out: dict[str, list[str]]) -> None:
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            if isinstance(key, int):
                child = f"{path}[{key}]"
            elif key == "_schema":
                child = path
            else:
                child = f"{path}.{key}" if path else str(key)
            _flatten(value, child, out)
    elif isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        out.setdefault(path or "document", []).extend(_builtin(item) for item in errors)
    elif isinstance(errors, list):
        for item in errors:
            _flatten(item, path, out)
    else:
        out.setdefault(path or "document", []).append(_builtin(str(errors)))


def flatten(errors: Any) -> dict[str, list[str]]:
    """Marshmallow's nested errors as ``{"rules[0].rate": [message]}``."""
    out: dict[str, list[str]] = {}
    _flatten(errors, "", out)
    return out


def _engine_path(field: str) -> str:
    return field.removeprefix("program.").removeprefix("program") or "document"


# -- the check ------------------------------------------------------------------------------------


def validate_program(document: object, currency: str, live: bool) -> dict[str, Any]:
    """The document, checked, as plain JSON (a copy); raises ProgramInvalid.

    `currency` is the tenant's: a program settles in it. `live` (publishing) also
    refuses ``fx_rate_date: statement_date``, which only the simulator supports: the
    product posts each entry when its order changes, and converting at a period's last
    rate would leave entries unknown until the period ends.
    """
    if not isinstance(document, Mapping):
        raise ProgramInvalid({"document": [_("A program document is a JSON object.")]})
    try:
        plain = json.loads(json.dumps(document))
    except (TypeError, ValueError):
        raise ProgramInvalid({"document": [_("A program document is a JSON object.")]}) from None
    try:
        ProgramSchema().load(copy.deepcopy(plain))
    except ValidationError as error:
        raise ProgramInvalid(flatten(error.messages)) from None
    product: dict[str, list[str]] = {}
    if plain["settlement_currency"] != currency:
        product["settlement_currency"] = [
            _(
                "A program settles in the storefront's currency, %(currency)s.",
                currency=currency,
            )
        ]
    if live and plain.get("fx_rate_date") == "statement_date":
        product["fx_rate_date"] = [
            _(
                "A live program converts at the event date's rate (event_date); "
                "statement_date can only be tried in the simulator."
            )
        ]
    if product:
        raise ProgramInvalid(product)
    try:
        parse.program(plain)
    except InputError as error:
        raise ProgramInvalid({_engine_path(error.field): [error.message]}) from None
    return plain
