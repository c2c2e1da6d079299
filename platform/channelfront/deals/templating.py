"""``registered_deal(id)`` in every template: the deal a special price request is for,
so the partner and console decision pages can show it (number, CRM id, protection)."""

from __future__ import annotations

from typing import Any

from channelfront.deals.models import Deal
from channelfront.extensions import db
from channelfront.web.params import MAX_ID


def registered_deal(deal_id: int | None) -> Deal | None:
    """The deal with this id on the active storefront, or None."""
    if not isinstance(deal_id, int) or not 0 < deal_id <= MAX_ID:
        return None
    return db.session.get(Deal, deal_id)


def template_helpers() -> dict[str, Any]:
    return {"registered_deal": registered_deal}
