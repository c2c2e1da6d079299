"""``flask catalog import FILE``: categories, products, texts and list prices, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from channelfront.catalog.models import Category, ListPrice, Product, ProductText
from channelfront.extensions import db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

CSV = "\n".join(
    [
        "sku,category,category_name_en,category_name_de,kind,term_months,"
        "name_en,description_en,name_de,price_usd,price_jpy",
        "GRD-STD-1Y,security,Security,Sicherheit,subscription,12,"
        "Guard Standard,Endpoint guard,Guard Standard DE,1250.50,187500",
        "GRD-PERP,security,,,perpetual,,Guard Server,,,990,",
        "",
    ]
)

DOCUMENT = {
    "categories": [{"slug": "backup", "names": {"en": "Backup", "ja": "バックアップ"}}],
    "products": [
        {
            "sku": "ARC-1M",
            "category": "backup",
            "kind": "subscription",
            "term_months": 1,
            "texts": {
                "en": {"name": "Archive", "description": "500 GB"},
                "ja": {"name": "アーカイブ"},
            },
            "prices": {"EUR": "27.50", "JPY": "4500"},
        }
    ],
}


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Category, Product, ProductText, ListPrice)
    )


def _product(sku: str) -> Product:
    db.session.expire_all()
    return db.session.scalar(select(Product).where(Product.sku == sku))


@pytest.fixture
def import_file(cli, tmp_path):  # type: ignore[no-untyped-def]
    """``import_file("name.csv", text, *options)``: run the import on a file with that text."""

    def run(name: str, text: str, *options: str):  # type: ignore[no-untyped-def]
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return cli("catalog", "import", str(path), *options)

    return run


def test_a_csv_file_makes_categories_products_texts_and_prices(import_file):
    result = import_file("catalog.csv", CSV)
    assert result.exit_code == 0, result.output
    assert "1 new categories, 2 new products" in result.output
    guard = _product("GRD-STD-1Y")
    assert (guard.category.slug, guard.kind, guard.term_months) == ("security", "subscription", 12)
    assert guard.category.name_in("de") == "Sicherheit"
    texts = {t.locale: (t.name, t.description) for t in guard.texts}
    assert texts == {"en": ("Guard Standard", "Endpoint guard"), "de": ("Guard Standard DE", "")}
    # Amounts are decimal text; each currency's exponent makes the minor units.
    assert {p.currency: p.amount_minor for p in guard.prices} == {"USD": 125050, "JPY": 187500}
    server = _product("GRD-PERP")
    assert (server.kind, server.term_months) == ("perpetual", None)
    assert {p.currency: p.amount_minor for p in server.prices} == {"USD": 99000}


def test_a_json_file_makes_the_same(import_file):
    result = import_file("catalog.json", json.dumps(DOCUMENT))
    assert result.exit_code == 0, result.output
    archive = _product("ARC-1M")
    assert archive.category.name_in("ja") == "バックアップ"
    assert {t.locale: t.name for t in archive.texts} == {"en": "Archive", "ja": "アーカイブ"}
    assert {p.currency: p.amount_minor for p in archive.prices} == {"EUR": 2750, "JPY": 4500}


def test_importing_again_updates_and_blank_cells_keep_what_is_stored(import_file):
    assert import_file("catalog.csv", CSV).exit_code == 0
    before = _counts()
    update = "sku,category,kind,term_months,name_en,name_de,price_usd,price_jpy\n"
    update += "GRD-STD-1Y,security,subscription,24,Guard Standard 2,,1300,\n"
    result = import_file("update.csv", update)
    assert result.exit_code == 0, result.output
    assert "0 new products, 1 updated" in result.output
    assert _counts() == before
    guard = _product("GRD-STD-1Y")
    assert guard.term_months == 24
    assert {t.locale: t.name for t in guard.texts} == {
        "en": "Guard Standard 2",
        "de": "Guard Standard DE",
    }
    assert {p.currency: p.amount_minor for p in guard.prices} == {"USD": 130000, "JPY": 187500}


def test_a_bad_row_is_named_by_row_and_field_and_nothing_is_written(import_file):
    bad = CSV + "GRD-ENT-1Y,security,,,subscription,12,Guard Enterprise,,,12.345,\n"
    result = import_file("catalog.csv", bad)
    assert result.exit_code != 0
    assert "row 4, field price_usd: USD amounts take at most 2 decimals" in result.output
    assert "1 error; nothing was written" in result.output
    assert _counts() == (0, 0, 0, 0)


def test_every_error_is_listed_before_anything_is_written(import_file):
    rows = "sku,category,kind,term_months,name_en,price_jpy\n"
    rows += "A-1,new-things,subscription,,Thing,100.5\n"
    rows += "A-1,new-things,widget,,Thing,=SUM(1)\n"
    result = import_file("bad.csv", rows)
    assert result.exit_code != 0
    lines = result.output.splitlines()
    for expected in (
        "row 2, field term_months: a subscription needs a term in months",
        "row 2, field price_jpy: JPY amounts take no decimals",
        "row 2, field category_name_en: the new category 'new-things' needs an English name",
        "row 3, field sku: row 2 already has this SKU",
        "row 3, field kind: use one of perpetual, subscription, service",
        "row 3, field price_jpy: a cell cannot start with =, +, @ or a tab (a formula)",
    ):
        assert expected in lines
    assert _counts() == (0, 0, 0, 0)


def test_a_bad_json_product_is_named_by_its_place_and_field(import_file):
    document = json.loads(json.dumps(DOCUMENT))
    document["products"].append(
        {"sku": "ARC-2M", "category": "nope", "kind": "service", "prices": {"USD": 12.5}}
    )
    result = import_file("catalog.json", json.dumps(document))
    assert result.exit_code != 0
    assert 'products[1], field category: there is no category "nope"' in result.output
    assert 'products[1], field prices.USD: write the amount as text, e.g. "12.5"' in result.output
    assert "products[1], field texts.en.name: a new product needs its English name" in result.output
    assert _counts() == (0, 0, 0, 0)


def test_a_dry_run_checks_and_writes_nothing(import_file):
    result = import_file("catalog.csv", CSV, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would make 1 new categories, 2 new products" in result.output
    assert _counts() == (0, 0, 0, 0)


def test_a_file_of_another_kind_is_refused(import_file):
    result = import_file("catalog.xlsx", "sku")
    assert result.exit_code != 0
    assert "use a .csv or .json file" in result.output


def test_the_example_files_import(cli):
    csv_result = cli("catalog", "import", str(EXAMPLES / "catalog.csv"))
    assert csv_result.exit_code == 0, csv_result.output
    assert "3 new categories, 5 new products" in csv_result.output
    after_csv = _counts()
    # The JSON example describes the same catalog: importing it changes no row count.
    json_result = cli("catalog", "import", str(EXAMPLES / "catalog.json"))
    assert json_result.exit_code == 0, json_result.output
    assert "0 new categories, 0 new products, 5 updated" in json_result.output
    assert _counts() == after_csv
    assert _product("SVC-ONBOARD").category.name_in("ja") == "サービス"
