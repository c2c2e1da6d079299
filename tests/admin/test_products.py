"""The product list and adding products to the shared catalog."""

import pytest
from sqlalchemy import select

from channelfront.catalog.models import (
    Category,
    ListPrice,
    Product,
    ProductGroup,
    ProductText,
    product_group_member,
)

NEW = "/admin/products/new"


def ids(rows, column, where):
    return rows(select(column).where(where))[0][0]


@pytest.fixture
def product_data(rows):
    def make(**overrides):
        data = {
            "sku": "zen-std-1y",
            "category": ids(rows, Category.id, Category.slug == "security"),
            "kind": "subscription",
            "term_months": "12",
            "groups": [ids(rows, ProductGroup.id, ProductGroup.slug == "cloud")],
            "name": "Nimbus Zen Standard, annual subscription",
            "description": "Calm for one device.",
            "price_usd": "99.90",
            "price_eur": "",
            "price_jpy": "15000",
            "price_gbp": "80",
        }
        data.update(overrides)
        return data

    return make


def nothing_written(rows, sku="ZEN-STD-1Y"):
    return (
        rows(select(Product.id).where(Product.sku == sku)) == []
        and rows(select(ProductText.id).where(ProductText.name.like("Nimbus Zen%"))) == []
        and rows(select(ListPrice.id).where(ListPrice.product_id.not_in(select(Product.id)))) == []
    )


def test_products_are_listed_with_name_category_kind_and_list_prices(console, text_of):
    text = text_of(console.get("/admin/products"))
    assert (
        "BKP-ENT-1Y Nimbus Backup Enterprise, annual subscription Backup Subscription, 12 months"
        " $162.00 €149.04 ¥24,300 –"
    ) in text
    assert (
        "BKP-PERP Nimbus Backup Professional perpetual license Backup Perpetual license $270.00"
        in (text)
    )


def test_add_a_subscription_product(console, submit, rows, text_of, product_data):
    response = submit(NEW, data=product_data())
    assert response.status_code == 302, text_of(response)
    product = rows(
        select(Product.id, Product.kind, Product.term_months, Category.slug)
        .join(Category)
        .where(Product.sku == "ZEN-STD-1Y")
    )
    assert [row[1:] for row in product] == [("subscription", 12, "security")]
    product_id = product[0][0]
    assert rows(
        select(ProductText.locale, ProductText.name, ProductText.description).where(
            ProductText.product_id == product_id
        )
    ) == [("en", "Nimbus Zen Standard, annual subscription", "Calm for one device.")]
    assert sorted(
        rows(
            select(ListPrice.currency, ListPrice.amount_minor).where(
                ListPrice.product_id == product_id
            )
        )
    ) == [("GBP", 8000), ("JPY", 15000), ("USD", 9990)]
    assert rows(
        select(ProductGroup.slug)
        .join(product_group_member, product_group_member.c.group_id == ProductGroup.id)
        .where(product_group_member.c.product_id == product_id)
    ) == [("cloud",)]

    listing = text_of(console.get("/admin/products"))
    assert "Product ZEN-STD-1Y is added." in listing
    # A new product has English texts only: the list flags the languages it still lacks.
    assert (
        "ZEN-STD-1Y Nimbus Zen Standard, annual subscription DE FR ES JA Security"
        " Subscription, 12 months $99.90 – ¥15,000 £80.00"
    ) in listing


def test_add_a_perpetual_product_without_term(submit, rows, product_data):
    response = submit(
        NEW, data=product_data(sku="ZEN-PERP", kind="perpetual", term_months="", groups=[])
    )
    assert response.status_code == 302
    assert rows(select(Product.kind, Product.term_months).where(Product.sku == "ZEN-PERP")) == [
        ("perpetual", None)
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sku": ""}, "SKU: Enter a SKU."),
        ({"sku": "ZEN STD"}, "SKU: Use 2 to 40 capital letters"),
        ({"sku": "shd-std-1y"}, "SKU: A product with SKU SHD-STD-1Y already exists."),
        ({"category": "999999"}, "Category: Not a valid choice"),
        ({"category": "security"}, "Category:"),
        ({"kind": "bundle"}, "Kind: Not a valid choice"),
        ({"term_months": ""}, "Term in months: A subscription needs a term in months."),
        ({"term_months": "0"}, "Term in months: Number must be between 1 and 120."),
        ({"term_months": "999999999999999999999"}, "Term in months:"),
        ({"term_months": "twelve"}, "Term in months: Not a valid integer value."),
        (
            {"kind": "service", "term_months": "12"},
            "Term in months: Only subscriptions have a term",
        ),
        ({"groups": ["999999"]}, "Product groups:"),
        ({"name": " "}, "English name: Enter the product's English name."),
        ({"name": "n" * 201}, "English name:"),
        ({"price_usd": "99.999"}, "List price USD: USD amounts take at most 2 decimals."),
        ({"price_jpy": "15000.5"}, "List price JPY: JPY amounts take no decimals."),
        ({"price_gbp": "-80"}, "List price GBP: The number cannot be negative."),
        ({"price_eur": "12,50"}, "List price EUR: “12,50” is not a number"),
        ({"price_eur": "Infinity"}, "List price EUR: “Infinity” is not a number"),
        (
            {"price_usd": "", "price_jpy": "", "price_gbp": ""},
            "List price USD: Enter a list price in at least one currency.",
        ),
    ],
)
def test_bad_product_input_is_refused_and_nothing_is_written(
    submit, rows, text_of, product_data, overrides, message
):
    response = submit(NEW, data=product_data(**overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert nothing_written(rows)


def test_a_refused_product_keeps_what_was_typed(submit, product_data):
    response = submit(NEW, data=product_data(price_usd="abc"))
    page = response.get_data(as_text=True)
    assert 'value="zen-std-1y"' in page
    assert 'value="15000"' in page
