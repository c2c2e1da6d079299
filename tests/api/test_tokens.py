"""Bearer tokens: one user, one storefront. Tenants are walls: 401 or 404, every time."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from channelfront.accounts.models import Company, User
from channelfront.api.models import ApiToken
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.models import Tenant

NW = "northwind.localhost"
AH = "alpenhandel.localhost"
SK = "sakura.localhost"
UNAUTHORIZED = {
    "error": {"status": 401, "message": "A valid bearer token for this storefront is required."}
}


def _assert_401(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401
    assert response.get_json() == UNAUTHORIZED
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/products", "/products/SHD-PERP", "/products?page=abc"])
def test_no_token_is_a_401_before_anything_else(api, path):
    _assert_401(api(NW, path))


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Basic YnV5ZXJAYmx1ZWJpcmQuZXhhbXBsZTpjaGFubmVsZnJvbnQtZGVtbw==",
        "Token cf_abc",
        "cf_abc",
        "Bearer cf_",
        "Bearer cf_" + "A" * 43,
        "Bearer not-a-token",
        "Bearer " + "x" * 10_000,
        "Bearer cf_" + "\x00" * 20,
        "Bearer cf_\xff\xfe\xe9",
        "Bearer cf_a cf_b",
        "Bearer\tcf_abc",
        "Digest username=x, realm=y",
    ],
)
def test_garbage_authorization_is_a_401(api, authorization):
    _assert_401(api(NW, "/products", headers={"Authorization": authorization}))


def test_scheme_is_case_insensitive_and_spaces_are_tolerated(api, bluebird_nw):
    for value in (f"bearer {bluebird_nw}", f"BEARER  {bluebird_nw} ", f"Bearer {bluebird_nw}"):
        response = api(NW, "/products", headers={"Authorization": value})
        assert response.status_code == 200, value


def test_a_northwind_token_is_refused_on_every_other_host(api, bluebird_nw):
    assert api(NW, "/products", bluebird_nw).status_code == 200
    for host in (AH, SK, "shop.alpenhandel.example"):
        _assert_401(api(host, "/products", bluebird_nw))
        _assert_401(api(host, "/products/SHD-PERP", bluebird_nw))
    # The vendor console has no storefront catalog, whatever the token.
    assert api("admin.localhost", "/products", bluebird_nw).status_code == 401


def test_a_token_works_on_every_host_name_of_its_own_storefront(api, bluebird_nw):
    assert api("shop.northwind.example", "/products/SHD-PERP", bluebird_nw).status_code == 200
    assert api("NorthWind.localhost:5000", "/products/SHD-PERP", bluebird_nw).status_code == 200


def test_same_user_two_storefronts_two_tokens_never_swapped(api, token_for):
    northwind = token_for("buyer@bluebird.example", "northwind")
    alpenhandel = token_for("buyer@bluebird.example", "alpenhandel")
    assert api(NW, "/products/BKP-PERP", northwind).get_json()["currency"] == "USD"
    assert api(AH, "/products/SHD-PERP", alpenhandel).get_json()["currency"] == "EUR"
    _assert_401(api(NW, "/products", alpenhandel))
    _assert_401(api(AH, "/products", northwind))


def test_a_sakura_reseller_cannot_reach_northwind(api, token_for):
    kirin = token_for("buyer@kirin.example", "sakura")
    assert api(SK, "/products", kirin).status_code == 200
    _assert_401(api(NW, "/products", kirin))
    _assert_401(api(NW, "/products/SHD-PERP", kirin))


def test_a_token_forged_for_a_tenant_the_user_left_does_not_work(app, api):
    """Even a token row for kirin on northwind (which no tool issues) opens nothing."""
    from channelfront.api.tokens import issue_token

    with app.app_context():
        kirin = db.session.scalar(select(User).where(User.email == "buyer@kirin.example"))
        northwind = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
        raw = issue_token(kirin, northwind.id)
        db.session.commit()
    _assert_401(api(NW, "/products", raw))


def test_a_token_is_refused_once_revoked(app, api, bluebird_nw):
    assert api(NW, "/products", bluebird_nw).status_code == 200
    with app.app_context():
        db.session.execute(
            update(ApiToken).where(ApiToken.prefix == bluebird_nw[:10]).values(revoked=True)
        )
        db.session.commit()
    _assert_401(api(NW, "/products", bluebird_nw))


def test_a_deactivated_user_loses_api_access(app, api, bluebird_nw):
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == "buyer@bluebird.example").values(active=False)
        )
        db.session.commit()
    _assert_401(api(NW, "/products", bluebird_nw))


def test_an_ended_enrollment_ends_the_token(app, api, bluebird_nw):
    with app.app_context():
        bluebird = db.session.scalar(select(Company.id).where(Company.name == "Bluebird IT"))
        northwind = db.session.scalar(select(Tenant.id).where(Tenant.slug == "northwind"))
        db.session.execute(
            delete(Enrollment).where(
                Enrollment.company_id == bluebird, Enrollment.tenant_id == northwind
            )
        )
        db.session.commit()
    _assert_401(api(NW, "/products", bluebird_nw))


def test_only_a_hash_of_the_token_is_stored(app, bluebird_nw):
    with app.app_context():
        rows = db.session.scalars(select(ApiToken)).all()
        assert rows
        assert all(bluebird_nw not in (row.token_hash, row.prefix) for row in rows)
        assert any(row.prefix == bluebird_nw[:10] for row in rows)
