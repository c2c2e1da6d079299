"""A statement as CSV, for accounting: stable column names and codes, plain amounts.

The header and the codes in the cells (line type, reason, rule kind, period keys) are
the simulation contract's words, the same in every language, so a spreadsheet or an
import written once keeps working. The first row is the opening balance, so the amount
column sums to the statement's total. Amounts are plain decimals with a point and
exactly the currency's minor units. Text cells a spreadsheet could run as a formula get
a leading quote (the order export's writer); amounts are numbers and are left as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select

from channelfront.extensions import db
from channelfront.orders.export import CHUNK, safe_cell
from channelfront.statements.queries import ProgramInfo, StatementView
from channelfront.tenancy.scoping import tenant_scope
from incentives.money import exponent

BATCH = 1000
HEADER = (
    "period",
    "program",
    "line",
    "rule",
    "rule_kind",
    "type",
    "reason",
    "origin_period",
    "order",
    "amount",
    "currency",
)


def amount_text(minor: int, currency: str) -> str:
    """`-1234.50`: minor units as a plain decimal with exactly the currency's decimals."""
    places = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**places)
    return f"{sign}{whole}.{part:0{places}d}" if places else f"{sign}{whole}"


def filename(view: StatementView) -> str:
    state = "open" if view.id is None else "statement"
    return f"{state}-{view.program.code}-{view.period}.csv"


def _row(
    view: StatementView, program: ProgramInfo, line: list[object], minor: int, currency: str
) -> list[str]:
    return [
        *(safe_cell(cell) for cell in [view.period, program.code, *line]),
        amount_text(minor, currency),
        currency,
    ]


def _order(row: Any, company_id: int | None) -> str:
    if company_id is not None and row.order_company_id != company_id:
        return ""
    return row.order_number or ""


def csv_chunks(
    view: StatementView, lines: Select[Any], tenant_id: int, company_id: int | None = None
) -> Iterator[str]:
    """Stream the statement (UTF-8 with a BOM, so spreadsheets read accents).

    With `company_id` (a reseller), only that company's own order numbers are written.
    """
    program = view.program
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    opening = view.opening
    writer.writerow(
        _row(
            view,
            program,
            ["", "", "", "opening_balance", "", "", ""],
            opening.minor,
            opening.currency,
        )
    )
    # The body is produced after the view returned: name the tenant again.
    with tenant_scope(tenant_id):
        result = db.session.execute(lines.execution_options(yield_per=BATCH))
        for row in result:
            entry = row[0]
            cells: list[object] = [
                entry.id,
                entry.rule_id or "",
                program.kinds.get(entry.rule_id or "", ""),
                entry.type,
                entry.reason or "",
                entry.origin_period,
                _order(row, company_id),
            ]
            writer.writerow(_row(view, program, cells, entry.amount_minor, entry.currency))
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        result.close()
    yield buffer.getvalue()
