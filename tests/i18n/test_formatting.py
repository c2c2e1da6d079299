"""Money in the reader's language and the tenant's currency; product names per locale."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from channelfront.catalog.models import ListPrice, Product
from channelfront.extensions import db
from channelfront.i18n.formatting import Money, major_to_minor, money, number

NBSP = "\u00a0"


@pytest.fixture
def in_locale(app):  # type: ignore[no-untyped-def]
    """``in_locale("de", fn)`` runs ``fn`` in a request rendered in that locale."""

    def run(locale, fn):  # type: ignore[no-untyped-def]
        with app.test_request_context(), force_locale(locale):
            return fn()

    return run


@pytest.mark.parametrize(
    ("locale", "value", "shown"),
    [
        ("de", Money(123450, "EUR"), f"1.234,50{NBSP}€"),
        ("en", Money(123450, "USD"), "$1,234.50"),
        ("ja", Money(1235, "JPY"), "￥1,235"),
        # The language decides the format, the amount keeps its own currency.
        ("en", Money(123450, "EUR"), "€1,234.50"),
        ("de", Money(123450, "USD"), f"1.234,50{NBSP}$"),
        ("fr", Money(123450, "EUR"), f"1{chr(0x202F)}234,50{NBSP}€"),
        ("es", Money(1234560, "EUR"), f"12.345,60{NBSP}€"),
        ("en", Money(1235, "JPY"), "¥1,235"),
        ("de", Money(5, "EUR"), f"0,05{NBSP}€"),
        ("de", Money(-2500, "EUR"), f"-25,00{NBSP}€"),
        ("en", Money(100_000_000_00, "USD"), "$100,000,000.00"),
    ],
)
def test_money_filter_formats_for_the_locale(in_locale, locale, value, shown):
    assert in_locale(locale, lambda: money(value)) == shown
    rendered = in_locale(locale, lambda: render_template_string("{{ p|money }}", p=value))
    assert rendered == shown


def test_money_filter_shows_nothing_for_no_amount(in_locale):
    assert in_locale("de", lambda: render_template_string("[{{ p|money }}]", p=None)) == "[]"


@pytest.mark.parametrize(
    ("locale", "value", "shown"),
    [
        ("en", 1234567, "1,234,567"),
        ("de", 1234567, "1.234.567"),
        ("de", Decimal("1234.5"), "1.234,5"),
        ("fr", 1234567, f"1{chr(0x202F)}234{chr(0x202F)}567"),
        ("ja", 1234567, "1,234,567"),
    ],
)
def test_number_filter_groups_digits_for_the_locale(in_locale, locale, value, shown):
    assert in_locale(locale, lambda: number(value)) == shown
    rendered = in_locale(locale, lambda: render_template_string("{{ n|number }}", n=value))
    assert rendered == shown
    assert in_locale(locale, lambda: render_template_string("[{{ n|number }}]", n=None)) == "[]"


def test_yen_have_no_minor_units():
    assert Money(1235, "JPY").amount == Decimal("1235")
    assert Money(123450, "EUR").amount == Decimal("1234.50")
    assert major_to_minor(Decimal("1235"), "JPY") == 1235
    assert major_to_minor(Decimal("12.34"), "EUR") == 1234
    assert major_to_minor(Decimal("12.3"), "USD") == 1230


@pytest.mark.parametrize(
    ("amount", "currency"), [("1235.5", "JPY"), ("12.345", "EUR"), ("0.001", "USD")]
)
def test_amounts_finer_than_the_currency_are_refused(amount, currency):
    with pytest.raises(ValueError, match=currency):
        major_to_minor(Decimal(amount), currency)


def card(page: str, sku: str) -> str:
    """The catalog card of one product."""
    match = re.search(
        rf'<li class="product-card" data-sku="{re.escape(sku)}">(.*?)</li>', page, re.S
    )
    assert match, f"{sku} is not on the page"
    return match.group(1)


@pytest.fixture
def list_price(app):  # type: ignore[no-untyped-def]
    """A product's list price in minor units, read in an app context of its own.

    Not the ``ctx`` fixture: requests made while it is active share its ``g``,
    where Flask-Babel keeps the locale of the first request.
    """

    def read(sku: str, currency: str) -> int:
        with app.app_context():
            return db.session.scalar(
                select(ListPrice.amount_minor)
                .join(Product, Product.id == ListPrice.product_id)
                .where(Product.sku == sku, ListPrice.currency == currency)
            )

    return read


def german_euros(minor: int) -> str:
    whole = f"{minor // 100:,}".replace(",", ".")
    return f"{whole},{minor % 100:02d}{NBSP}€"


@pytest.fixture
def alpenhandel_buyer(alpenhandel):  # type: ignore[no-untyped-def]
    assert alpenhandel.login("buyer@bluebird.example").status_code == 302
    return alpenhandel


@pytest.fixture
def sakura_buyer(sakura):  # type: ignore[no-untyped-def]
    assert sakura.login("buyer@kirin.example").status_code == 302
    return sakura


def test_german_catalog_shows_euros_the_german_way(alpenhandel_buyer, list_price):
    page = alpenhandel_buyer.get("/catalog?q=SHD").get_data(as_text=True)
    shield = card(page, "SHD-PERP")
    assert german_euros(list_price("SHD-PERP", "EUR")) in shield
    amounts = re.findall(r"<s>(.*?)</s>|<strong>(.*?)</strong>", page)
    assert amounts
    for found in (a or b for a, b in amounts):
        assert re.fullmatch(rf"\d{{1,3}}(\.\d{{3}})*,\d{{2}}{NBSP}€", found), found
    assert "$" not in page
    assert "EUR" not in page


def test_german_storefront_read_in_english_keeps_euros(alpenhandel_buyer, list_price):
    page = alpenhandel_buyer.get("/catalog?q=SHD-PERP", headers={"Accept-Language": "en"})
    minor = list_price("SHD-PERP", "EUR")
    assert f"€{minor // 100:,}.{minor % 100:02d}" in card(page.get_data(as_text=True), "SHD-PERP")


def test_japanese_catalog_shows_whole_yen(sakura_buyer, list_price):
    page = sakura_buyer.get("/catalog?q=SHD").get_data(as_text=True)
    yen = list_price("SHD-PERP", "JPY")
    assert yen >= 1000, "pick a product whose price shows the thousands separator"
    assert f"￥{yen:,}" in card(page, "SHD-PERP")
    amounts = re.findall(r"<strong>(.*?)</strong>", page)
    assert amounts
    for found in amounts:
        assert re.fullmatch(r"￥\d{1,3}(,\d{3})*", found), found


def test_support_add_on_has_its_japanese_name_on_the_japanese_storefront(sakura_buyer):
    # The English fallback of a missing language is tested in tests/catalog/test_product_texts.py.
    page = sakura_buyer.get("/catalog?q=SHD").get_data(as_text=True)
    add_on = card(page, "SHD-SUP-BAS")
    assert "Nimbus Shield ベーシックサポート（追加オプション）" in add_on
    assert "Nimbus Shield Professional 永続ライセンス" in card(page, "SHD-PERP")


def test_support_add_on_has_its_german_name_on_the_german_storefront(alpenhandel_buyer):
    page = alpenhandel_buyer.get("/catalog?q=SHD").get_data(as_text=True)
    assert "Nimbus Shield Basis-Support (Zusatz)" in card(page, "SHD-SUP-BAS")
    assert "Nimbus Shield Professional Dauerlizenz" in card(page, "SHD-PERP")
    assert "Basic support add-on" not in page


def test_french_reader_of_a_german_storefront_gets_french_names(alpenhandel_buyer):
    # A missing French text falls back to English: tests/catalog/test_product_texts.py.
    page = alpenhandel_buyer.get("/catalog?q=SHD", headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert "Nimbus Shield Option assistance de base" in card(text, "SHD-SUP-BAS")
    assert "Nimbus Shield Licence perpétuelle Professional" in card(text, "SHD-PERP")


@pytest.mark.parametrize(
    ("locale", "count", "text"),
    [
        ("fr", 0, "0 produit"),
        ("fr", 1, "1 produit"),
        ("fr", 2, "2 produits"),
        ("fr", 1_000_000, "1000000 de produits"),
        ("es", 1, "1 producto"),
        ("es", 2, "2 productos"),
        ("es", 2_000_000, "2000000 de productos"),
        ("de", 1_000_000, "1000000 Produkte"),
        ("ja", 1, "1件の製品"),
    ],
)
def test_counted_words_take_the_languages_plural_form(in_locale, locale, count, text):
    assert in_locale(locale, lambda: ngettext("%(num)d product", "%(num)d products", count)) == text
