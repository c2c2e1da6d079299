"""Product texts on the storefront: the page's language, English when a language is missing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from channelfront.catalog.models import Product, ProductText
from channelfront.extensions import db


def card(page: str, sku: str) -> str:
    match = re.search(rf'data-sku="{re.escape(sku)}">(.*?)</li>', page, re.S)
    assert match, f"{sku} is not on the page"
    return match.group(1)


@pytest.fixture
def german_buyer(alpenhandel):  # type: ignore[no-untyped-def]
    assert alpenhandel.login("buyer@bluebird.example").status_code == 302
    return alpenhandel


@pytest.fixture
def japanese_buyer(sakura):  # type: ignore[no-untyped-def]
    assert sakura.login("buyer@kirin.example").status_code == 302
    return sakura


def test_support_add_ons_are_german_on_the_german_storefront(german_buyer):
    page = german_buyer.get("/catalog?q=SHD").get_data(as_text=True)
    assert "Nimbus Shield Basis-Support (Zusatz)" in card(page, "SHD-SUP-BAS")
    assert "Nimbus Shield Premium-Support (Zusatz), 24/7" in card(page, "SHD-SUP-PRM")
    detail = german_buyer.get("/catalog/SHD-SUP-BAS").get_data(as_text=True)
    assert "Hilfe unserer Techniker zu Nimbus Shield" in detail
    assert "support add-on" not in page


def test_support_add_ons_are_japanese_on_the_japanese_storefront(japanese_buyer):
    detail = japanese_buyer.get("/catalog/SHD-SUP-BAS").get_data(as_text=True)
    assert "Nimbus Shield ベーシックサポート（追加オプション）" in detail
    assert "当社エンジニア" in detail


def test_a_missing_language_falls_back_to_english(app, japanese_buyer):
    with app.app_context():
        product_id = db.session.scalar(select(Product.id).where(Product.sku == "SHD-SUP-BAS"))
        db.session.execute(
            delete(ProductText).where(
                ProductText.product_id == product_id, ProductText.locale == "ja"
            )
        )
        db.session.commit()
    detail = japanese_buyer.get("/catalog/SHD-SUP-BAS").get_data(as_text=True)
    assert "<h1>Nimbus Shield Basic support add-on</h1>" in detail
    page = japanese_buyer.get("/catalog?q=SHD").get_data(as_text=True)
    assert "Nimbus Shield Basic support add-on" in card(page, "SHD-SUP-BAS")


def test_a_missing_french_text_falls_back_to_english_not_german(app, german_buyer):
    with app.app_context():
        product_id = db.session.scalar(select(Product.id).where(Product.sku == "SHD-SUP-BAS"))
        db.session.execute(
            delete(ProductText).where(
                ProductText.product_id == product_id, ProductText.locale == "fr"
            )
        )
        db.session.commit()
    page = german_buyer.get("/catalog?q=SHD", headers={"Accept-Language": "fr"})
    assert "Nimbus Shield Basic support add-on" in card(page.get_data(as_text=True), "SHD-SUP-BAS")
