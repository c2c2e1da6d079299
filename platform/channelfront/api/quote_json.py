"""Quotes and special price requests as the plain data the output schemas dump.

This is the reseller's (and the distributor staff's) view: buy prices, margins and price
sources are in it. The end customer never reaches these answers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from channelfront.api.order_json import customer_json, decimal, utc
from channelfront.api.quote_queries import QuoteDetail
from channelfront.deals.output import deal_ref
from channelfront.quotes import services
from channelfront.quotes.checkout_step import LineKey
from channelfront.quotes.models import Quote, QuoteLine, SpecialPriceRequest


def percent(bps: int) -> str:
    """Basis points as a percent with two decimals ("12.50")."""
    return str(Decimal(bps).scaleb(-2))


def signed(minor: int, currency: str) -> str:
    """An amount that may be below zero (a margin when resale is under buy)."""
    return decimal(minor, currency) if minor >= 0 else "-" + decimal(-minor, currency)


def _buy_unit(line: QuoteLine, special: dict[LineKey, int]) -> tuple[int, bool]:
    """The line's unit buy price now: its approved special price when lower."""
    found = special.get((line.product_id, line.quantity, line.term_months))
    if found is not None and found < line.buy_unit_minor:
        return found, True
    return line.buy_unit_minor, False


def _line(line: QuoteLine, special: dict[LineKey, int], currency: str) -> dict[str, Any]:
    buy_unit, is_special = _buy_unit(line, special)
    buy_total = buy_unit * line.units
    return {
        "id": line.id,
        "sku": line.sku,
        "name": line.name,
        "kind": line.kind,
        "quantity": line.quantity,
        "term_months": line.term_months,
        "periods": line.periods,
        "list_price": decimal(line.list_unit_minor, currency),
        "normal_buy_price": decimal(line.buy_unit_minor, currency),
        "buy_price": decimal(buy_unit, currency),
        "price_source": "special" if is_special else line.price_source,
        "resale_price": decimal(line.resale_unit_minor, currency),
        "buy_total": decimal(buy_total, currency),
        "resale_total": decimal(line.resale_total_minor, currency),
        "margin": signed(line.resale_total_minor - buy_total, currency),
    }


def _totals(quote: Quote, special: dict[LineKey, int]) -> dict[str, str]:
    currency = quote.currency
    buy = sum(_buy_unit(line, special)[0] * line.units for line in quote.lines)
    resale = sum(line.resale_total_minor for line in quote.lines)
    listed = sum(line.list_unit_minor * line.units for line in quote.lines)
    return {
        "list": decimal(listed, currency),
        "buy": decimal(buy, currency),
        "resale": decimal(resale, currency),
        "margin": signed(resale - buy, currency),
    }


def quote_json(detail: QuoteDetail) -> dict[str, Any]:
    quote, currency = detail.quote, detail.quote.currency
    return {
        "number": quote.number,
        "status": quote.status,
        "revision": quote.revision,
        "expired": services.is_expired(quote),
        "currency": currency,
        "language": quote.language,
        "valid_until": quote.valid_until,
        "created_at": utc(quote.created_at),
        "updated_at": utc(quote.updated_at),
        "sent_at": utc(quote.sent_at),
        "note": quote.note,
        "terms": quote.terms,
        "license_to_customer": quote.license_to_customer,
        "deal": deal_ref(quote.deal_id),
        "crm_account_id": quote.crm_account_id,
        "crm_opportunity_id": quote.crm_opportunity_id,
        "pricing": None
        if not quote.pricing_mode
        else {"mode": quote.pricing_mode, "percent": percent(quote.pricing_bps or 0)},
        "buyer": {"name": detail.buyer.name, "email": detail.buyer.email},
        "end_customer": customer_json(quote.customer),
        "lines": [_line(line, detail.special_prices, currency) for line in quote.lines],
        "totals": _totals(quote, detail.special_prices),
        "order_number": detail.order_number,
        "accepted_as": quote.accepted_as,
        "decline_reason": quote.decline_reason,
        "events": [
            {
                "kind": event.kind,
                "revision": event.revision,
                "at": utc(event.at),
                "actor": detail.actors.get(event.actor_id) if event.actor_id else None,
                "note": event.note,
                "data": event.data or {},
            }
            for event in quote.events
        ],
        "special_prices": [
            special_price_json(row, quote.number, detail.actors, detail.company_name)
            for row in detail.special_requests
        ],
    }


def summary_json(quote: Quote) -> dict[str, Any]:
    customer = quote.customer
    return {
        "number": quote.number,
        "status": quote.status,
        "revision": quote.revision,
        "currency": quote.currency,
        "total": decimal(quote.resale_total_minor, quote.currency),
        "valid_until": quote.valid_until,
        "created_at": utc(quote.created_at),
        "end_customer": {"id": customer.id, "company_name": customer.company_name},
    }


def _moment(value: object) -> datetime | None:
    """A decision's time as stored in JSON (ISO text), aware UTC; None if unreadable."""
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, str):
        try:
            return utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def _decision(entry: dict[str, Any], currency: str, actors: dict[int, str]) -> dict[str, Any]:
    unit = entry.get("unit_minor")
    by, name = entry.get("by"), entry.get("name")
    return {
        "decision": str(entry.get("decision") or ""),
        "stage": entry.get("stage"),
        "unit_price": decimal(unit, currency)
        if isinstance(unit, int) and not isinstance(unit, bool) and unit >= 0
        else None,
        "comment": entry.get("comment"),
        "by": name if isinstance(name, str) else (actors.get(by) if isinstance(by, int) else None),
        "at": _moment(entry.get("at")),
    }


def special_price_json(
    row: SpecialPriceRequest,
    quote_number: str,
    actors: dict[int, str],
    company_name: str,
) -> dict[str, Any]:
    currency = row.currency
    approved = row.approved_unit_minor
    return {
        "id": row.id,
        "quote_number": quote_number,
        "line_id": row.quote_line_id,
        "sku": row.sku,
        "quantity": row.quantity,
        "term_months": row.term_months,
        "currency": currency,
        "normal_unit_price": decimal(row.normal_unit_minor, currency),
        "requested_unit_price": decimal(row.requested_unit_minor, currency),
        "discount_percent": percent(row.discount_bps),
        "requested_total": decimal(row.requested_unit_minor * row.units, currency),
        "approved_unit_price": decimal(approved, currency) if approved is not None else None,
        "status": row.status,
        "stage": row.stage,
        "needs_vendor": row.needs_vendor,
        "auto_approved": row.auto_approved,
        "justification": row.justification,
        "deal_ref": row.deal_ref,
        "comment": row.comment,
        "valid_until": row.valid_until,
        "company": {"id": row.company_id, "name": company_name},
        "requested_by": actors.get(row.requested_by),
        "created_at": utc(row.created_at),
        "decided_at": utc(row.decided_at),
        "decisions": [
            _decision(entry, currency, actors)
            for entry in (row.decisions or [])
            if isinstance(entry, dict)
        ],
    }
