"""The vendor console: /admin/users for the vendor's staff, and a tenant's page inviting
its distributor administrator, whose link opens on the tenant's host, draft or live."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.accounts.users import set_password
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.tenancy.hosts import host_map
from channelfront.tenancy.models import Tenant
from tests.staff.support import PASSWORD, accept, invitation_link, path_of, post, user

USERS = "/admin/users"


def _vendor_admin(client):  # type: ignore[no-untyped-def]
    assert client.login("admin@nimbus.example").status_code == 302
    return client


def _tenant(slug: str) -> Tenant:
    return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _set_status(slug: str, status: str) -> None:
    _tenant(slug).status = status
    db.session.commit()
    host_map.invalidate()


def test_a_vendor_colleague_is_invited_and_signs_in_on_the_console(
    ctx, inbox, admin_host, client_for
):
    _vendor_admin(admin_host)
    answer = post(
        admin_host, USERS, USERS, email="ops@nimbus.example", name="Oli Ops", role="vendor_ops"
    )
    assert answer.status_code == 302
    link = invitation_link(inbox, "ops@nimbus.example")
    assert link.startswith("http://admin.localhost/invitations/")
    ops = client_for("admin.localhost")
    assert accept(ops, link, name="Oli Ops").status_code == 302
    assert ops.get(USERS).status_code == 200
    assert (user("ops@nimbus.example").kind, user("ops@nimbus.example").role) == (
        "vendor",
        "vendor_ops",
    )
    # A vendor user does not sign in on a storefront.
    assert (
        client_for("northwind.localhost").login("ops@nimbus.example", PASSWORD).status_code != 302
    )


def test_vendor_operations_read_the_list_but_change_nothing(ctx, inbox, admin_host, client_for):
    _vendor_admin(admin_host)
    post(admin_host, USERS, USERS, email="ops@nimbus.example", name="Oli Ops", role="vendor_ops")
    ops = client_for("admin.localhost")
    accept(ops, invitation_link(inbox, "ops@nimbus.example"), name="Oli Ops")
    page = ops.get(USERS)
    assert page.status_code == 200
    assert "admin@nimbus.example" in page.get_data(as_text=True)
    admin_id = user("admin@nimbus.example").id
    token = ops.csrf_token("/admin/")
    before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    for path, data in (
        (USERS, {"email": "x@nimbus.example", "role": "vendor_admin"}),
        (f"{USERS}/{admin_id}/role", {"role": "vendor_ops"}),
        (f"{USERS}/{admin_id}/deactivate", {}),
    ):
        assert ops.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert user("x@nimbus.example") is None
    assert user("admin@nimbus.example").role == "vendor_admin"
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == before


def test_the_last_vendor_administrator_stays_and_storefront_staff_are_not_found(ctx, admin_host):
    _vendor_admin(admin_host)
    admin_id = user("admin@nimbus.example").id
    for path, data in (
        (f"{USERS}/{admin_id}/role", {"role": "vendor_ops"}),
        (f"{USERS}/{admin_id}/deactivate", {}),
    ):
        answer = post(admin_host, path, USERS, **data)
        assert answer.status_code == 422
        assert "last active administrator" in answer.get_data(as_text=True)
    assert user("admin@nimbus.example").is_active
    distributor_id = user("admin@northwind.example").id
    assert post(admin_host, f"{USERS}/{distributor_id}/deactivate", USERS).status_code == 404
    assert "admin@northwind.example" not in admin_host.get(USERS).get_data(as_text=True)


def test_bad_input_on_the_vendor_invite_names_the_field(ctx, inbox, admin_host):
    _vendor_admin(admin_host)
    for data, label in (
        ({"email": "nope", "role": "vendor_ops"}, "E-mail: Enter a valid e-mail address."),
        (
            {"email": "ok@nimbus.example", "role": "distributor_admin"},
            "Role: Choose a role from the list.",
        ),
    ):
        answer = post(admin_host, USERS, USERS, **data)
        assert answer.status_code == 400
        assert label in answer.get_data(as_text=True)
    assert user("ok@nimbus.example") is None
    assert inbox.messages == []


def _invite_distributor_admin(admin_host, slug: str, email: str):  # type: ignore[no-untyped-def]
    page = f"/admin/tenants/{_tenant(slug).id}"
    return post(admin_host, f"{page}/staff", page, email=email, name="Dana Distributor")


def test_a_live_tenants_first_administrator_is_invited_from_its_console_page(
    ctx, inbox, admin_host, client_for
):
    _vendor_admin(admin_host)
    assert (
        _invite_distributor_admin(admin_host, "northwind", "dana@northwind.example").status_code
        == 302
    )
    page = admin_host.get(f"/admin/tenants/{_tenant('northwind').id}").get_data(as_text=True)
    assert "dana@northwind.example" in page
    assert "admin@northwind.example" in page
    assert "admin@alpenhandel.example" not in page
    link = invitation_link(inbox, "dana@northwind.example")
    assert link.startswith("http://northwind.localhost/invitations/")
    dana = client_for("northwind.localhost")
    assert accept(dana, link).status_code == 302
    assert dana.get("/partners/staff").status_code == 200
    dana_row = user("dana@northwind.example")
    assert (dana_row.role, dana_row.tenant_id) == ("distributor_admin", _tenant("northwind").id)


def test_a_draft_tenant_opens_only_its_account_pages_to_its_own_staff(
    ctx, inbox, admin_host, client_for
):
    _set_status("sakura", "draft")
    _vendor_admin(admin_host)
    assert _invite_distributor_admin(admin_host, "sakura", "dana@sakura.example").status_code == 302
    link = invitation_link(inbox, "dana@sakura.example")
    assert link.startswith("http://sakura.localhost/invitations/")

    dana = client_for("sakura.localhost")
    assert dana.get(path_of(link)).status_code == 200
    accepted = accept(dana, link)
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/account"  # the home page is not open yet
    assert dana.get("/account").status_code == 200
    for closed in ("/", "/catalog", "/partners", "/partners/staff", "/apply"):
        assert dana.get(closed).status_code == 404, closed
    # Signing in again works for its staff, and for nobody else.
    assert client_for("sakura.localhost").login("dana@sakura.example", PASSWORD).status_code == 302
    kirin = client_for("sakura.localhost")
    assert kirin.login("buyer@kirin.example").status_code == 403
    assert kirin.get("/account").status_code == 302
    assert client_for("sakura.localhost").get("/").status_code == 404

    _set_status("sakura", "live")
    assert dana.get("/partners/staff").status_code == 200


def test_inviting_an_existing_address_or_a_bad_one_is_refused_with_the_field(
    ctx, inbox, admin_host
):
    _vendor_admin(admin_host)
    for email, message in (
        ("admin@alpenhandel.example", "This e-mail address already has an account."),
        ("not an address", "Enter a valid e-mail address."),
    ):
        answer = _invite_distributor_admin(admin_host, "northwind", email)
        assert answer.status_code == 400
        assert f"E-mail: {message}" in answer.get_data(as_text=True)
    assert inbox.messages == []
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_vendor_operations_cannot_invite_a_distributor_administrator(
    ctx, inbox, admin_host, client_for
):
    ops = User(
        email="ops@nimbus.example", name="Ops", password_hash="", kind="vendor", role="vendor_ops"
    )
    db.session.add(ops)
    set_password(ops, PASSWORD)
    db.session.commit()
    client = client_for("admin.localhost")
    assert client.login("ops@nimbus.example", PASSWORD).status_code == 302
    page = f"/admin/tenants/{_tenant('northwind').id}"
    answer = post(client, f"{page}/staff", page, email="z@northwind.example", name="Z")
    assert answer.status_code == 403
    assert user("z@northwind.example") is None
