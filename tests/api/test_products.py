"""``/api/v1/products``: the reseller's authorized catalog with buy prices, and bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

NW = "northwind.localhost"
AH = "alpenhandel.localhost"


def _all_skus(api, host: str, token: str, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    first = api(host, f"/products?{query}", token).get_json()
    skus = [item["sku"] for item in first["items"]]
    for page in range(2, first["pages"] + 1):
        body = api(host, f"/products?{query}&page={page}", token).get_json()
        skus += [item["sku"] for item in body["items"]]
    assert len(skus) == first["total"]
    return skus


def test_list_is_the_authorized_catalog_with_amounts_as_strings(api, bluebird_nw):
    response = api(NW, "/products", bluebird_nw)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["page"] == 1
    assert body["per_page"] == len(body["items"]) == 24
    for item in body["items"]:
        assert item["currency"] == "USD"
        for field in ("list_price", "buy_price", "saving"):
            assert isinstance(item[field], str)
        listed, buy, saving = (Decimal(item[f]) for f in ("list_price", "buy_price", "saving"))
        assert listed - buy == saving
        assert Decimal("0") < buy <= listed
        assert len(item["list_price"].partition(".")[2]) == 2  # USD cents, always shown


def test_list_holds_exactly_what_the_gold_program_authorizes(api, bluebird_nw):
    skus = set(_all_skus(api, NW, bluebird_nw))
    # Gold on northwind: security, backup, collaboration, analytics, support, enterprise group.
    assert {"SHD-PERP", "BKP-STD-1Y", "INS-PERP", "SHD-SUP-BAS"} <= skus
    assert "CDE-ENT-1Y" in skus  # devtools only through the enterprise group
    assert "CDE-PERP" not in skus
    assert "PIP-STD-1M" not in skus
    assert not any(sku.startswith("CDE-STD") for sku in skus)


def test_pages_cover_the_catalog_once_and_a_page_past_the_end_is_the_last(api, bluebird_nw):
    skus = _all_skus(api, NW, bluebird_nw)
    assert len(skus) == len(set(skus))
    assert skus == sorted(skus)
    first = api(NW, "/products", bluebird_nw).get_json()
    assert first["pages"] >= 2
    beyond = api(NW, "/products?page=99999", bluebird_nw).get_json()
    assert beyond["page"] == first["pages"]
    assert beyond["items"]


def test_search_and_category_filter(api, bluebird_nw):
    shield = api(NW, "/products?q=shd-ent", bluebird_nw).get_json()
    assert sorted(i["sku"] for i in shield["items"]) == ["SHD-ENT-1M", "SHD-ENT-1Y"]
    by_name = api(NW, "/products?q=Nimbus%20Vault", bluebird_nw).get_json()
    assert by_name["total"] > 0
    assert all(i["sku"].startswith("VLT-") for i in by_name["items"])
    backup = api(NW, "/products?category=backup", bluebird_nw).get_json()
    assert backup["total"] == 10
    assert {i["category"] for i in backup["items"]} == {"backup"}
    assert {i["category_name"] for i in backup["items"]} == {"Backup"}
    nothing = api(NW, "/products?q=zzz-no-such-thing", bluebird_nw).get_json()
    assert nothing == {"items": [], "page": 1, "pages": 1, "per_page": 24, "total": 0}
    # Wildcards are literal text, not patterns.
    assert api(NW, "/products?q=%25", bluebird_nw).get_json()["total"] == 0
    assert api(NW, "/products?q=_", bluebird_nw).get_json()["total"] == 0


def test_one_product_shows_the_partner_override(api, bluebird_nw):
    response = api(NW, "/products/SHD-ENT-1Y", bluebird_nw)
    assert response.status_code == 200
    product = response.get_json()
    assert product["sku"] == "SHD-ENT-1Y"
    assert product["kind"] == "subscription"
    assert product["term_months"] == 12
    assert product["category"] == "security"
    assert (product["list_price"], product["buy_price"], product["saving"]) == (
        "216.00",
        "129.60",
        "86.40",
    )
    assert product["price_source"] == {"kind": "override", "discount_percent": "40.00"}


def test_rule_sources_and_fractional_discount(api, bluebird_nw):
    perpetual = api(NW, "/products/INS-PERP", bluebird_nw).get_json()
    assert perpetual["price_source"] == {"kind": "product", "discount_percent": "35.00"}
    assert perpetual["term_months"] is None
    analytics = api(NW, "/products/INS-STD-1Y", bluebird_nw).get_json()
    assert analytics["price_source"] == {"kind": "category", "discount_percent": "22.50"}
    assert Decimal(analytics["buy_price"]) == Decimal(analytics["list_price"]) * Decimal("0.775")


def test_names_follow_accept_language_among_the_storefronts_locales(api, bluebird_nw):
    spanish = api(NW, "/products/SHD-PERP", bluebird_nw, {"Accept-Language": "es"}).get_json()
    assert spanish["name"] == "Nimbus Shield Licencia perpetua Professional"
    assert spanish["category_name"] == "Seguridad"
    assert spanish["category"] == "security"
    # Northwind does not offer Japanese: English, not a language the storefront lacks.
    japanese = api(NW, "/products/SHD-PERP", bluebird_nw, {"Accept-Language": "ja"}).get_json()
    assert japanese["name"] == "Nimbus Shield Professional perpetual license"


def test_other_storefront_other_program_other_currency(api, token_for):
    token = token_for("buyer@bluebird.example", "alpenhandel")
    product = api(AH, "/products/SHD-PERP", token, {"Accept-Language": "en"}).get_json()
    assert product["currency"] == "EUR"
    assert product["price_source"] == {"kind": "category", "discount_percent": "18.00"}
    # Silver on alpenhandel has no backup: the same SKU that northwind sells is a 404 here.
    assert api(AH, "/products/BKP-PERP", token).status_code == 404
    assert "BKP-PERP" not in _all_skus(api, AH, token)


def test_jpy_amounts_have_no_decimals(api, token_for):
    token = token_for("buyer@kirin.example", "sakura")
    body = api("sakura.localhost", "/products", token).get_json()
    assert body["items"]
    for item in body["items"]:
        assert item["currency"] == "JPY"
        assert item["list_price"].isdigit()
        assert item["buy_price"].isdigit()


def test_an_unauthorized_sku_looks_exactly_like_an_unknown_one(api, bluebird_nw):
    unauthorized = api(NW, "/products/CDE-PERP", bluebird_nw)  # exists, not in Gold here
    unknown = api(NW, "/products/NOPE-123", bluebird_nw)
    assert unauthorized.status_code == unknown.status_code == 404
    assert unauthorized.get_data() == unknown.get_data()
    assert unknown.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "sku",
    [
        "shd-ent-1y",  # SKUs are exact
        "SHD-ENT-1Y" + "x" * 31,  # 41 characters: longer than any SKU
        "x" * 5000,
        "SHD%00",
        "SHD-ENT-1Y%0A",
        "SHD%09PERP",
        "a/b/c",
        "%E2%98%83",
        "' OR 1=1 --",
        "%25",
    ],
)
def test_odd_skus_are_a_json_404(api, bluebird_nw, sku):
    response = api(NW, f"/products/{sku}", bluebird_nw)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("page=0", "page"),
        ("page=1.5", "page"),
        ("page=100001", "page"),
        ("page=" + "9" * 5000, "page"),
        ("page=", "page"),
        ("q=" + "x" * 10_000, "q"),
        ("q=" + "x" * 101, "q"),
        ("q=abc%00def", "q"),
        ("q=line%0Abreak", "q"),
        ("category=no-such-category", "category"),
        ("category=" + "c" * 41, "category"),
        ("category=", "category"),
        ("category=backup%00", "category"),
        ("page=1&page=2", "page"),
        ("per_page=1000", "per_page"),
        ("sort=price", "sort"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(api, bluebird_nw, query, field):
    response = api(NW, f"/products?{query}", bluebird_nw)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert list(error["errors"]) == [field]
    assert all(isinstance(m, str) and m for m in error["errors"][field])


def test_unknown_category_names_the_known_ones(api, bluebird_nw):
    error = api(NW, "/products?category=securty", bluebird_nw).get_json()["error"]
    assert "security" in error["errors"]["category"][0]


def test_query_at_the_limits_is_accepted(api, bluebird_nw):
    assert api(NW, "/products?q=" + "x" * 100, bluebird_nw).status_code == 200
    assert api(NW, "/products?page=100000", bluebird_nw).status_code == 200
    assert api(NW, "/products?q=%E2%98%83%F0%9F%92%A9", bluebird_nw).status_code == 200


def test_product_takes_no_query_parameters(api, bluebird_nw):
    response = api(NW, "/products/SHD-PERP?expand=all", bluebird_nw)
    assert response.status_code == 400
    assert list(response.get_json()["error"]["errors"]) == ["expand"]


def test_distributor_staff_have_no_catalog(api, token_for):
    token = token_for("finance@northwind.example", "northwind")
    for path in ("/products", "/products/SHD-PERP"):
        response = api(NW, path, token)
        assert response.status_code == 403
        assert response.get_json()["error"]["status"] == 403


def test_other_methods_are_405_with_allow(app, bluebird_nw):
    client = app.test_client()
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.open(
            "/api/v1/products",
            method=method,
            base_url=f"http://{NW}",
            headers={"Authorization": f"Bearer {bluebird_nw}"},
        )
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]
        assert response.get_json()["error"]["status"] == 405


def test_unknown_api_path_is_a_json_404(api, bluebird_nw):
    response = api(NW, "/no-such-resource", bluebird_nw)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
