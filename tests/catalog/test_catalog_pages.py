"""The catalog shows only authorized products with list price, buy price and saving."""

import re

import pytest


def skus(page: str) -> set[str]:
    return set(re.findall(r'data-sku="([^"]+)"', page))


def all_skus(client, query: str = "") -> set[str]:
    found, page = set(), 1
    while True:
        response = client.get(f"/catalog?page={page}{query}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        found |= skus(text)
        if 'rel="next"' not in text:
            return found
        page += 1


def test_catalog_needs_a_signed_in_reseller(northwind, client_for):
    assert northwind.get("/catalog").status_code == 302
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    response = finance.get("/catalog")
    assert response.status_code == 403
    assert "reseller accounts" in response.get_data(as_text=True)


def test_only_authorized_products_are_listed(bluebird_buyer, alpenhandel):
    northwind_skus = all_skus(bluebird_buyer)
    # Gold on northwind: devtools only through the enterprise group.
    assert "CDE-ENT-1Y" in northwind_skus
    assert "CDE-PERP" not in northwind_skus
    assert "SHD-STD-1Y" in northwind_skus
    alpenhandel.login("buyer@bluebird.example")
    alpen_skus = all_skus(alpenhandel)
    # Silver on alpenhandel: security, collaboration and support plans, nothing else.
    assert "SHD-STD-1Y" in alpen_skus
    assert "TMS-STD-1M" in alpen_skus
    assert not any(s.startswith(("BKP", "CDE", "INS")) and "SUP" not in s for s in alpen_skus)
    assert "CDE-ENT-1Y" not in alpen_skus


def test_unauthorized_or_unknown_sku_is_a_404_page(bluebird_buyer):
    for sku in ("CDE-PERP", "NOPE-1", "x" * 500, "SHD-ENT-1Y" + "x" * 40, "SHD%00"):
        response = bluebird_buyer.get(f"/catalog/{sku}")
        assert response.status_code == 404
        assert "There is nothing at this address." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("sku", "list_price", "buy_price", "source"),
    [
        ("SHD-ENT-1Y", "$216.00", "$129.60", "override"),
        ("INS-PERP", "$720.00", "$468.00", "product"),
        ("CDE-ENT-1Y", "$378.00", "$257.04", "group"),
        ("SHD-STD-1Y", "$120.00", "$84.00", "category"),
    ],
)
def test_detail_shows_list_buy_saving_and_source(
    bluebird_buyer, sku, list_price, buy_price, source
):
    page = bluebird_buyer.get(f"/catalog/{sku}").get_data(as_text=True)
    assert list_price in page
    assert buy_price in page
    assert f'data-source="{source}"' in page
    assert "You save" in page


def test_search_and_category_filter(bluebird_buyer):
    found = all_skus(bluebird_buyer, "&q=vault")
    assert found
    assert all(s.startswith("VLT") for s in found)
    by_sku = all_skus(bluebird_buyer, "&q=rst-ent")
    assert by_sku == {"RST-ENT-1Y", "RST-ENT-1M"}
    support = all_skus(bluebird_buyer, "&category=support")
    assert support
    assert all("-SUP-" in s for s in support)
    assert all_skus(bluebird_buyer, "&q=100%25_off") == set()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=-1", "The page must be a whole number"),
        ("page=abc", "The page must be a whole number"),
        ("page=0", "The page must be a whole number"),
        ("page=99999999999999999999", "The page must be a whole number"),
        ("q=" + "x" * 10_000, "The search text is too long"),
        ("category=nope", "There is no such category."),
        ("q=abc%00def", "characters that cannot be searched"),
        ("category=x%00", "There is no such category."),
        ("category=" + "c" * 300, "There is no such category."),
    ],
)
def test_bad_query_strings_get_a_clear_400(bluebird_buyer, query, message):
    response = bluebird_buyer.get(f"/catalog?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_page_past_the_end_shows_the_last_page(bluebird_buyer):
    page = bluebird_buyer.get("/catalog?page=500").get_data(as_text=True)
    assert skus(page)
    assert 'rel="next"' not in page
