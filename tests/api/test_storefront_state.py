"""What the API answers when the storefront itself is missing, a draft or suspended."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from channelfront.extensions import db
from channelfront.tenancy.hosts import host_map
from channelfront.tenancy.models import Tenant


def _set_status(app, status: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(update(Tenant).where(Tenant.slug == "northwind").values(status=status))
        db.session.commit()
    host_map.invalidate()


def test_suspended_storefront_is_a_json_503(app, api, bluebird_nw):
    _set_status(app, "suspended")
    for path in ("/products", "/products/SHD-PERP", "/openapi.json"):
        response = api("northwind.localhost", path, bluebird_nw)
        assert response.status_code == 503
        assert response.get_json()["error"]["status"] == 503


def test_draft_storefront_is_a_json_404_like_an_unknown_host(app, api, bluebird_nw):
    _set_status(app, "draft")
    draft = api("northwind.localhost", "/products", bluebird_nw)
    unknown = api("nowhere.localhost", "/products", bluebird_nw)
    assert draft.status_code == unknown.status_code == 404
    assert draft.get_json() == unknown.get_json()


@pytest.mark.parametrize("host", ["bad_host!", "a" * 300, "[::1]", "northwind.localhost:x"])
def test_invalid_host_header_is_a_json_400(app, bluebird_nw, host):
    response = app.test_client().get(
        "/api/v1/products", headers={"Host": host, "Authorization": f"Bearer {bluebird_nw}"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400
