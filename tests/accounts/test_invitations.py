"""Invitation links: the mail carries a signed single-use link that expires and works only
on the site it was sent for; following it sets a name and password and signs in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from channelfront.accounts.invitations import InvitationRefused, Invitee, invite
from channelfront.accounts.models import AccountLink, Company, User, UserKind
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch

LINK = re.compile(r"https?://\S+/invitations/\S+")
PASSWORD = "lantern-violet-47"


def _bluebird() -> Company:
    return db.session.scalars(select(Company).where(Company.name == "Bluebird IT")).one()


def _invite(app: Flask, email: str, host: str = "northwind.localhost", **fields: object) -> None:
    """Invite a Bluebird buyer from a request on ``host``; the mail goes out on commit."""
    with app.test_request_context(base_url=f"http://{host}"):
        company = _bluebird()
        tenant_id = db.session.execute(
            db.text("SELECT tenant_id FROM tenant_host WHERE host = :h"), {"h": host}
        ).scalar_one()
        invitee = Invitee(
            email=email,
            name=str(fields.get("name", "Casey Colleague")),
            kind=UserKind.RESELLER,
            role=str(fields.get("role", "buyer")),
            link_tenant_id=tenant_id,
            company_id=company.id,
            locale=fields.get("locale"),  # type: ignore[arg-type]
        )
        invite(invitee, None)
        commit_and_dispatch()


def _link(inbox, email: str) -> str:
    [mail] = inbox.to(email)
    match = LINK.search(mail.get_content())
    assert match, mail.get_content()
    return match.group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _accept(client, link: str, password: str = PASSWORD, name: str = "Casey Colleague"):  # type: ignore[no-untyped-def]
    token = client.csrf_token(_path(link))
    data = {"name": name, "password": password, "confirm": password, "csrf_token": token}
    return client.post(_path(link), data=data)


def test_the_invited_person_follows_the_mail_sets_a_password_and_is_signed_in(
    app, ctx, inbox, northwind, client_for
):
    _invite(app, "casey@bluebird.example")
    link = _link(inbox, "casey@bluebird.example")
    assert link.startswith("http://northwind.localhost/invitations/")
    page = northwind.get(_path(link))
    assert page.status_code == 200
    assert "casey@bluebird.example" in page.get_data(as_text=True)

    answer = _accept(northwind, link, name="Casey C. Colleague")
    assert answer.status_code == 302
    assert northwind.get("/account").status_code == 200
    user = db.session.scalars(select(User).where(User.email == "casey@bluebird.example")).one()
    assert (user.name, user.status) == ("Casey C. Colleague", "active")
    assert (
        client_for("northwind.localhost").login("casey@bluebird.example", PASSWORD).status_code
        == 302
    )
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(user.id))
    ).all()
    assert actions == ["user.invited", "user.invitation_accepted"]


def test_an_invited_person_cannot_sign_in_before_accepting(app, ctx, inbox, northwind):
    _invite(app, "casey@bluebird.example")
    assert northwind.login("casey@bluebird.example", "").status_code == 400
    assert northwind.login("casey@bluebird.example", "anything-at-all").status_code == 401


def test_a_link_works_once(app, ctx, inbox, northwind, client_for):
    _invite(app, "casey@bluebird.example")
    link = _link(inbox, "casey@bluebird.example")
    assert _accept(northwind, link).status_code == 302
    again = client_for("northwind.localhost").get(_path(link))
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_an_expired_link_says_so(app, ctx, inbox, northwind):
    _invite(app, "casey@bluebird.example")
    link = _link(inbox, "casey@bluebird.example")
    db.session.execute(update(AccountLink).values(expires_at=datetime.now(UTC) - timedelta(1)))
    db.session.commit()
    answer = northwind.get(_path(link))
    assert answer.status_code == 410
    assert "expired" in answer.get_data(as_text=True)


@pytest.mark.parametrize("host", ["alpenhandel.localhost", "admin.localhost"])
def test_a_link_is_not_found_on_another_site(app, ctx, inbox, client_for, host):
    _invite(app, "casey@bluebird.example")
    link = _link(inbox, "casey@bluebird.example")
    assert client_for(host).get(_path(link)).status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 500, "eyJhIjoxfQ.forged", "%00"])
def test_a_forged_or_garbled_link_is_not_found(northwind, token):
    answer = northwind.get(f"/invitations/{token}")
    assert answer.status_code == 404
    assert "not valid" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short", "at least 10 characters"),
        ("1234567890", "too common"),
        ("casey@bluebird.example", "must not be your e-mail address"),
    ],
)
def test_a_weak_password_is_named_and_the_link_still_works(
    app, ctx, inbox, northwind, password, complaint
):
    _invite(app, "casey@bluebird.example")
    link = _link(inbox, "casey@bluebird.example")
    answer = _accept(northwind, link, password=password)
    assert answer.status_code == 400
    assert complaint in answer.get_data(as_text=True)
    assert _accept(northwind, link).status_code == 302


def test_passwords_that_differ_are_refused(app, ctx, inbox, northwind):
    _invite(app, "casey@bluebird.example")
    link = _link(inbox, "casey@bluebird.example")
    token = northwind.csrf_token(_path(link))
    data = {"name": "C", "password": PASSWORD, "confirm": PASSWORD + "x", "csrf_token": token}
    answer = northwind.post(_path(link), data=data)
    assert answer.status_code == 400
    assert "The two passwords differ." in answer.get_data(as_text=True)


def test_an_address_with_an_account_in_another_company_is_refused(app, ctx, inbox):
    with pytest.raises(InvitationRefused, match="another company") as refused:
        _invite(app, "buyer@kirin.example")
    assert refused.value.field == "email"
    assert inbox.messages == []


def test_the_mail_speaks_the_invitees_language_when_the_site_offers_it(app, ctx, inbox, translated):
    _invite(app, "casey@bluebird.example", host="alpenhandel.localhost", locale="de")
    [mail] = inbox.to("casey@bluebird.example")
    assert mail["Subject"] == translated(
        "de", "You are invited to %(site)s", site="Alpenhandel GmbH"
    )
    assert "alpenhandel.localhost/invitations/" in mail.get_content()


def test_an_operator_invites_the_first_vendor_admin_from_the_command_line(
    app, ctx, inbox, admin_host
):
    result = app.test_cli_runner().invoke(
        args=["users", "invite-vendor-admin", "owner@nimbus.example", "--scheme", "http"]
    )
    assert result.exit_code == 0, result.output
    printed = LINK.search(result.output)
    assert printed
    assert printed.group(0) == _link(inbox, "owner@nimbus.example")
    assert printed.group(0).startswith("http://admin.localhost/invitations/")
    assert _accept(admin_host, printed.group(0)).status_code == 302
    assert admin_host.get("/admin/").status_code == 200


def test_the_command_line_refuses_an_address_that_has_an_account(app, ctx, inbox):
    result = app.test_cli_runner().invoke(
        args=["users", "invite-vendor-admin", "admin@nimbus.example"]
    )
    assert result.exit_code != 0
    assert "already has an account" in result.output


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "casey\ud800@bluebird.example"}, "email", "Enter a valid e-mail address."),
        ({"name": "Casey\x00"}, "name", "A name cannot contain control characters."),
        ({"name": "C" * 121}, "name", "A name has at most 120 characters."),
        ({"role": "vendor_admin"}, "role", "Choose a role from the list."),
    ],
)
def test_bad_invitations_name_the_field_and_add_nobody(app, ctx, inbox, fields, field, message):
    email = str(fields.pop("email", "casey@bluebird.example"))
    with pytest.raises(InvitationRefused) as refused:
        _invite(app, email, **fields)
    assert (refused.value.field, refused.value.message) == (field, message)
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email.like("casey%"))) is None
    assert inbox.messages == []


def test_an_address_differing_only_in_non_ascii_case_is_refused_not_a_crash(app, ctx, inbox):
    _invite(app, "ÉLODIE@bluebird.example")
    with pytest.raises(InvitationRefused, match="already has an account"):
        _invite(app, "élodie@bluebird.example")
