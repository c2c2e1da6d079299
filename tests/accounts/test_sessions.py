"""Sessions live on the server: sign-out, a new password and deactivation end them, they
expire when idle and after a fixed lifetime, and each belongs to the host that made it."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from channelfront.accounts.models import User
from channelfront.accounts.session_models import UserSession
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db

BUYER = "buyer@bluebird.example"


def session_cookie(client) -> str:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("session", domain=client.host)
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(client_for, cookie: str, host: str):  # type: ignore[no-untyped-def]
    """A fresh client on ``host`` that carries a copied session cookie."""
    thief = client_for(host)
    thief.set_cookie("session", cookie, domain=host)
    return thief


def signed_out(client, path: str = "/account") -> bool:  # type: ignore[no-untyped-def]
    response = client.get(path)
    return response.status_code == 302 and "/login" in response.headers["Location"]


def sign_out(client):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/logout")
    return client.post("/logout", data={"csrf_token": token})


def age_sessions(app, email: str, **columns: timedelta) -> None:  # type: ignore[no-untyped-def]
    """Move the user's session stamps into the past by the given amounts."""
    now = datetime.now(UTC)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        values = {name: now - delta for name, delta in columns.items()}
        db.session.execute(
            update(UserSession).where(UserSession.user_id == user_id).values(**values)
        )
        db.session.commit()


def test_a_cookie_copied_before_sign_out_opens_nothing_after(northwind, client_for):
    assert northwind.login(BUYER).status_code == 302
    copied = session_cookie(northwind)
    assert not signed_out(replay(client_for, copied, "northwind.localhost"))
    assert sign_out(northwind).status_code == 302
    thief = replay(client_for, copied, "northwind.localhost")
    assert signed_out(thief, "/account")
    assert signed_out(thief, "/orders")


def test_sign_out_ends_every_session_of_the_user_on_every_host(client_for):
    first, second = (client_for("northwind.localhost") for _ in range(2))
    other_host = client_for("alpenhandel.localhost")
    colleague = client_for("northwind.localhost")
    for client in (first, second, other_host):
        assert client.login(BUYER).status_code == 302
    assert colleague.login("approver@bluebird.example").status_code == 302
    assert sign_out(first).status_code == 302
    assert signed_out(first)
    assert signed_out(second)
    assert signed_out(other_host)
    assert not signed_out(colleague)


def test_a_session_belongs_to_the_host_that_created_it(northwind, client_for):
    assert northwind.login(BUYER).status_code == 302
    copied = session_cookie(northwind)
    # The buyer's company is enrolled on alpenhandel too, so only the host can refuse it.
    assert signed_out(replay(client_for, copied, "alpenhandel.localhost"))
    admin = replay(client_for, copied, "admin.localhost")
    assert admin.get("/admin/").status_code == 302
    # The refusal elsewhere does not end the session where it belongs.
    assert not signed_out(northwind)


def test_a_console_session_works_on_the_console_only(admin_host, client_for):
    assert admin_host.login("admin@nimbus.example").status_code == 302
    assert admin_host.get("/admin/").status_code == 200
    copied = session_cookie(admin_host)
    assert signed_out(replay(client_for, copied, "northwind.localhost"))


def test_a_session_without_a_server_record_is_refused(app, northwind, client_for):
    """A cookie signed with the right key but never issued (forged after a key leak,
    or made before sessions had records) does not sign anyone in."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == BUYER))
    forged = client_for("northwind.localhost")
    with forged.session_transaction(base_url="http://northwind.localhost") as cookie_session:
        cookie_session["_user_id"] = str(user_id)
        cookie_session["_fresh"] = True
    assert signed_out(forged)


def test_idle_sessions_expire(app, northwind):
    assert northwind.login(BUYER).status_code == 302
    age_sessions(app, BUYER, last_seen_at=timedelta(minutes=59))
    assert not signed_out(northwind)
    age_sessions(app, BUYER, last_seen_at=timedelta(minutes=61))
    assert signed_out(northwind)


def test_use_keeps_a_session_alive_until_its_lifetime_ends(app, northwind):
    assert northwind.login(BUYER).status_code == 302
    age_sessions(app, BUYER, created_at=timedelta(hours=11), last_seen_at=timedelta(minutes=50))
    assert not signed_out(northwind)
    age_sessions(app, BUYER, created_at=timedelta(hours=12, minutes=1), last_seen_at=timedelta(0))
    assert signed_out(northwind)


def test_a_request_marks_the_session_as_used(app, northwind):
    assert northwind.login(BUYER).status_code == 302
    age_sessions(app, BUYER, last_seen_at=timedelta(minutes=30))
    assert not signed_out(northwind)
    with app.app_context():
        seen = db.session.scalar(select(func.max(UserSession.last_seen_at)))
    seen = seen if seen.tzinfo else seen.replace(tzinfo=UTC)
    assert datetime.now(UTC) - seen < timedelta(minutes=1)


def test_timeouts_are_configurable(app, northwind):
    assert northwind.login(BUYER).status_code == 302
    app.config.update(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    try:
        age_sessions(app, BUYER, last_seen_at=timedelta(minutes=6))
        assert signed_out(northwind)
        assert northwind.login(BUYER).status_code == 302
        age_sessions(app, BUYER, created_at=timedelta(minutes=61))
        assert signed_out(northwind)
    finally:
        app.config.update(SESSION_IDLE_MINUTES=60, SESSION_MAX_HOURS=12)


def test_a_new_password_ends_every_session(app, client_for):
    clients = [client_for("northwind.localhost"), client_for("alpenhandel.localhost")]
    for client in clients:
        assert client.login(BUYER).status_code == 302
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", BUYER], input="a-new-long-password\na-new-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert all(signed_out(client) for client in clients)
    northwind = clients[0]
    assert northwind.login(BUYER, DEMO_PASSWORD).status_code == 401
    assert northwind.login(BUYER, "a-new-long-password").status_code == 302


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short", "at least 10 characters"),
        ("x" * 201, "at most 200 characters"),
        ("qwertyuiop", "too common"),
    ],
)
def test_a_password_that_breaks_the_rules_is_refused_and_nothing_changes(
    app, northwind, password, complaint
):
    assert northwind.login(BUYER).status_code == 302
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", BUYER], input=f"{password}\n{password}\n"
    )
    assert result.exit_code != 0
    assert complaint in result.output
    assert not signed_out(northwind)
    assert northwind.login(BUYER, DEMO_PASSWORD).status_code == 302


def test_deactivation_ends_every_session_and_sign_in(app, northwind):
    assert northwind.login(BUYER).status_code == 302
    result = app.test_cli_runner().invoke(args=["users", "deactivate", BUYER])
    assert result.exit_code == 0, result.output
    assert signed_out(northwind)
    assert northwind.login(BUYER).status_code == 403


def test_signing_a_user_out_everywhere_from_the_command_line(app, northwind, alpenhandel):
    for client in (northwind, alpenhandel):
        assert client.login(BUYER).status_code == 302
    result = app.test_cli_runner().invoke(args=["users", "sign-out", BUYER])
    assert result.exit_code == 0, result.output
    assert "2 sessions ended" in result.output
    assert signed_out(northwind)
    assert signed_out(alpenhandel)


def test_commands_name_an_unknown_user(app):
    for args in (["deactivate", "ghost@example.com"], ["sign-out", "ghost@example.com"]):
        result = app.test_cli_runner().invoke(args=["users", *args])
        assert result.exit_code != 0
        assert "no user with e-mail ghost@example.com" in result.output


def test_the_server_keeps_only_a_hash_of_the_session_id(app, northwind):
    assert northwind.login(BUYER).status_code == 302
    with app.app_context():
        serializer = app.session_interface.get_signing_serializer(app)
        raw = serializer.loads(session_cookie(northwind))["_sid"]
        stored = list(db.session.execute(select(UserSession)).scalars())
    assert len(stored) == 1
    assert stored[0].token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in repr(vars(stored[0]))
