"""``/api/v1/customers``: list, get, create, update, merge, archive; errors and walls."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.orders.models import Order
from tests.customers.world import (
    add_customer,
    company_id,
    other_company,
    place_order,
    reseller_user,
    tenant,
)

NW = "http://northwind.localhost/api/v1"


class Api:
    def __init__(self, app, email: str) -> None:  # type: ignore[no-untyped-def]
        user = db.session.scalars(select(User).where(User.email == email)).one()
        raw = issue_token(user, tenant("northwind").id)
        db.session.commit()
        self.client = FlaskClient(app, app.response_class, use_cookies=False)
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.get(NW + path, headers=self.headers)

    def send(self, method: str, path: str, body: object = None):  # type: ignore[no-untyped-def]
        return self.client.open(NW + path, method=method, json=body, headers=self.headers)


NEW = {
    "company_name": "Globex",
    "contact_name": "Hank",
    "email": "hank@globex.example",
    "country": "us",
    "crm_account_id": "0015g00000XyZ",
}


def test_create_read_update_list(app, shop):
    api = Api(app, "buyer@bluebird.example")
    created = api.send("POST", "/customers", NEW)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["country"] == "US"
    assert body["crm_account_id"] == "0015g00000XyZ"
    assert body["archived"] is False
    assert set(body) == {
        "id", "company_name", "contact_name", "email", "country", "vat_id",
        "crm_account_id", "archived", "created_at",
    }  # fmt: skip
    assert api.get(created.headers["Location"].removeprefix("/api/v1")).get_json() == body
    changed = api.send("PATCH", f"/customers/{body['id']}", {"vat_id": "DE123456789"})
    assert changed.status_code == 200
    assert changed.get_json()["vat_id"] == "DE123456789"
    assert changed.get_json()["email"] == "hank@globex.example"
    page = api.get("/customers?q=xyz").get_json()
    assert [c["id"] for c in page["items"]] == [body["id"]]
    assert (page["page"], page["pages"], page["total"]) == (1, 1, 1)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"customer.created", "customer.updated"} <= actions


def test_bad_input_is_named_and_writes_nothing(app, shop):
    api = Api(app, "buyer@bluebird.example")
    before = api.get("/customers").get_json()["total"]
    assert api.send("POST", "/customers", {**NEW, "email": "nope"}).status_code == 400
    assert api.send("POST", "/customers", {**NEW, "unknown": 1}).status_code == 400
    refused = api.send("POST", "/customers", {**NEW, "vat_id": "!!!!"})
    assert refused.status_code == 422
    assert "vat_id" in refused.get_json()["error"]["errors"]
    assert api.get("/customers").get_json()["total"] == before
    for query in ("?limit=0", "?limit=101", "?country=USA", "?archived=maybe", "?q=%00"):
        assert api.get(f"/customers{query}").status_code == 400, query
    assert api.get("/customers/999999").status_code == 404


def test_merge_and_archive(app, shop):
    survivor = add_customer("Acme", "it@acme.example")
    duplicate = add_customer("ACME", "it2@acme.example")
    order = place_order(duplicate)
    api = Api(app, "buyer@bluebird.example")
    merged = api.send("POST", f"/customers/{survivor.id}/merge", {"duplicate_id": duplicate.id})
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["moved"]["purchase_order"] == 1
    db.session.expire_all()
    assert db.session.get(Order, order.id).customer_id == survivor.id
    assert api.get(f"/customers/{duplicate.id}").status_code == 404
    again = api.send("POST", f"/customers/{survivor.id}/merge", {"duplicate_id": duplicate.id})
    assert again.status_code == 422
    assert (
        api.send("POST", f"/customers/{survivor.id}/merge", {"duplicate_id": "1"}).status_code
        == 400
    )
    archived = api.send("POST", f"/customers/{survivor.id}/archive")
    assert archived.get_json()["archived"] is True
    assert api.get("/customers").get_json()["items"] == []
    assert [c["id"] for c in api.get("/customers?archived=true").get_json()["items"]] == [
        survivor.id
    ]
    assert api.send("POST", f"/customers/{survivor.id}/unarchive").get_json()["archived"] is False


def test_viewers_read_and_walls_hold(app, shop):
    ours = add_customer()
    otter = add_customer("Otter's", "a@otter.example", company=other_company())
    reseller_user(company_id(), "viewer@bluebird.example", "viewer")
    viewer = Api(app, "viewer@bluebird.example")
    assert viewer.get(f"/customers/{ours.id}").status_code == 200
    assert viewer.send("POST", "/customers", NEW).status_code == 403
    assert viewer.send("PATCH", f"/customers/{ours.id}", {"country": "DE"}).status_code == 403
    assert viewer.send("POST", f"/customers/{ours.id}/archive").status_code == 403
    buyer = Api(app, "buyer@bluebird.example")
    assert buyer.get(f"/customers/{otter.id}").status_code == 404
    assert buyer.send("PATCH", f"/customers/{otter.id}", {"country": "DE"}).status_code == 404
    merge = buyer.send("POST", f"/customers/{ours.id}/merge", {"duplicate_id": otter.id})
    assert merge.status_code == 422
    staff = Api(app, "admin@northwind.example")
    assert staff.get("/customers").status_code == 403
