"""Reading an uploaded CSV as a whole: size, encoding, header and rows, errors by row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_BYTES = 1024 * 1024
MAX_ROWS = 20_000
FILE = "file"
# What a spreadsheet would run as a formula when the file is opened.
FORMULA_START = ("=", "+", "@", "\t", "\r")


@dataclass(frozen=True)
class RowError:
    """``row`` is the spreadsheet row (the header is row 1; 0 for the whole file)."""

    row: int
    field: str
    message: str


@dataclass
class Table:
    """The rows of a file as ``(row number, {column: cell})``, or the errors refusing it."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValueError(_("The file is larger than %(size)s MB.", size=MAX_BYTES // 2**20))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            _("The file is not UTF-8. Save it as CSV UTF-8 and upload it again.")
        ) from exc


def read_table(data: bytes, columns: tuple[str, ...]) -> Table:
    """Check the file's form and header; cells are stripped, formulas refused."""
    table = Table()
    try:
        text = _decode(data)
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        names = [cell.strip().lower() for cell in next(reader, None) or []]
        missing = [c for c in columns if c not in names]
        if missing:
            raise ValueError(
                _(
                    "The first row must name the columns %(columns)s; missing: %(missing)s.",
                    columns=", ".join(columns),
                    missing=", ".join(missing),
                )
            )
        for number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(table.rows) >= MAX_ROWS:
                raise ValueError(_("The file has more than %(num)d rows.", num=MAX_ROWS))
            cells = dict(zip(names, (c.strip() for c in raw), strict=False))
            row = {name: cells.get(name) or "" for name in columns}
            bad = [n for n, v in row.items() if v.startswith(FORMULA_START)]
            for name in bad:
                message = _("A cell cannot start with =, +, @ or a tab (a formula).")
                table.errors.append(RowError(number, name, message))
            table.rows.append((number, row))
    except (ValueError, csv.Error) as exc:
        table.errors.append(RowError(0, FILE, str(exc)))
        return table
    if not table.rows and not table.errors:
        table.errors.append(RowError(0, FILE, _("The file has no rows below the header.")))
    return table
