"""Product texts as CSV: ``sku, locale, name, description``, one row per product and locale.

An import is checked whole before anything is written: every error is listed by row and
column, and a file with any error writes nothing. A valid file is written in one
transaction, each changed product audited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channelfront.catalog.models import Product, ProductText
from channelfront.catalog.texts import Text, apply_texts, check_text
from channelfront.extensions import db

COLUMNS = ("sku", "locale", "name", "description")
MAX_BYTES = 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 200
# What a spreadsheet would run as a formula when the file is opened.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FILE = "file"


@dataclass(frozen=True)
class RowError:
    """``row`` is the spreadsheet row (the header is row 1; 0 for the whole file)."""

    row: int
    field: str
    message: str


@dataclass
class Checked:
    """A checked file: its texts by SKU and locale, or the errors that refuse it."""

    texts: dict[str, dict[str, Text]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def export_rows() -> Iterator[list[str]]:
    """The header, then every product's stored texts by SKU and locale."""
    yield list(COLUMNS)
    stmt = (
        select(ProductText.locale, ProductText.name, ProductText.description, Product.sku)
        .join(Product, Product.id == ProductText.product_id)
        .order_by(Product.sku, ProductText.locale)
    )
    for locale, name, description, sku in db.session.execute(stmt):
        yield [sku, locale, _safe(name), _safe(description or "")]


def _safe(text: str) -> str:
    # Exported cells never start a formula; an import refuses such cells instead.
    return "'" + text if text.startswith(FORMULA_START) else text


def export_csv() -> str:
    """The export as text (the view adds a byte order mark for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(export_rows())
    return out.getvalue()


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValueError(_("The file is larger than %(size)s MB.", size=max(1, MAX_BYTES // 2**20)))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            _("The file is not UTF-8. Save it as CSV UTF-8 and upload it again.")
        ) from exc


def _reader(text: str) -> Iterator[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _header(header: list[str] | None) -> list[str]:
    names = [cell.strip().lower() for cell in header or []]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ValueError(
            _(
                "The first row must name the columns %(columns)s; missing: %(missing)s.",
                columns=", ".join(COLUMNS),
                missing=", ".join(missing),
            )
        )
    return names


def _cells_errors(number: int, cells: dict[str, str]) -> list[RowError]:
    return [
        RowError(number, name, _("A cell cannot start with =, +, -, @ or a tab (a formula)."))
        for name in COLUMNS
        if cells[name].startswith(FORMULA_START)
    ]


def check_file(data: bytes) -> Checked:
    """Read and check the whole file against the catalog; nothing is written."""
    checked = Checked()
    try:
        rows = _reader(_decode(data))
        names = _header(next(rows, None))
    except (ValueError, csv.Error) as exc:
        checked.errors.append(RowError(0, FILE, str(exc)))
        return checked
    known = set(db.session.scalars(select(Product.sku)))
    seen: dict[tuple[str, str], int] = {}
    try:
        for number, raw in enumerate(rows, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            checked.rows += 1
            if checked.rows > MAX_ROWS:
                message = _("The file has more than %(num)d rows.", num=MAX_ROWS)
                checked.errors.append(RowError(0, FILE, message))
                break
            _check_row(checked, number, dict(zip(names, raw, strict=False)), known, seen)
    except csv.Error as exc:
        checked.errors.append(RowError(0, FILE, str(exc)))
    if not checked.rows and not checked.errors:
        checked.errors.append(RowError(0, FILE, _("The file has no rows below the header.")))
    return checked


def _check_row(
    checked: Checked,
    number: int,
    raw: dict[str, str | None],
    known: set[str],
    seen: dict[tuple[str, str], int],
) -> None:
    cells = {name: (raw.get(name) or "") for name in COLUMNS}
    sku, locale = cells["sku"].strip().upper(), cells["locale"].strip().lower()
    errors = _cells_errors(number, cells)
    if not errors:
        if sku not in known:
            message = _("There is no product with SKU “%(sku)s”.", sku=sku[:40])
            errors.append(RowError(number, "sku", message))
        text = Text(cells["name"], cells["description"])
        if not text.name.strip():
            errors.append(RowError(number, "name", _("Enter a name.")))
        problems = check_text(locale, text)
        errors += [RowError(number, f, m) for f, m in problems.items() if f != "name" or text.name]
        first = seen.setdefault((sku, locale), number)
        if first != number:
            message = _("Row %(row)d already has this SKU and language.", row=first)
            errors.append(RowError(number, "locale", message))
    if errors:
        checked.errors += errors
    else:
        checked.texts.setdefault(sku, {})[locale] = Text(cells["name"], cells["description"])


def import_texts(checked: Checked) -> int:
    """Write a valid file's texts (the caller commits); the number of products changed."""
    if checked.errors:
        raise ValueError("a file with errors is never written")
    products = db.session.scalars(
        select(Product).where(Product.sku.in_(checked.texts)).options(selectinload(Product.texts))
    )
    return sum(apply_texts(p, checked.texts[p.sku]) for p in products)
