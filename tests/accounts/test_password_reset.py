"""Forgotten passwords: a single-use link by mail sets a new password and ends every
session; asking answers the same whether or not the address has an account here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from channelfront.accounts.models import AccountLink, User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db, limiter

BUYER = "buyer@bluebird.example"
LINK = re.compile(r"https?://\S+/password/reset/\S+")
NEW = "lantern-violet-47"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


def ask(client, email: str):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/password/forgot")
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def mailed_path(inbox, email: str) -> str:  # type: ignore[no-untyped-def]
    [mail] = inbox.to(email)
    match = LINK.search(mail.get_content())
    assert match, mail.get_content()
    return "/" + match.group(0).split("/", 3)[3]


def choose(client, path: str, password: str = NEW, confirm: str | None = None):  # type: ignore[no-untyped-def]
    token = client.csrf_token(path)
    data = {"password": password, "confirm": confirm or password, "csrf_token": token}
    return client.post(path, data=data)


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def test_the_sign_in_page_links_to_the_forgotten_password_page(northwind):
    assert 'href="/password/forgot"' in northwind.get("/login").get_data(as_text=True)


def test_a_reset_by_mail_sets_the_password_and_ends_every_session(
    ctx, inbox, northwind, client_for
):
    elsewhere = client_for("northwind.localhost")
    assert elsewhere.login(BUYER).status_code == 302
    assert ask(northwind, BUYER).status_code == 200
    path = mailed_path(inbox, BUYER)
    assert path.startswith("/password/reset/")
    assert BUYER in northwind.get(path).get_data(as_text=True)

    answer = choose(northwind, path)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login"
    assert elsewhere.get("/account").status_code == 302  # signed out there too
    assert northwind.login(BUYER).status_code == 401  # the old password is gone
    assert northwind.login(BUYER, NEW).status_code == 302
    user = db.session.scalar(select(User).where(User.email == BUYER))
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(user.id))
    ).all()
    assert "user.password_reset" in actions


def test_the_mail_is_in_the_users_language(ctx, inbox, northwind, translated):
    # Northwind offers English and Spanish.
    db.session.execute(update(User).where(User.email == BUYER).values(locale="es"))
    db.session.commit()
    ask(northwind, BUYER)
    [mail] = inbox.to(BUYER)
    spanish = translated("es", "Follow this link to choose a new password:")
    assert spanish != "Follow this link to choose a new password:"
    assert spanish in mail.get_content()


def test_a_language_the_site_does_not_offer_falls_back_to_its_default(ctx, inbox, northwind):
    db.session.execute(update(User).where(User.email == BUYER).values(locale="de"))
    db.session.commit()
    ask(northwind, BUYER)
    [mail] = inbox.to(BUYER)
    assert "Follow this link to choose a new password:" in mail.get_content()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(ctx, inbox, client_for):
    known = ask(client_for("northwind.localhost"), BUYER)
    unknown = ask(client_for("northwind.localhost"), "nobody@bluebird.example")
    assert known.status_code == unknown.status_code == 200
    assert page_text(known) == page_text(unknown).replace("nobody@", "buyer@")
    assert inbox.to("nobody@bluebird.example") == []
    assert len(inbox.to(BUYER)) == 1


def test_a_user_who_cannot_sign_in_on_this_site_gets_no_link(ctx, inbox, client_for):
    # Kirin's buyer is enrolled on Sakura only; Northwind's staff sign in on Northwind.
    for host, email in [
        ("northwind.localhost", "buyer@kirin.example"),
        ("alpenhandel.localhost", "finance@northwind.example"),
    ]:
        assert ask(client_for(host), email).status_code == 200
        assert inbox.to(email) == []


def test_a_link_works_once_and_a_new_one_replaces_the_old(ctx, inbox, northwind, client_for):
    ask(northwind, BUYER)
    first = mailed_path(inbox, BUYER)
    inbox.messages.clear()
    ask(northwind, BUYER)
    second = mailed_path(inbox, BUYER)
    replaced = northwind.get(first)
    assert replaced.status_code == 410
    assert "replaced by a newer one" in replaced.get_data(as_text=True)
    assert choose(northwind, second).status_code == 302
    again = client_for("northwind.localhost").get(second)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_an_expired_link_says_so(ctx, inbox, northwind):
    ask(northwind, BUYER)
    path = mailed_path(inbox, BUYER)
    db.session.execute(update(AccountLink).values(expires_at=datetime.now(UTC) - timedelta(1)))
    db.session.commit()
    answer = northwind.get(path)
    assert answer.status_code == 410
    assert "expired" in answer.get_data(as_text=True)
    assert northwind.login(BUYER).status_code == 302


def test_a_link_is_not_found_on_another_site(ctx, inbox, northwind, alpenhandel):
    ask(northwind, BUYER)
    assert alpenhandel.get(mailed_path(inbox, BUYER)).status_code == 404


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short", "at least 10 characters"),
        ("1234567890", "too common"),
        (BUYER, "must not be your e-mail address"),
    ],
)
def test_a_weak_password_is_named_and_the_link_still_works(
    ctx, inbox, northwind, password, complaint
):
    ask(northwind, BUYER)
    path = mailed_path(inbox, BUYER)
    answer = choose(northwind, path, password)
    assert answer.status_code == 400
    assert complaint in answer.get_data(as_text=True)
    assert northwind.login(BUYER).status_code == 302  # nothing changed
    assert choose(northwind, path).status_code == 302


def test_passwords_that_differ_are_refused(ctx, inbox, northwind):
    ask(northwind, BUYER)
    answer = choose(northwind, mailed_path(inbox, BUYER), NEW, NEW + "x")
    assert answer.status_code == 400
    assert "The two passwords differ." in answer.get_data(as_text=True)


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b"])
def test_a_bad_address_is_named(northwind, email):
    answer = ask(northwind, email)
    assert answer.status_code == 400
    assert "e-mail address" in answer.get_data(as_text=True)


def test_requests_are_limited_per_address_and_per_client(ctx, inbox, client_for):
    statuses = [ask(client_for("northwind.localhost"), BUYER).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert len(inbox.to(BUYER)) == 5
    one_client = client_for("northwind.localhost")
    one_client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    others = [ask(one_client, f"someone{n}@bluebird.example").status_code for n in range(21)]
    assert others == [200] * 20 + [429]
    refused = ask(one_client, "approver@bluebird.example")
    assert refused.status_code == 429
    assert "Too many requests for a reset link" in refused.get_data(as_text=True)
