"""Quick order: lines ``SKU, quantity[, term]`` pasted or uploaded, checked whole, then carted.

Every line is checked before anything is added: an unknown SKU, a product this reseller
may not buy, a bad quantity or a term the product does not offer is reported by its line
number. Only a clean list reaches the cart, through the cart service, in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from channelfront.catalog.models import ListPrice, Product
from channelfront.extensions import db
from channelfront.orders import cart as carts
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import MAX_QUANTITY, LineRequest, parse_quantity, parse_term
from channelfront.orders.models import Cart
from channelfront.pricing.services import PartnerTerms, authorized_products

MAX_BYTES = 256 * 1024
MAX_LINES = carts.MAX_CART_LINES
SEPARATORS = ",;\t"
HEADER_WORDS = frozenset({"sku", "product", "article"})


@dataclass(frozen=True)
class RawLine:
    number: int
    sku: str
    quantity: str
    term: str
    extra: bool = False


@dataclass(frozen=True)
class LineError:
    number: int
    field: str
    message: str


@dataclass(frozen=True)
class QuickLine:
    number: int
    sku: str
    quantity: int
    term_months: int | None


class QuickOrderError(ValueError):
    """The list is refused as a whole; ``errors`` names each bad line."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(f"{e.number}: {e.message}" for e in errors))
        self.errors = errors


def decode(data: bytes) -> str:
    """An uploaded file as text: UTF-8 with or without a BOM, within the size cap."""
    if len(data) > MAX_BYTES:
        raise QuickOrderError([LineError(0, "file", _too_big())])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = _("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.")
        raise QuickOrderError([LineError(0, "file", message)]) from exc


def _too_big() -> str:
    return _("The list is too large (at most %(kb)d KB).", kb=MAX_BYTES // 1024)


def _separator(line: str) -> str:
    """The separator of a line: a tab or a semicolon when present, otherwise a comma."""
    return next((sep for sep in "\t;" if sep in line), ",")


def parse(text: str) -> list[RawLine]:
    """Split pasted or uploaded text into numbered lines; blank lines and a header are skipped."""
    text = text.removeprefix("\ufeff")
    if len(text.encode()) > MAX_BYTES:
        raise QuickOrderError([LineError(0, "lines", _too_big())])
    lines: list[RawLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        [cells] = list(csv.reader(io.StringIO(line), delimiter=_separator(line))) or [[]]
        cells = [cell.strip() for cell in cells]
        if not lines and cells and cells[0].lower() in HEADER_WORDS:
            continue
        cells += [""] * (3 - len(cells))
        lines.append(RawLine(number, cells[0], cells[1], cells[2], any(cells[3:])))
    if not lines:
        raise QuickOrderError([LineError(0, "lines", _("Enter at least one line."))])
    if len(lines) > MAX_LINES:
        message = _("A quick order has at most %(max)d lines.", max=MAX_LINES)
        raise QuickOrderError([LineError(0, "lines", message)])
    return lines


def _products(skus: set[str], terms: PartnerTerms, currency: str) -> tuple[dict, set[str]]:
    """Authorized products by lower-case SKU, and the lower-case SKUs sold here at all."""
    wanted = {s.lower() for s in skus if s.isprintable() and len(s) <= 40}
    key = func.lower(Product.sku)
    allowed = {
        p.sku.lower(): p
        for p in db.session.scalars(authorized_products(terms, currency).where(key.in_(wanted)))
    }
    sold = select(ListPrice.product_id).where(ListPrice.currency == currency)
    known = set(
        db.session.scalars(
            select(key).where(key.in_(wanted), Product.active.is_(True), Product.id.in_(sold))
        )
    )
    return allowed, known


def _check_line(raw: RawLine, allowed: dict, known: set[str]) -> QuickLine:
    sku = raw.sku.lower()
    if not raw.sku:
        raise OrderInputError("sku", _("The SKU is missing."))
    if raw.extra:
        raise OrderInputError("line", _("A line has at most three values: SKU, quantity, term."))
    product = allowed.get(sku)
    if product is None and sku in known:
        raise OrderInputError("sku", _("%(sku)s is not authorized for you.", sku=raw.sku[:40]))
    if product is None:
        raise OrderInputError("sku", _("%(sku)s is not a known product.", sku=raw.sku[:40]))
    quantity = parse_quantity(raw.quantity)
    term = parse_term(product, raw.term)
    return QuickLine(raw.number, product.sku, quantity, term)


def _merge(lines: list[QuickLine]) -> tuple[list[QuickLine], list[LineError]]:
    """A SKU listed twice with the same term adds up; with another term it is an error."""
    merged: dict[str, QuickLine] = {}
    errors: list[LineError] = []
    for line in lines:
        first = merged.get(line.sku)
        if first is None:
            merged[line.sku] = line
        elif first.term_months != line.term_months:
            message = _(
                "%(sku)s is on line %(line)d with another term.", sku=line.sku, line=first.number
            )
            errors.append(LineError(line.number, "term", message))
        elif first.quantity + line.quantity > MAX_QUANTITY:
            message = _(
                "Together with line %(line)d the quantity is over %(max)d.",
                line=first.number,
                max=MAX_QUANTITY,
            )
            errors.append(LineError(line.number, "quantity", message))
        else:
            merged[line.sku] = QuickLine(
                first.number, first.sku, first.quantity + line.quantity, first.term_months
            )
    return list(merged.values()), errors


def check(raw_lines: list[RawLine], terms: PartnerTerms, currency: str) -> list[QuickLine]:
    """Every line checked; QuickOrderError lists each bad line by number and field."""
    allowed, known = _products({r.sku for r in raw_lines}, terms, currency)
    checked: list[QuickLine] = []
    errors: list[LineError] = []
    for raw in raw_lines:
        try:
            checked.append(_check_line(raw, allowed, known))
        except OrderInputError as error:
            errors.append(LineError(raw.number, error.field, error.message))
    merged, merge_errors = _merge(checked)
    errors.extend(merge_errors)
    if errors:
        raise QuickOrderError(sorted(errors, key=lambda e: e.number))
    return merged


def add_to_cart(
    cart: Cart, lines: list[QuickLine], terms: PartnerTerms, currency: str, locale: str
) -> int:
    """Add the checked lines as "add to cart" does (no commit); the cart's limits still hold.

    Raises QuickOrderError naming the line whose sum with the cart breaks a limit; the
    caller rolls back so nothing is added.
    """
    errors: list[LineError] = []
    for line in lines:
        request = LineRequest(line.sku, line.quantity, line.term_months)
        try:
            carts.set_line(cart, terms, currency, locale, request, add=True)
        except OrderInputError as error:
            errors.append(LineError(line.number, error.field.rpartition(".")[2], error.message))
    if errors:
        raise QuickOrderError(errors)
    return len(lines)
