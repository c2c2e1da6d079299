"""An audit event's before and after values as a reader reads them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_percent
from flask_babel import get_locale
from flask_babel import gettext as _

from channelfront.accounts.roles import STATUS_LABELS, role_label
from channelfront.audit.labels import field_label
from channelfront.audit.models import AuditEvent
from channelfront.audit.values import is_money
from channelfront.i18n.formatting import Money, money

LONG = 120


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def shown(key: str, value: Any, limit: int | None = LONG) -> str:
    """One value in the reader's language: money, discounts, roles, yes/no; else as recorded."""
    if value is None:
        return "—"
    if is_money(value):
        return money(Money(value["minor"], value["currency"]))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key.endswith("_bps") and isinstance(value, int):
        return format_percent(value / 10000, "#,##0.##%", locale=str(get_locale()))
    if key == "role" and isinstance(value, str):
        return role_label(value)
    if key == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    text = (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def changes(event: AuditEvent, limit: int | None = LONG) -> list[Change]:
    """Each recorded field with its value before and after (a dash where there was none)."""
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(field_label(k), shown(k, before.get(k), limit), shown(k, after.get(k), limit))
        for k in keys
    ]


def summary(event: AuditEvent, side: str) -> str:
    """``before`` or ``after`` as one line of text, for the CSV."""
    values = (event.before if side == "before" else event.after) or {}
    return "; ".join(f"{field_label(k)}: {shown(k, v, None)}" for k, v in values.items())
