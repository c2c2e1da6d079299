"""/partners/staff: a distributor administrator invites, promotes, deactivates and
reactivates this storefront's staff; the tenant always keeps an active administrator."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from tests.staff.support import PASSWORD, accept, invitation_link, path_of, post, user

STAFF = "/partners/staff"


def _admin(client):  # type: ignore[no-untyped-def]
    assert client.login("admin@northwind.example").status_code == 302
    return client


def _invite(client, email: str, role: str = "distributor_finance", name: str = "Casey Staff"):  # type: ignore[no-untyped-def]
    return post(client, STAFF, STAFF, email=email, name=name, role=role)


def test_an_invited_colleague_follows_the_mail_and_is_signed_in_on_this_storefront(
    ctx, inbox, northwind, client_for
):
    _admin(northwind)
    answer = _invite(northwind, "casey@northwind.example", role="partner_manager")
    assert answer.status_code == 302
    assert "casey@northwind.example" in northwind.get(STAFF).get_data(as_text=True)

    link = invitation_link(inbox, "casey@northwind.example")
    assert link.startswith("http://northwind.localhost/invitations/")
    colleague = client_for("northwind.localhost")
    assert accept(colleague, link).status_code == 302
    assert colleague.get("/partners/companies").status_code == 200
    assert colleague.get(STAFF).status_code == 403

    casey = user("casey@northwind.example")
    assert (casey.kind, casey.role, casey.status.value) == (
        "distributor",
        "partner_manager",
        "active",
    )
    northwind_id = db.session.scalar(
        select(User.tenant_id).where(User.email == "admin@northwind.example")
    )
    assert casey.tenant_id == northwind_id
    invited = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "user.invited", AuditEvent.subject_id == str(casey.id)
        )
    ).one()
    assert invited.tenant_id == northwind_id
    # Not a login anywhere else.
    assert (
        client_for("alpenhandel.localhost").login("casey@northwind.example", PASSWORD).status_code
        != 302
    )


def test_bad_input_names_the_field_and_invites_nobody(ctx, inbox, northwind):
    _admin(northwind)
    for fields, field, message in (
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
        (
            {"email": "ok@northwind.example", "role": "vendor_admin"},
            "role",
            "Choose a role from the list.",
        ),
        (
            {"email": "ok@northwind.example", "role": "buyer"},
            "role",
            "Choose a role from the list.",
        ),
        (
            {"email": "finance@northwind.example"},
            "email",
            "This person already has an account here.",
        ),
    ):
        data = {"name": "X", "role": "distributor_finance", **fields}
        answer = post(northwind, STAFF, STAFF, **data)
        assert answer.status_code == 400, fields
        page = answer.get_data(as_text=True)
        assert f'data-field="{field}">{message}' in page, fields
    assert user("ok@northwind.example") is None
    assert inbox.messages == []


def _id(email: str) -> int:
    found = user(email)
    assert found is not None
    return found.id


def test_a_finance_user_promoted_to_partner_manager_opens_the_partner_pages(
    ctx, northwind, client_for
):
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    assert finance.get("/partners/companies").status_code == 403
    assert finance.get(STAFF).status_code == 403

    _admin(northwind)
    finance_id = _id("finance@northwind.example")
    answer = post(northwind, f"{STAFF}/{finance_id}/role", STAFF, role="partner_manager")
    assert answer.status_code == 302
    assert finance.get("/partners/companies").status_code == 200
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.role_changed")
    ).one()
    assert (event.before, event.after) == (
        {"role": "distributor_finance"},
        {"role": "partner_manager"},
    )
    assert event.actor_label == "admin@northwind.example"

    unknown = post(northwind, f"{STAFF}/{finance_id}/role", STAFF, role="company_admin")
    assert unknown.status_code == 400
    assert "Choose a role from the list." in unknown.get_data(as_text=True)
    assert user("finance@northwind.example").role == "partner_manager"


def test_deactivating_ends_the_sessions_and_reactivating_lets_them_back(ctx, northwind, client_for):
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    assert finance.get("/account").status_code == 200

    _admin(northwind)
    finance_id = _id("finance@northwind.example")
    assert post(northwind, f"{STAFF}/{finance_id}/deactivate", STAFF).status_code == 302
    assert finance.get("/account").status_code == 302  # signed out
    assert client_for("northwind.localhost").login("finance@northwind.example").status_code != 302
    assert user("finance@northwind.example").status.value == "deactivated"

    assert post(northwind, f"{STAFF}/{finance_id}/reactivate", STAFF).status_code == 302
    assert client_for("northwind.localhost").login("finance@northwind.example").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["user.deactivated", "user.reactivated"]


def test_the_last_active_administrator_can_be_neither_demoted_nor_deactivated(ctx, northwind):
    _admin(northwind)
    admin_id = _id("admin@northwind.example")
    for path, data in (
        (f"{STAFF}/{admin_id}/role", {"role": "partner_manager"}),
        (f"{STAFF}/{admin_id}/deactivate", {}),
    ):
        answer = post(northwind, path, STAFF, **data)
        assert answer.status_code == 422
        assert "last active administrator" in answer.get_data(as_text=True)
    admin = user("admin@northwind.example")
    assert (admin.role, admin.active) == ("distributor_admin", True)
    assert db.session.scalar(select(AuditEvent.id)) is None

    # With a second administrator, the first may step down.
    partners_id = _id("partners@northwind.example")
    assert (
        post(northwind, f"{STAFF}/{partners_id}/role", STAFF, role="distributor_admin").status_code
        == 302
    )
    assert (
        post(northwind, f"{STAFF}/{admin_id}/role", STAFF, role="partner_manager").status_code
        == 302
    )
    assert user("admin@northwind.example").role == "partner_manager"


def test_an_invitation_is_resent_with_a_new_link_or_withdrawn(ctx, inbox, northwind, client_for):
    _admin(northwind)
    _invite(northwind, "late@northwind.example")
    first = invitation_link(inbox, "late@northwind.example")
    late_id = _id("late@northwind.example")
    inbox.messages.clear()
    assert post(northwind, f"{STAFF}/{late_id}/resend", STAFF).status_code == 302
    second = invitation_link(inbox, "late@northwind.example")
    assert second != first
    assert client_for("northwind.localhost").get(path_of(first)).status_code in (404, 410)
    assert client_for("northwind.localhost").get(path_of(second)).status_code == 200
    assert post(northwind, f"{STAFF}/{late_id}/revoke", STAFF).status_code == 302
    assert user("late@northwind.example") is None
    assert client_for("northwind.localhost").get(path_of(second)).status_code in (404, 410)
    # A member who accepted has no invitation to resend or withdraw.
    finance_id = _id("finance@northwind.example")
    answer = post(northwind, f"{STAFF}/{finance_id}/revoke", STAFF)
    assert answer.status_code == 422
    assert user("finance@northwind.example") is not None


def test_another_storefronts_staff_is_not_found(ctx, northwind, alpenhandel):
    _admin(northwind)
    theirs = _id("admin@alpenhandel.example")
    page = northwind.get(STAFF).get_data(as_text=True)
    assert "admin@alpenhandel.example" not in page
    assert "admin@northwind.example" in page
    for action, data in (
        ("role", {"role": "distributor_finance"}),
        ("deactivate", {}),
        ("reactivate", {}),
        ("resend", {}),
        ("revoke", {}),
    ):
        assert post(northwind, f"{STAFF}/{theirs}/{action}", STAFF, **data).status_code == 404
    # Nor a reseller or the vendor's staff.
    for email in ("buyer@bluebird.example", "admin@nimbus.example"):
        assert post(northwind, f"{STAFF}/{_id(email)}/deactivate", STAFF).status_code == 404
    assert user("admin@alpenhandel.example").active
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_resellers_and_other_staff_roles_get_403(ctx, client_for):
    for email, expected in (
        ("admin@bluebird.example", 403),
        ("buyer@bluebird.example", 403),
        ("finance@northwind.example", 403),
        ("partners@northwind.example", 403),
    ):
        client = client_for("northwind.localhost")
        client.login(email)
        assert client.get(STAFF).status_code == expected, email
    anonymous = client_for("northwind.localhost").get(STAFF)
    assert anonymous.status_code == 302
