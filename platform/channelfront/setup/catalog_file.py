"""A catalog file read into rows, CSV or JSON alike; nothing is checked against the database.

CSV: one row per product. ``sku, category, kind, term_months`` and any of
``name_<locale>``, ``description_<locale>``, ``category_name_<locale>`` and
``price_<currency>`` (``price_usd``), the header first, ``,`` or ``;`` between cells.

JSON: ``{"categories": [{"slug", "names": {locale: name}}], "products": [{"sku",
"category", "kind", "term_months", "texts": {locale: {"name", "description"}},
"prices": {currency: "amount"}}]}``.

Amounts are decimal text in the currency's major units ("1250.50"), never a number,
so nothing is lost to floating point. Each row keeps where it came from, and each of
its values the field name the file used, so an error can point at both.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from babel.numbers import list_currencies

from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.onboarding.csv_table import FORMULA_START

FORMATS = (".csv", ".json")
BASE_COLUMNS = ("sku", "category", "kind", "term_months")
PREFIXES = ("category_name_", "description_", "name_", "price_")


@dataclass(frozen=True)
class FileError:
    """A problem at ``where`` ("row 4", "products[2]", "file") in the file's ``field``;
    ``order`` sorts the errors as the file runs (0: the whole file)."""

    where: str
    field: str
    message: str
    order: int = 0

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}, field {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


@dataclass
class Row:
    """Values by key (``sku``, ``("name", "de")``, ``("price", "USD")``...), with the
    field name the file gave each one."""

    where: str
    order: int
    values: dict[object, object] = field(default_factory=dict)
    names: dict[object, str] = field(default_factory=dict)

    def put(self, key: object, value: object, name: str) -> None:
        self.values[key] = value
        self.names[key] = name

    def error(self, key: object, message: str, name: str = "") -> FileError:
        """An error in this row's field ``key`` (``name``: the field's name if the row
        does not have it)."""
        return FileError(self.where, self.names.get(key) or name or str(key), message, self.order)


@dataclass
class CatalogFile:
    """Category rows (JSON only: CSV names categories on product rows) and product rows."""

    format: str
    categories: list[Row] = field(default_factory=list)
    products: list[Row] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


def read(path: Path) -> CatalogFile:
    """Read a ``.csv`` or ``.json`` file; a file that cannot be read at all has one error."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        return _refused(f"use a .csv or .json file, not '{suffix or path.name}'")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return _refused(f"cannot read the file: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _refused("the file is not UTF-8 text")
    return read_csv(text) if suffix == ".csv" else read_json(text)


def _refused(message: str, format: str = "") -> CatalogFile:  # noqa: A002
    return CatalogFile(format, errors=[FileError("file", "", message)])


def _column_key(name: str) -> tuple[str, str] | str | None:
    if name in BASE_COLUMNS:
        return name
    for prefix in PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            code = name[len(prefix) :]
            return (prefix[:-1], code.upper() if prefix == "price_" else code)
    return None


def _column_problem(key: tuple[str, str] | str | None) -> str | None:
    if key is None:
        known = ", ".join([*BASE_COLUMNS, *(f"{p}<code>" for p in PREFIXES)])
        return f"unknown column; use {known}"
    if isinstance(key, tuple) and key[0] == "price" and key[1] not in list_currencies():
        return f"'{key[1]}' is not an ISO 4217 currency code"
    if isinstance(key, tuple) and key[0] != "price" and key[1] not in SHIPPED_LOCALES:
        return f"'{key[1]}' is not a language of the site: use {', '.join(SHIPPED_LOCALES)}"
    return None


def read_csv(text: str) -> CatalogFile:
    """One product per row under a header naming the columns."""
    result = CatalogFile("csv")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader, None) or []]
        keys = [_column_key(name) for name in header]
        for name, key in zip(header, keys, strict=True):
            problem = _column_problem(key)
            if problem:
                result.errors.append(FileError("row 1", name, problem))
        missing = [c for c in ("sku", "category", "kind") if c not in header]
        if missing:
            result.errors.append(
                FileError("row 1", "", f"the header must name the columns {', '.join(missing)}")
            )
        if len(set(header)) != len(header):
            result.errors.append(FileError("row 1", "", "a column is named twice"))
        if result.errors:
            return result
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            row = Row(f"row {number}", number)
            if len(cells) > len(header):
                result.errors.append(FileError(row.where, "", "more cells than columns", number))
            for name, key, raw in zip(header, keys, cells, strict=False):
                value = raw.strip()
                if value.startswith(FORMULA_START):
                    message = "a cell cannot start with =, +, @ or a tab (a formula)"
                    result.errors.append(FileError(row.where, name, message, number))
                    row.names[key] = name
                elif value:
                    row.put(key, value, name)
            result.products.append(row)
    except csv.Error as exc:
        result.errors.append(FileError("file", "", f"not a CSV file: {exc}"))
    if not result.products and not result.errors:
        result.errors.append(FileError("file", "", "there are no rows below the header"))
    return result


def read_json(text: str) -> CatalogFile:
    """``{"categories": [...], "products": [...]}``."""
    result = CatalogFile("json")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _refused(f"not JSON: {exc}", "json")
    if not isinstance(data, dict) or not isinstance(data.get("products", []), list):
        return _refused('the file must be an object with a "products" list', "json")
    unknown = set(data) - {"categories", "products"}
    if unknown:
        return _refused(f"unknown key {sorted(unknown)[0]!r}; use categories and products", "json")
    categories = data.get("categories", [])
    if not isinstance(categories, list):
        return _refused('"categories" must be a list', "json")
    # Categories come first in the error list, then products, each in file order.
    for index, item in enumerate(categories):
        row = Row(f"categories[{index}]", 1 + index)
        result.categories.append(_json_category(row, item, result.errors))
    for index, item in enumerate(data.get("products", [])):
        row = Row(f"products[{index}]", 1 + len(categories) + index)
        result.products.append(_json_product(row, item, result.errors))
    if not result.products and not result.categories and not result.errors:
        result.errors.append(FileError("file", "", "there are no categories or products"))
    return result


def _object(
    row: Row, item: object, keys: tuple[str, ...], errors: list[FileError], prefix: str = ""
) -> dict:
    if not isinstance(item, dict):
        errors.append(row.error(None, "must be an object", prefix.rstrip(".")))
        return {}
    for key in item:
        if key not in keys:
            message = f"unknown key; use {', '.join(keys)}"
            errors.append(row.error(None, message, f"{prefix}{key}"))
    return item


def _text(row: Row, key: object, value: object, name: str, errors: list[FileError]) -> None:
    if value is None or value == "":
        return
    if not isinstance(value, str):
        errors.append(row.error(None, "must be text (in quotes)", name))
        return
    row.put(key, value.strip(), name)


def _mapping(row: Row, value: object, name: str, errors: list[FileError]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(row.error(None, "must be an object", name))
        return {}
    return value


def _json_category(row: Row, item: object, errors: list[FileError]) -> Row:
    data = _object(row, item, ("slug", "names"), errors)
    _text(row, "slug", data.get("slug"), "slug", errors)
    for locale, name in _mapping(row, data.get("names"), "names", errors).items():
        _text(row, ("category_name", locale), name, f"names.{locale}", errors)
    return row


def _json_product(row: Row, item: object, errors: list[FileError]) -> Row:
    keys = ("sku", "category", "kind", "term_months", "texts", "prices")
    data = _object(row, item, keys, errors)
    for key in ("sku", "category", "kind"):
        _text(row, key, data.get(key), key, errors)
    term = data.get("term_months")
    if isinstance(term, bool) or not isinstance(term, int | str | None):
        errors.append(row.error(None, "must be a whole number of months", "term_months"))
    elif term is not None and term != "":
        row.put("term_months", str(term), "term_months")
    for locale, text in _mapping(row, data.get("texts"), "texts", errors).items():
        fields = _object(row, text, ("name", "description"), errors, f"texts.{locale}.")
        _text(row, ("name", locale), fields.get("name"), f"texts.{locale}.name", errors)
        description = fields.get("description")
        _text(row, ("description", locale), description, f"texts.{locale}.description", errors)
    for currency, amount in _mapping(row, data.get("prices"), "prices", errors).items():
        name = f"prices.{currency}"
        row.names[("price", str(currency).upper())] = name
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            errors.append(row.error(None, f'write the amount as text, e.g. "{amount}"', name))
        else:
            _text(row, ("price", str(currency).upper()), amount, name, errors)
    return row
