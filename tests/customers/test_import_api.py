"""POST /api/v1/customers/import: text/csv in, 422 naming rows and fields, or 200."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from tests.customers.import_world import (  # noqa: F401  (fixtures)
    NW,
    bluebird,
    count,
    csv_text,
    northwind_shop,
    reseller,
)

pytestmark = pytest.mark.usefixtures("northwind_shop")


@pytest.fixture
def post(app: Flask) -> Callable[..., TestResponse]:
    client = FlaskClient(app, app.response_class, use_cookies=False)

    def send(body: bytes | str, email: str = "buyer@bluebird.example", **kw: str) -> TestResponse:
        user = db.session.scalar(select(User).where(User.email == email))
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
        assert user is not None
        assert tenant is not None
        token = issue_token(user, tenant.id)
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        return client.post(
            "/api/v1/customers/import",
            data=body,
            base_url=f"http://{NW}",
            headers=headers,
            content_type=kw.get("content_type", "text/csv"),
        )

    return send


def test_a_valid_list_is_imported_with_its_counts(post: Callable[..., TestResponse]) -> None:
    before = count()
    body = csv_text("Acme,Ada,ada@acme.example,US,,CRM-1", "Globex,Gil,gil@globex.example,DE,,")
    response = post(body)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["new"], answer["updated"], answer["invalid"]) == (2, 0, 0)
    assert count() == before + 2
    acme = db.session.scalar(select(Customer).where(Customer.crm_account_id == "CRM-1"))
    assert acme is not None
    assert acme.company_id == bluebird()
    again = post(body).get_json()
    assert (again["new"], again["unchanged"]) == (0, 2)


def test_an_invalid_list_answers_422_with_every_row_and_field_and_writes_nothing(
    post: Callable[..., TestResponse],
) -> None:
    before = count()
    body = csv_text("Acme,Ada,ada@acme.example,US,,", "=1+1,Bob,bob,US,,", "C,D,e@f.example,XX1,,")
    response = post(body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert [(e["row"], e["field"]) for e in error["errors"]] == [
        (3, "company_name"),
        (4, "country"),
    ]
    assert count() == before


def test_not_utf8_is_a_422_naming_the_file(post: Callable[..., TestResponse]) -> None:
    response = post(csv_text("Café,Zoé,z@c.example,FR,,").encode("latin-1"))
    assert response.status_code == 422
    assert response.get_json()["error"]["errors"][0]["field"] == "file"


def test_a_body_that_is_not_csv_is_415(post: Callable[..., TestResponse]) -> None:
    response = post('{"company_name": "x"}', content_type="application/json")
    assert response.status_code == 415


def test_a_viewer_may_not_import(post: Callable[..., TestResponse]) -> None:
    reseller(bluebird(), "viewer@bluebird.example", "viewer")
    before = count()
    response = post(csv_text("Acme,Ada,ada@acme.example,US,,"), email="viewer@bluebird.example")
    assert response.status_code == 403
    assert count() == before
