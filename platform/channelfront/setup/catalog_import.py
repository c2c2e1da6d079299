"""A catalog file checked whole against the database, then written in the caller's
transaction: categories and products are created or updated by slug and SKU, texts and
list prices set for the languages and currencies the file gives (a blank cell leaves
what is stored). A file with any error writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from babel.numbers import list_currencies
from sqlalchemy import func, select

from channelfront.admin.catalog_services import MAX_TERM_MONTHS, SKU
from channelfront.admin.inputs import amount_to_minor
from channelfront.catalog.models import Category, CategoryName, ListPrice, Product, ProductKind
from channelfront.catalog.texts import Text, apply_texts, check_text
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.setup.catalog_file import CatalogFile, FileError, Row
from channelfront.tenancy.manifests import SLUG

MAX_CATEGORY_NAME = 120
KINDS = tuple(kind.value for kind in ProductKind)


@dataclass
class CategoryPlan:
    slug: str
    names: dict[str, str] = field(default_factory=dict)
    row: Row | None = None  # the first row naming it


@dataclass(frozen=True)
class ProductPlan:
    sku: str
    category: str
    kind: str
    term_months: int | None
    texts: dict[str, Text]
    prices: dict[str, int]


@dataclass
class ImportPlan:
    """What a checked file would write, or the errors that refuse it."""

    categories: dict[str, CategoryPlan] = field(default_factory=dict)
    products: list[ProductPlan] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    new_categories: int = 0
    new_products: int = 0


@dataclass
class Written:
    categories_created: int = 0
    products_created: int = 0
    products_updated: int = 0
    prices_set: int = 0


def _locale_error(row: Row, key: object, locale: str) -> FileError:
    return row.error(
        key, f"'{locale}' is not a language of the site: use {', '.join(SHIPPED_LOCALES)}"
    )


def _category_names(row: Row, plan: CategoryPlan, errors: list[FileError]) -> None:
    for key, value in row.values.items():
        if not (isinstance(key, tuple) and key[0] == "category_name"):
            continue
        locale, name = key[1], " ".join(str(value).split())
        if locale not in SHIPPED_LOCALES:
            errors.append(_locale_error(row, key, locale))
        elif len(name) > MAX_CATEGORY_NAME:
            errors.append(row.error(key, f"use at most {MAX_CATEGORY_NAME} characters"))
        elif plan.names.setdefault(locale, name) != name:
            where = plan.row.where if plan.row else "the file"
            message = f"{where} names this category '{plan.names[locale]}' in '{locale}'"
            errors.append(row.error(key, message))


def _category(row: Row, slug_key: str, plan: ImportPlan, *, declared: bool) -> CategoryPlan | None:
    """The category a row names (or declares), with the names the row gives it."""
    slug = str(row.values.get(slug_key, "")).strip()
    if not slug:
        plan.errors.append(row.error(slug_key, "enter the category's slug"))
        return None
    if not SLUG.match(slug):
        message = "use 2 to 40 lowercase letters, digits and dashes, starting with a letter"
        plan.errors.append(row.error(slug_key, message))
        return None
    category = plan.categories.get(slug)
    if category is not None and declared:
        first = category.row.where if category.row else "the file"
        plan.errors.append(row.error(slug_key, f"{first} already has this slug"))
        return None
    if category is None:
        category = plan.categories[slug] = CategoryPlan(slug, row=row)
    _category_names(row, category, plan.errors)
    return category


def _term(row: Row, kind: str, errors: list[FileError]) -> int | None:
    raw = row.values.get("term_months")
    if kind != ProductKind.SUBSCRIPTION:
        if raw is not None:
            errors.append(
                row.error("term_months", "only subscriptions have a term: leave it empty")
            )
        return None
    if raw is None:
        errors.append(row.error("term_months", "a subscription needs a term in months"))
        return None
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_TERM_MONTHS:
        errors.append(row.error("term_months", f"use a whole number of 1 to {MAX_TERM_MONTHS}"))
        return None
    return int(text)


def _texts(row: Row, is_new: bool, csv: bool, errors: list[FileError]) -> dict[str, Text]:
    locales = {
        key[1] for key in row.values if isinstance(key, tuple) and key[0] in {"name", "description"}
    }
    texts: dict[str, Text] = {}
    for locale in sorted(locales):
        name_key, description_key = ("name", locale), ("description", locale)
        if locale not in SHIPPED_LOCALES:
            key = name_key if name_key in row.values else description_key
            errors.append(_locale_error(row, key, locale))
            continue
        text = Text(str(row.values.get(name_key, "")), str(row.values.get(description_key, "")))
        problems = check_text(locale, text)
        for fieldname, message in problems.items():
            key = description_key if fieldname == "description" else name_key
            errors.append(row.error(key, message.rstrip(".")))
        if not problems:
            texts[locale] = text
    if is_new and "en" not in locales:
        name = "name_en" if csv else "texts.en.name"
        errors.append(row.error(("name", "en"), "a new product needs its English name", name))
    return texts


def _prices(row: Row, is_new: bool, csv: bool, errors: list[FileError]) -> dict[str, int]:
    currencies = list_currencies()
    prices: dict[str, int] = {}
    for key, value in row.values.items():
        if not (isinstance(key, tuple) and key[0] == "price"):
            continue
        currency = key[1]
        if currency not in currencies:
            errors.append(row.error(key, f"'{currency}' is not an ISO 4217 currency code"))
            continue
        try:
            prices[currency] = amount_to_minor(str(value), currency)
        except ValueError as exc:
            errors.append(row.error(key, str(exc).rstrip(".")))
    # A price cell given but refused has its own error already.
    given = any(isinstance(key, tuple) and key[0] == "price" for key in row.names)
    if is_new and not given:
        name = "price_<currency>" if csv else "prices"
        message = "a new product needs a list price in at least one currency"
        errors.append(row.error("price", message, name))
    return prices


def _product(
    row: Row, plan: ImportPlan, skus: set[str], seen: dict[str, str], *, csv: bool
) -> None:
    before = len(plan.errors)
    sku = str(row.values.get("sku", "")).strip().upper()
    if not SKU.match(sku):
        plan.errors.append(row.error("sku", "use 2 to 40 capital letters, digits and dashes"))
    elif seen.setdefault(sku, row.where) != row.where:
        plan.errors.append(row.error("sku", f"{seen[sku]} already has this SKU"))
    category = _category(row, "category", plan, declared=False)
    kind = str(row.values.get("kind", "")).strip().lower()
    if kind not in KINDS:
        plan.errors.append(row.error("kind", f"use one of {', '.join(KINDS)}"))
    term = _term(row, kind, plan.errors) if kind in KINDS else None
    is_new = sku not in skus
    texts = _texts(row, is_new, csv, plan.errors)
    prices = _prices(row, is_new, csv, plan.errors)
    if len(plan.errors) == before and category is not None:
        plan.products.append(ProductPlan(sku, category.slug, kind, term, texts, prices))
        plan.new_products += is_new


def _new_categories(catalog: CatalogFile, plan: ImportPlan, declared: set[str]) -> None:
    existing = set(
        db.session.scalars(select(Category.slug).where(Category.slug.in_(plan.categories)))
    )
    for slug, category in plan.categories.items():
        if slug in existing or category.row is None:
            continue
        plan.new_categories += 1
        row = category.row
        if catalog.format == "json" and slug not in declared:
            message = f'there is no category "{slug}": add it to "categories"'
            plan.errors.append(row.error("category", message))
        elif "en" not in category.names:
            name = "names.en" if catalog.format == "json" else "category_name_en"
            message = f"the new category '{slug}' needs an English name"
            plan.errors.append(row.error(("category_name", "en"), message, name))


def check(catalog: CatalogFile) -> ImportPlan:
    """Check every row against the database and the rest of the file; nothing is written."""
    plan = ImportPlan(errors=list(catalog.errors))
    for row in catalog.categories:
        _category(row, "slug", plan, declared=True)
    declared = set(plan.categories)
    skus = set(db.session.scalars(select(Product.sku)))
    seen: dict[str, str] = {}
    for row in catalog.products:
        _product(row, plan, skus, seen, csv=catalog.format == "csv")
    _new_categories(catalog, plan, declared)
    plan.errors.sort(key=lambda error: error.order)
    return plan


def _write_category(category: CategoryPlan, position: int) -> Category:
    row = db.session.scalar(select(Category).where(Category.slug == category.slug))
    if row is None:
        row = Category(slug=category.slug, position=position)
        db.session.add(row)
    names = {n.locale: n for n in row.names}
    for locale, name in category.names.items():
        if locale in names:
            names[locale].name = name
        else:
            row.names.append(CategoryName(locale=locale, name=name))
    return row


def write(plan: ImportPlan, written: Written) -> Iterator[str]:
    """Write a checked plan (the caller commits), yielding each SKU as it is written."""
    if plan.errors:
        raise ValueError("a file with errors is never written")
    last = db.session.scalar(select(func.max(Category.position)))
    position = 0 if last is None else last + 1
    categories = {}
    for slug, category in plan.categories.items():
        exists = db.session.scalar(select(Category.id).where(Category.slug == slug)) is not None
        categories[slug] = _write_category(category, position)
        if not exists:
            written.categories_created += 1
            position += 1
    db.session.flush()
    for item in plan.products:
        product = db.session.scalar(select(Product).where(Product.sku == item.sku))
        if product is None:
            product = Product(sku=item.sku)
            db.session.add(product)
            written.products_created += 1
        else:
            written.products_updated += 1
        product.category = categories[item.category]
        product.kind = item.kind
        product.term_months = item.term_months
        db.session.flush()
        apply_texts(product, item.texts)
        prices = {p.currency: p for p in product.prices}
        for currency, amount in item.prices.items():
            if currency in prices:
                prices[currency].amount_minor = amount
            else:
                product.prices.append(ListPrice(currency=currency, amount_minor=amount))
            written.prices_set += 1
        yield item.sku
    db.session.flush()
