"""A customer list from a CSV file: read, checked whole, then written all or nothing.

The file is checked before anything is stored: every row is validated by the same rules
as a customer typed at checkout (``services.validate``) and matched against the
company's customers by CRM account id, then VAT id, then e-mail. Any invalid row (or a
file-level problem) means nothing is written. The write re-checks the file against the
customers as they are then, so a list changed since the preview is never half applied.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.customers.models import Customer
from channelfront.customers.services import CustomerInput, validate
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: Files up to this many rows are checked and written inline; larger ones by a task.
INLINE_ROWS = 500
#: Stored and answered errors and previewed changes are capped (the counts are not).
MAX_ERRORS = 1000
MAX_PREVIEW = 200
FIELDS = ("company_name", "contact_name", "email", "country", "vat_id", "crm_account_id")
#: Columns of the list's own download that an upload reads past, so a downloaded list can
#: be edited and uploaded again.
IGNORED = ("id", "archived", "created_at", "last_order_at")
REQUIRED = frozenset({"company_name", "contact_name", "email", "country"})
# What a spreadsheet would run as a formula when the file is opened again.
FORMULA_START = ("=", "+", "-", "@")
FILE = "file"

#: ``progress(done, total)``, called every ``PROGRESS_STEP`` rows and at the end.
Progress = Callable[[int, int], None]
PROGRESS_STEP = 250


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: ``row`` is the spreadsheet row (the header is row 1; 0 for
    the whole file), ``field`` the column."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Change:
    """A valid row and what it does: ``new``, ``updated`` or ``unchanged``."""

    row: int
    action: str
    customer_id: int | None
    values: dict[str, str | None]

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "action": self.action,
            "customer_id": self.customer_id,
            **self.values,
        }


@dataclass
class Check:
    total_rows: int = 0
    columns: tuple[str, ...] = ()
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    invalid_rows: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        found = {"new": 0, "updated": 0, "unchanged": 0, "invalid": self.invalid_rows}
        for change in self.changes:
            found[change.action] += 1
        return found

    def error_dicts(self) -> list[dict[str, object]]:
        return [error.as_dict() for error in self.errors[:MAX_ERRORS]]

    def preview(self) -> list[dict[str, object]]:
        shown = [c for c in self.changes if c.action != "unchanged"][:MAX_PREVIEW]
        return [change.as_dict() for change in shown]


class FileRefused(ValueError):
    """The file as a whole cannot be read (size, encoding, columns, row count)."""

    def __init__(self, message: str, row: int = 0, column: str = FILE) -> None:
        super().__init__(message)
        self.error = RowError(row, column, message)


# Reading


def decode(data: bytes) -> str:
    """The file's text: UTF-8 with or without a byte order mark, at most 5 MB."""
    if len(data) > MAX_BYTES:
        raise FileRefused(_("The file is larger than %(size)s MB.", size=MAX_BYTES // 2**20))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise FileRefused(
            _(
                "The file is not UTF-8 (byte %(offset)d, row %(row)d). "
                "Save it as CSV UTF-8 and upload it again.",
                offset=exc.start,
                row=row,
            ),
            row=row,
        ) from exc


def _delimiter(text: str) -> str:
    """``;`` when the header line has more of them than commas (German Excel), else ``,``."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _columns(header: list[str]) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in header)
    for name in names:
        if name not in FIELDS and name not in IGNORED:
            raise FileRefused(
                _(
                    "Unknown column %(column)s. The columns are: %(columns)s.",
                    column=name or '""',
                    columns=", ".join(FIELDS),
                ),
                row=1,
                column=name,
            )
        if names.count(name) > 1:
            raise FileRefused(_("The column %(column)s appears twice.", column=name), 1, name)
    for name in FIELDS:
        if name in REQUIRED and name not in names:
            raise FileRefused(_("The column %(column)s is missing.", column=name), 1, name)
    return names


def read_rows(text: str) -> tuple[tuple[str, ...], list[Row]]:
    """The header's columns and the non-empty rows, numbered as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[Row] = []
    number = 0
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused(_("The file is empty."))
        columns = _columns(header)
        number = 1
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileRefused(_("The file has more than %(max)d rows.", max=MAX_ROWS))
            padded = [*cells, *[""] * (len(columns) - len(cells))]
            extra = [cell for cell in padded[len(columns) :] if cell.strip()]
            values = dict(zip(columns, padded, strict=False))
            if extra:
                values["__extra__"] = "x"
            rows.append(Row(number, values))
    except csv.Error as exc:
        raise FileRefused(
            _("Row %(row)d cannot be read as CSV.", row=number + 1), row=number + 1
        ) from exc
    return columns, rows


# Checking one row


def _normal_vat(value: str | None) -> str:
    return re.sub(r"[\s.-]", "", value or "").upper()


def _row_values(row: Row, columns: tuple[str, ...]) -> tuple[dict[str, str | None], list[RowError]]:
    """The row's checked values (only the file's columns), or its errors."""
    errors: list[RowError] = []
    if "__extra__" in row.cells:
        errors.append(RowError(row.number, FILE, _("The row has more cells than columns.")))
    for name in columns:
        if row.cells.get(name, "").strip().startswith(FORMULA_START):
            message = _("A cell may not start with = + - or @ (a spreadsheet formula).")
            errors.append(RowError(row.number, name, message))
    if errors:
        return {}, errors
    try:
        checked = validate(
            CustomerInput(
                company_name=row.cells["company_name"],
                contact_name=row.cells["contact_name"],
                email=row.cells["email"],
                country=row.cells["country"],
                vat_id=row.cells.get("vat_id", ""),
                crm_account_id=row.cells.get("crm_account_id", ""),
            ),
            field="row",
        )
    except OrderInputError as exc:
        return {}, [RowError(row.number, exc.field.removeprefix("row."), exc.message)]
    values: dict[str, str | None] = {
        "company_name": checked.company_name,
        "contact_name": checked.contact_name,
        "email": checked.email,
        "country": checked.country,
    }
    if "vat_id" in columns:
        values["vat_id"] = checked.vat_id or None
    if "crm_account_id" in columns:
        values["crm_account_id"] = checked.crm_account_id or None
    return values, []


# Matching


@dataclass(frozen=True)
class Known:
    """An existing customer's id and fields, read once (plain values, never expired)."""

    id: int
    values: dict[str, str | None]


class Index:
    """The company's customers (not merged away) by CRM id, VAT id and e-mail."""

    def __init__(self, company_id: int) -> None:
        self.by_crm: dict[str, Known] = {}
        self.by_vat: dict[str, Known] = {}
        self.by_email: dict[str, Known] = {}
        found = db.session.execute(
            select(Customer.id, *(getattr(Customer, name) for name in FIELDS))
            .where(Customer.company_id == company_id, Customer.merged_into_id.is_(None))
            .order_by(Customer.id)
        )
        for customer_id, *cells in found:
            known = Known(customer_id, dict(zip(FIELDS, cells, strict=True)))
            crm, vat = known.values["crm_account_id"], known.values["vat_id"]
            if crm:
                self.by_crm.setdefault(crm, known)
            if vat:
                self.by_vat.setdefault(_normal_vat(vat), known)
            self.by_email.setdefault(str(known.values["email"]).lower(), known)

    def match(self, values: dict[str, str | None]) -> Known | None:
        """CRM account id beats VAT id beats e-mail."""
        crm, vat = values.get("crm_account_id"), values.get("vat_id")
        return (
            (self.by_crm.get(crm) if crm else None)
            or (self.by_vat.get(vat) if vat else None)
            or self.by_email.get(str(values["email"]).lower())
        )


def _keys(values: dict[str, str | None]) -> list[tuple[str, str]]:
    keys = [("email", str(values["email"]).lower())]
    if values.get("vat_id"):
        keys.insert(0, ("vat_id", str(values["vat_id"])))
    if values.get("crm_account_id"):
        keys.insert(0, ("crm_account_id", str(values["crm_account_id"])))
    return keys


def _differs(customer: Known, values: dict[str, str | None]) -> bool:
    return any(customer.values[name] != value for name, value in values.items())


def check_text(text: str, company_id: int, progress: Progress | None = None) -> Check:
    """Check a whole file against the company's customers; nothing is written."""
    result = Check()
    try:
        columns, rows = read_rows(text)
    except FileRefused as exc:
        result.errors.append(exc.error)
        return result
    result.columns, result.total_rows = columns, len(rows)
    index = Index(company_id)
    seen_customers: dict[int, int] = {}
    seen_keys: dict[tuple[str, str], int] = {}
    for done, row in enumerate(rows, start=1):
        values, errors = _row_values(row, columns)
        if not errors:
            errors, change = _place(row.number, values, index, seen_customers, seen_keys)
            if change is not None:
                result.changes.append(change)
        if errors:
            result.invalid_rows += 1
            result.errors.extend(errors)
        if progress is not None and (done % PROGRESS_STEP == 0 or done == len(rows)):
            progress(done, len(rows))
    return result


def _place(
    number: int,
    values: dict[str, str | None],
    index: Index,
    seen_customers: dict[int, int],
    seen_keys: dict[tuple[str, str], int],
) -> tuple[list[RowError], Change | None]:
    """Match one valid row; a row matching what an earlier row matched is a duplicate."""
    customer = index.match(values)
    earlier = seen_customers.get(customer.id) if customer is not None else None
    keys = _keys(values)
    duplicate_field = "email"
    for key in keys:
        if earlier is None and key in seen_keys:
            earlier, duplicate_field = seen_keys[key], key[0]
    if earlier is not None:
        message = _("Duplicate of row %(row)d.", row=earlier)
        return [RowError(number, duplicate_field, message)], None
    for key in keys:
        seen_keys[key] = number
    if customer is None:
        return [], Change(number, "new", None, values)
    seen_customers[customer.id] = number
    action = "updated" if _differs(customer, values) else "unchanged"
    return [], Change(number, action, customer.id, values)


# Writing


@dataclass(frozen=True)
class Written:
    check: Check
    customer_ids: list[int]


def write(text: str, company_id: int, progress: Progress | None = None) -> Written:
    """Check the file again and, when every row is valid, add and update the customers
    in the session (the caller commits once, so the list is written whole or not at all).
    """
    result = check_text(text, company_id, progress)
    if not result.valid:
        return Written(result, [])
    now = datetime.now(UTC)
    by_id = {c.id: c for c in _customers(company_id, result.changes)}
    touched: list[Customer] = []
    for change in result.changes:
        if change.action == "new":
            customer = Customer(company_id=company_id, **_defaults(change.values))
            db.session.add(customer)
            touched.append(customer)
        elif change.action == "updated" and change.customer_id is not None:
            customer = by_id[change.customer_id]
            for name, value in change.values.items():
                setattr(customer, name, value)
            customer.updated_at = now
            touched.append(customer)
    db.session.flush()
    return Written(result, [c.id for c in touched])


def _defaults(values: dict[str, str | None]) -> dict[str, str | None]:
    return {"vat_id": None, "crm_account_id": None, **values}


def _customers(company_id: int, changes: list[Change]) -> Iterator[Customer]:
    ids = [c.customer_id for c in changes if c.action == "updated" and c.customer_id]
    for start in range(0, len(ids), 500):
        yield from db.session.scalars(
            select(Customer).where(
                Customer.company_id == company_id, Customer.id.in_(ids[start : start + 500])
            )
        )
