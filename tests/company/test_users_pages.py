"""/company/users: a company admin invites colleagues, changes roles, deactivates and
reactivates them, resends and revokes invitations; the last admin stays."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from tests.company.support import (
    PASSWORD,
    accept,
    company_named,
    invitation_link,
    path_of,
    post,
    user_named,
)


def _invite(client, email: str, role: str = "buyer", name: str = "Casey Colleague"):  # type: ignore[no-untyped-def]
    return post(client, "/company/users/invite", email=email, name=name, role=role)


def test_the_page_lists_every_user_of_the_company_and_no_one_else(app, ctx, bluebird_admin):
    page = bluebird_admin.get("/company/users")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for email in ("buyer@bluebird.example", "approver@bluebird.example", "admin@bluebird.example"):
        assert email in text
    assert "buyer@kirin.example" not in text
    assert "Company administrator" in text
    assert 'href="/company/profile"' in text


def test_an_invited_colleague_follows_the_mail_and_is_signed_in(
    app, ctx, inbox, bluebird_admin, client_for
):
    answer = _invite(bluebird_admin, "casey@bluebird.example", role="approver")
    assert answer.status_code == 302
    assert "casey@bluebird.example" in bluebird_admin.get("/company/users").get_data(as_text=True)
    casey = user_named("casey@bluebird.example")
    assert (casey.status, casey.role, casey.company_id) == (
        "invited",
        "approver",
        company_named("Bluebird IT").id,
    )
    [mail] = inbox.to("casey@bluebird.example")
    assert "Northwind" in mail["Subject"]
    assert "Addison Admin" in mail.get_content()
    link = invitation_link(inbox, "casey@bluebird.example")
    assert link.startswith("http://northwind.localhost/invitations/")

    browser = client_for("northwind.localhost")
    assert accept(browser, link).status_code == 302
    assert browser.get("/account").status_code == 200
    assert user_named("casey@bluebird.example").status == "active"
    signed_in = client_for("northwind.localhost").login("casey@bluebird.example", PASSWORD)
    assert signed_in.status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.invited")).one()
    assert event.company_id == company_named("Bluebird IT").id


def test_an_address_of_another_company_is_refused_with_the_reason(app, ctx, inbox, bluebird_admin):
    answer = _invite(bluebird_admin, "buyer@kirin.example")
    assert answer.status_code == 422
    assert "already has an account with another company" in answer.get_data(as_text=True)
    assert user_named("buyer@kirin.example").company_id == company_named("Kirin Systems").id
    assert inbox.to("buyer@kirin.example") == []


def test_bad_invitation_input_names_the_field(app, ctx, inbox, bluebird_admin):
    empty = _invite(bluebird_admin, "", name="")
    assert empty.status_code == 400
    assert "Enter an e-mail address." in empty.get_data(as_text=True)
    bad_role = _invite(bluebird_admin, "casey@bluebird.example", role="vendor_admin")
    assert bad_role.status_code == 400
    assert "Role" in bad_role.get_data(as_text=True)
    bad_address = _invite(bluebird_admin, "not-an-address")
    assert bad_address.status_code == 422
    assert "Enter a valid e-mail address." in bad_address.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "casey@bluebird.example")) is None


def test_a_role_change_is_saved_and_audited(app, ctx, bluebird_admin):
    buyer = user_named("buyer@bluebird.example")
    answer = post(bluebird_admin, f"/company/users/{buyer.id}/role", role="viewer")
    assert answer.status_code == 302
    assert user_named("buyer@bluebird.example").role == "viewer"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.role_changed")
    ).one()
    assert (event.before, event.after) == ({"role": "buyer"}, {"role": "viewer"})
    assert "Blake Buyer is now Viewer." in bluebird_admin.get("/company/users").get_data(
        as_text=True
    )


def test_a_missing_or_unknown_role_is_a_400_naming_the_field(app, ctx, bluebird_admin):
    buyer = user_named("buyer@bluebird.example")
    for data in ({}, {"role": "vendor_admin"}):
        answer = post(bluebird_admin, f"/company/users/{buyer.id}/role", **data)
        assert answer.status_code == 400
        assert 'data-field="role"' in answer.get_data(as_text=True)
    assert user_named("buyer@bluebird.example").role == "buyer"


def test_deactivating_ends_the_colleagues_sessions_and_reactivating_lets_them_back(
    app, ctx, bluebird_admin, client_for
):
    colleague = client_for("northwind.localhost")
    assert colleague.login("buyer@bluebird.example").status_code == 302
    assert colleague.get("/account").status_code == 200
    buyer = user_named("buyer@bluebird.example")

    assert post(bluebird_admin, f"/company/users/{buyer.id}/deactivate").status_code == 302
    assert user_named("buyer@bluebird.example").status == "deactivated"
    signed_out = colleague.get("/account")
    assert signed_out.status_code == 302
    assert "/login" in signed_out.headers["Location"]
    assert client_for("northwind.localhost").login("buyer@bluebird.example").status_code != 302

    assert post(bluebird_admin, f"/company/users/{buyer.id}/reactivate").status_code == 302
    assert user_named("buyer@bluebird.example").status == "active"
    assert client_for("northwind.localhost").login("buyer@bluebird.example").status_code == 302
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(buyer.id))
    ).all()
    assert actions == ["user.deactivated", "user.reactivated"]


def test_resending_makes_the_old_link_stop_working(app, ctx, inbox, bluebird_admin, client_for):
    _invite(bluebird_admin, "casey@bluebird.example")
    first = invitation_link(inbox, "casey@bluebird.example")
    casey = user_named("casey@bluebird.example")
    assert post(bluebird_admin, f"/company/users/{casey.id}/resend").status_code == 302
    assert len(inbox.to("casey@bluebird.example")) == 2
    second = invitation_link(inbox, "casey@bluebird.example")
    assert second != first

    browser = client_for("northwind.localhost")
    replaced = browser.get(path_of(first))
    assert replaced.status_code == 410
    assert "replaced by a newer one" in replaced.get_data(as_text=True)
    assert accept(browser, second).status_code == 302
    again = post(bluebird_admin, f"/company/users/{casey.id}/resend")
    assert again.status_code == 422
    assert "already accepted" in again.get_data(as_text=True)


def test_revoking_removes_the_invitation_and_its_link(app, ctx, inbox, bluebird_admin, client_for):
    _invite(bluebird_admin, "casey@bluebird.example")
    link = invitation_link(inbox, "casey@bluebird.example")
    casey_id = user_named("casey@bluebird.example").id
    assert post(bluebird_admin, f"/company/users/{casey_id}/revoke").status_code == 302
    assert db.session.scalar(select(User).where(User.email == "casey@bluebird.example")) is None
    assert client_for("northwind.localhost").get(path_of(link)).status_code in (404, 410)
    page = bluebird_admin.get("/company/users").get_data(as_text=True)
    assert "The invitation to casey@bluebird.example is withdrawn." in page
    assert f'data-user-id="{casey_id}"' not in page


def test_the_last_admin_can_be_neither_demoted_nor_deactivated(app, ctx, bluebird_admin):
    admin = user_named("admin@bluebird.example")
    demote = post(bluebird_admin, f"/company/users/{admin.id}/role", role="buyer")
    assert demote.status_code == 422
    assert "last active administrator" in demote.get_data(as_text=True)
    deactivate = post(bluebird_admin, f"/company/users/{admin.id}/deactivate")
    assert deactivate.status_code == 422
    assert "last active administrator" in deactivate.get_data(as_text=True)
    assert user_named("admin@bluebird.example").status == "active"
    assert user_named("admin@bluebird.example").role == "company_admin"


def test_with_a_second_admin_the_first_may_step_down(app, ctx, bluebird_admin):
    approver = user_named("approver@bluebird.example")
    admin = user_named("admin@bluebird.example")
    promoted = post(bluebird_admin, f"/company/users/{approver.id}/role", role="company_admin")
    assert promoted.status_code == 302
    assert post(bluebird_admin, f"/company/users/{admin.id}/role", role="buyer").status_code == 302
    assert user_named("admin@bluebird.example").role == "buyer"
    # No longer an admin: the area is closed to them now.
    assert bluebird_admin.get("/company/users").status_code == 403


def test_an_invited_admin_does_not_count_as_active(app, ctx, inbox, bluebird_admin):
    _invite(bluebird_admin, "casey@bluebird.example", role="company_admin")
    admin = user_named("admin@bluebird.example")
    answer = post(bluebird_admin, f"/company/users/{admin.id}/deactivate")
    assert answer.status_code == 422
    assert user_named("admin@bluebird.example").active


def test_an_id_past_any_row_is_not_found(app, ctx, bluebird_admin):
    answer = post(bluebird_admin, f"/company/users/{2**63}/deactivate")
    assert answer.status_code == 404
