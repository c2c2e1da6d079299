"""/api/v1/users: a company admin's token lists, invites and changes the company's users;
other tokens read or are refused, and another company's user is not found."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from tests.company.support import accept, invitation_link, user_named

NW = "northwind.localhost"


def _call(app, method: str, path: str, token: str, host: str = NW, **kwargs):  # type: ignore[no-untyped-def]
    client = FlaskClient(app, app.response_class, use_cookies=False)
    return client.open(
        f"/api/v1{path}",
        method=method,
        base_url=f"http://{host}",
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )


def test_any_company_user_lists_the_companys_users(app, ctx, token_for):
    answer = _call(app, "GET", "/users", token_for("buyer@bluebird.example", "northwind"))
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    by_email = {item["email"]: item for item in items}
    assert set(by_email) == {
        "buyer@bluebird.example",
        "approver@bluebird.example",
        "admin@bluebird.example",
    }
    assert by_email["admin@bluebird.example"]["role"] == "company_admin"
    assert by_email["buyer@bluebird.example"]["status"] == "active"
    assert set(items[0]) == {"id", "email", "name", "role", "status"}


def test_an_admin_invites_by_api_and_the_mail_link_works(app, ctx, inbox, token_for, client_for):
    token = token_for("admin@bluebird.example", "northwind")
    body = {"email": "casey@bluebird.example", "name": "Casey Colleague", "role": "approver"}
    answer = _call(app, "POST", "/users", token, json=body)
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    assert (created["email"], created["role"], created["status"]) == (
        "casey@bluebird.example",
        "approver",
        "invited",
    )
    browser = client_for(NW)
    assert accept(browser, invitation_link(inbox, "casey@bluebird.example")).status_code == 302
    listed = _call(app, "GET", "/users", token).get_json()["items"]
    assert {"casey@bluebird.example": "active"}.items() <= {
        u["email"]: u["status"] for u in listed
    }.items()

    again = _call(app, "POST", "/users", token, json=body)
    assert again.status_code == 422
    assert "email" in again.get_json()["error"]["errors"]
    elsewhere = _call(app, "POST", "/users", token, json={**body, "email": "buyer@kirin.example"})
    assert elsewhere.status_code == 422
    assert "another company" in elsewhere.get_json()["error"]["errors"]["email"][0]


def test_bad_bodies_are_400_naming_the_field(app, ctx, token_for):
    token = token_for("admin@bluebird.example", "northwind")
    buyer = user_named("buyer@bluebird.example")
    cases = [
        ("POST", "/users", {"email": "x@y.example", "name": "X"}, "role"),
        ("POST", "/users", {"email": "x@y.example", "name": "X", "role": "vendor_admin"}, "role"),
        ("PATCH", f"/users/{buyer.id}", {}, "body"),
        ("PATCH", f"/users/{buyer.id}", {"active": "false"}, "active"),
        ("PATCH", f"/users/{buyer.id}", {"active": 0}, "active"),
        ("PATCH", f"/users/{buyer.id}", {"role": "buyer", "extra": 1}, "extra"),
    ]
    for method, path, body, field in cases:
        answer = _call(app, method, path, token, json=body)
        assert answer.status_code == 400, body
        assert field in answer.get_json()["error"]["errors"], body
    not_json = _call(app, "PATCH", f"/users/{buyer.id}", token, data="role=viewer")
    assert not_json.status_code == 400
    # JSON can carry a lone surrogate, which no database can store.
    surrogate = '{"email": "x\\ud944y@y.example", "name": "X", "role": "buyer"}'
    answer = _call(app, "POST", "/users", token, data=surrogate, content_type="application/json")
    assert answer.status_code == 422
    assert "email" in answer.get_json()["error"]["errors"]
    assert db.session.scalar(select(User).where(User.email == "x@y.example")) is None
    assert user_named("buyer@bluebird.example").status == "active"


def test_an_admin_changes_roles_and_deactivates_by_api(app, ctx, token_for):
    token = token_for("admin@bluebird.example", "northwind")
    buyer_token = token_for("buyer@bluebird.example", "northwind")
    buyer = user_named("buyer@bluebird.example")
    answer = _call(app, "PATCH", f"/users/{buyer.id}", token, json={"role": "viewer"})
    assert answer.status_code == 200
    assert answer.get_json()["role"] == "viewer"

    off = _call(app, "PATCH", f"/users/{buyer.id}", token, json={"active": False})
    assert (off.status_code, off.get_json()["status"]) == (200, "deactivated")
    # Their own token stops at once.
    assert _call(app, "GET", "/users", buyer_token).status_code == 401
    on = _call(app, "PATCH", f"/users/{buyer.id}", token, json={"active": True})
    assert (on.status_code, on.get_json()["status"]) == (200, "active")
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(buyer.id))
    ).all()
    assert actions == ["user.role_changed", "user.deactivated", "user.reactivated"]


def test_the_last_admin_stays_by_api(app, ctx, token_for):
    token = token_for("admin@bluebird.example", "northwind")
    admin = user_named("admin@bluebird.example")
    for body, field in (({"role": "buyer"}, "role"), ({"active": False}, "active")):
        answer = _call(app, "PATCH", f"/users/{admin.id}", token, json=body)
        assert answer.status_code == 422
        error = answer.get_json()["error"]
        assert "last active administrator" in error["message"]
        assert field in error["errors"]
    admin = user_named("admin@bluebird.example")
    assert (admin.role, admin.status) == ("company_admin", "active")


def test_only_an_admins_token_writes(app, ctx, token_for):
    buyer = user_named("buyer@bluebird.example")
    for email in ("buyer@bluebird.example", "approver@bluebird.example"):
        token = token_for(email, "northwind")
        body = {"email": "x@y.example", "name": "X", "role": "buyer"}
        assert _call(app, "POST", "/users", token, json=body).status_code == 403
        patch = _call(app, "PATCH", f"/users/{buyer.id}", token, json={"role": "viewer"})
        assert patch.status_code == 403
    staff = token_for("finance@northwind.example", "northwind")
    assert _call(app, "GET", "/users", staff).status_code == 403
    assert user_named("buyer@bluebird.example").role == "buyer"


def test_another_companys_user_is_not_found(app, ctx, token_for):
    token = token_for("admin@bluebird.example", "northwind")
    kirin = user_named("buyer@kirin.example")
    answer = _call(app, "PATCH", f"/users/{kirin.id}", token, json={"active": False})
    assert answer.status_code == 404
    assert _call(app, "PATCH", "/users/999999", token, json={"active": False}).status_code == 404
    assert user_named("buyer@kirin.example").active


def test_the_document_describes_the_user_operations(app, ctx):
    client = FlaskClient(app, app.response_class)
    document = client.get("/api/v1/openapi.json", base_url=f"http://{NW}").get_json()
    assert set(document["paths"]["/users"]) == {"get", "post"}
    assert set(document["paths"]["/users/{user_id}"]) == {"patch"}
    assert {"User", "UserList", "NewUser", "UserChange"} <= set(document["components"]["schemas"])
    patch = document["paths"]["/users/{user_id}"]["patch"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(patch["responses"])
