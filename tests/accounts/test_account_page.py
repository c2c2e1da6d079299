"""The account page: name and language, and a password change that keeps this session
and ends every other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit.models import AuditEvent
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db, limiter
from tests.conftest import HostClient

BUYER = "buyer@bluebird.example"
NEW = "lantern-violet-47"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


def post(client: HostClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": client.csrf_token("/account")})


def change(client: HostClient, current: str = DEMO_PASSWORD, new: str = NEW, confirm: str = ""):  # type: ignore[no-untyped-def]
    return post(client, "/account/password", current=current, password=new, confirm=confirm or new)


def test_name_and_language_are_saved_and_the_pages_then_speak_it(
    ctx, northwind, client_for, translated
):
    northwind.login(BUYER)
    answer = post(northwind, "/account/profile", name="  Bea   Buyer ", locale="es")
    assert answer.status_code == 302
    page = northwind.get("/account").get_data(as_text=True)
    assert translated("es", "Your account") in page
    assert translated("es", "Your account") != "Your account"
    assert 'value="Bea Buyer"' in page
    # The choice is the user's, not the browser's: another browser speaks it too.
    elsewhere = client_for("northwind.localhost")
    elsewhere.login(BUYER)
    assert translated("es", "Your account") in elsewhere.get("/account").get_data(as_text=True)


def test_only_the_sites_languages_are_offered(ctx, northwind, sakura):
    northwind.login(BUYER)
    for code in ("xx", "de"):  # German ships, but Northwind does not offer it
        refused = post(northwind, "/account/profile", name="Bea", locale=code)
        assert refused.status_code == 400
    user = db.session.scalar(select(User).where(User.email == BUYER))
    assert user.locale not in {"xx", "de"}
    sakura.login("buyer@kirin.example")
    offered = sakura.get("/account").get_data(as_text=True)
    assert 'value="ja"' in offered


def test_an_empty_name_is_refused(ctx, northwind):
    northwind.login(BUYER)
    answer = post(northwind, "/account/profile", name="   ", locale="en")
    assert answer.status_code == 400
    assert "Enter your name." in answer.get_data(as_text=True)


def test_a_password_change_keeps_this_session_and_ends_every_other(ctx, northwind, client_for):
    northwind.login(BUYER)
    other = client_for("northwind.localhost")
    other.login(BUYER)
    answer = change(northwind)
    assert answer.status_code == 302
    assert northwind.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert client_for("northwind.localhost").login(BUYER).status_code == 401
    assert client_for("northwind.localhost").login(BUYER, NEW).status_code == 302
    user = db.session.scalar(select(User).where(User.email == BUYER))
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.password_changed", AuditEvent.subject_id == str(user.id)
        )
    )
    assert event is not None
    assert NEW not in str(event.before) + str(event.after)
    assert user.password_hash not in str(event.before) + str(event.after)


def test_the_current_password_is_required(ctx, northwind, client_for):
    northwind.login(BUYER)
    other = client_for("northwind.localhost")
    other.login(BUYER)
    answer = change(northwind, current="not-my-password")
    assert answer.status_code == 400
    assert "The current password is wrong." in answer.get_data(as_text=True)
    assert other.get("/account").status_code == 200  # nothing ended
    assert client_for("northwind.localhost").login(BUYER).status_code == 302


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short", "at least 10 characters"),
        ("1234567890", "too common"),
        (BUYER, "must not be your e-mail address"),
    ],
)
def test_a_weak_new_password_is_named(ctx, northwind, password, complaint):
    northwind.login(BUYER)
    answer = change(northwind, new=password)
    assert answer.status_code == 400
    assert complaint in answer.get_data(as_text=True)
    assert northwind.get("/account").status_code == 200


def test_passwords_that_differ_are_refused(ctx, northwind):
    northwind.login(BUYER)
    answer = change(northwind, confirm=NEW + "x")
    assert answer.status_code == 400
    assert "The two passwords differ." in answer.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(northwind):
    for path in ("/account/profile", "/account/password"):
        assert northwind.post(path).status_code in {302, 400}
    assert northwind.get("/account").status_code == 302


@pytest.mark.parametrize("name", ["x" * 121, "Bea\x00Buyer", "Bea\u202eBuyer"])
def test_a_bad_name_is_refused_and_nothing_is_saved(ctx, northwind, name):
    northwind.login(BUYER)
    answer = post(northwind, "/account/profile", name=name, locale="es")
    assert answer.status_code == 400
    user = db.session.scalar(select(User).where(User.email == BUYER))
    assert user.locale != "es"
