"""Two-factor sign-in: enrolling with an authenticator app, the second sign-in step,
recovery codes, turning it off, and the vendor's rule that staff must use it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from channelfront.accounts import totp
from channelfront.accounts.invitations import Invitee, invite
from channelfront.accounts.models import RecoveryCode, User, UserKind
from channelfront.audit.models import AuditEvent
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db, limiter
from channelfront.outbox.services import commit_and_dispatch
from channelfront.tenancy.models import Tenant, Vendor
from tests.conftest import HostClient

BUYER = "buyer@bluebird.example"
FINANCE = "finance@northwind.example"
SECRET = re.compile(r'<code class="totp-secret"[^>]*>([A-Z2-7 ]+)</code>')
CODES = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


def post(client: HostClient, path: str, page: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": client.csrf_token(page)})


def enrol(client: HostClient) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on through the page; the secret and the recovery codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    match = SECRET.search(page)
    assert match, page
    assert 'src="data:image/svg+xml' in page
    assert "otpauth://totp/" in page
    secret = match.group(1).replace(" ", "")
    answer = post(
        client, "/account/two-factor", "/account/two-factor", code=totp.code_at(secret, time.time())
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    codes = CODES.findall(answer.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def second_step(client: HostClient, code: str):  # type: ignore[no-untyped-def]
    return post(client, "/login/two-factor", "/login", code=code)


def signed_in(client: HostClient) -> bool:
    return client.get("/account").status_code == 200


def test_enrol_then_sign_in_needs_the_code(ctx, northwind, client_for):
    assert northwind.login(BUYER).status_code == 302
    secret, codes = enrol(northwind)
    user = db.session.scalar(select(User).where(User.email == BUYER))
    assert user.two_factor_enabled
    stored = set(
        db.session.scalars(
            select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
        ).all()
    )
    assert len(stored) == 10
    assert not {code.replace("-", "") for code in codes} & stored  # only digests are kept

    browser = client_for("northwind.localhost")
    answer = browser.login(BUYER)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login/two-factor"
    assert not signed_in(browser)  # the password alone signs nobody in

    valid = {totp.code_at(secret, time.time() + d) for d in (-30, 0, 30)}
    wrong = second_step(browser, "000000" if "000000" not in valid else "111111")
    assert wrong.status_code == 400
    assert "This code is wrong" in wrong.get_data(as_text=True)
    assert not signed_in(browser)

    right = second_step(browser, totp.code_at(secret, time.time() + 30))
    assert right.status_code == 302
    assert signed_in(browser)


def test_a_recovery_code_works_once(ctx, northwind, client_for):
    northwind.login(BUYER)
    _secret, codes = enrol(northwind)
    first = client_for("northwind.localhost")
    first.login(BUYER)
    assert second_step(first, codes[0].upper()).status_code == 302
    assert signed_in(first)
    again = client_for("northwind.localhost")
    again.login(BUYER)
    assert second_step(again, codes[0]).status_code == 400
    assert not signed_in(again)
    assert second_step(again, codes[1]).status_code == 302


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(northwind):
    answer = northwind.get("/login/two-factor")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login"


def test_the_pending_sign_in_lasts_five_minutes(ctx, northwind, client_for, monkeypatch):
    northwind.login(BUYER)
    secret, _codes = enrol(northwind)
    browser = client_for("northwind.localhost")
    browser.login(BUYER)
    later = time.time() + 6 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    answer = second_step(browser, totp.code_at(secret, later))
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login"
    assert not signed_in(browser)


def test_wrong_codes_count_toward_the_sign_in_throttle(app, ctx, northwind, client_for):
    northwind.login(BUYER)
    secret, _codes = enrol(northwind)
    saved = app.config["LOGIN_ACCOUNT_RATE_LIMIT"]
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per minute"
    try:
        browser = client_for("northwind.localhost")
        browser.login(BUYER)
        statuses = [second_step(browser, "abcdef").status_code for _ in range(4)]
        assert statuses == [400, 400, 400, 429]
        assert second_step(browser, totp.code_at(secret, time.time())).status_code == 429
    finally:
        app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = saved


def test_turning_it_off_needs_the_password_and_a_code(ctx, northwind, client_for):
    northwind.login(BUYER)
    secret, _codes = enrol(northwind)
    page = "/account/two-factor"
    code = totp.code_at(secret, time.time())
    no_password = post(northwind, "/account/two-factor/disable", page, password="wrong", code=code)
    assert no_password.status_code == 400
    assert "The password is wrong." in no_password.get_data(as_text=True)
    no_code = post(
        northwind, "/account/two-factor/disable", page, password=DEMO_PASSWORD, code="123"
    )
    assert no_code.status_code == 400
    answer = post(northwind, "/account/two-factor/disable", page, password=DEMO_PASSWORD, code=code)
    assert answer.status_code == 302
    assert client_for("northwind.localhost").login(BUYER).headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.email == BUYER))
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(user.id))
    ).all()
    assert actions == ["user.two_factor_enabled", "user.two_factor_disabled"]


def test_new_recovery_codes_replace_the_old(ctx, northwind, client_for):
    northwind.login(BUYER)
    secret, old = enrol(northwind)
    answer = post(
        northwind,
        "/account/two-factor/recovery-codes",
        "/account/two-factor",
        code=totp.code_at(secret, time.time()),
    )
    assert answer.status_code == 200
    new = CODES.findall(answer.get_data(as_text=True))
    assert len(new) == 10
    assert not set(new) & set(old)
    browser = client_for("northwind.localhost")
    browser.login(BUYER)
    assert second_step(browser, old[0]).status_code == 400
    assert second_step(browser, new[0]).status_code == 302


def test_a_wrong_code_does_not_turn_it_on(ctx, northwind):
    northwind.login(BUYER)
    answer = post(northwind, "/account/two-factor", "/account/two-factor", code="12x456")
    assert answer.status_code == 400
    assert "This code does not match" in answer.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == BUYER))
    assert not user.two_factor_enabled


def require_staff_two_factor(admin: HostClient, on: bool = True):  # type: ignore[no-untyped-def]
    data = {"require_two_factor": "y"} if on else {}
    return post(admin, "/admin/security", "/admin/security", **data)


def vendor_admin(admin_host: HostClient) -> HostClient:
    """The vendor admin, signed in with two-factor sign-in on, requiring it of staff."""
    assert admin_host.login("admin@nimbus.example").status_code == 302
    enrol(admin_host)
    assert require_staff_two_factor(admin_host).status_code == 302
    return admin_host


def test_an_admin_without_it_cannot_require_it(ctx, admin_host):
    admin_host.login("admin@nimbus.example")
    answer = require_staff_two_factor(admin_host)
    assert answer.status_code == 400
    assert "for your own account before requiring it" in answer.get_data(as_text=True)
    assert not db.session.scalar(select(Vendor.require_staff_two_factor))


def test_the_vendor_requires_it_of_staff_who_must_enrol_before_anything_else(
    ctx, admin_host, northwind
):
    vendor_admin(admin_host)
    assert db.session.scalar(select(Vendor.require_staff_two_factor))
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "vendor.staff_two_factor_changed")
    )
    assert event.after == {"require_staff_two_factor": True}

    answer = northwind.login(FINANCE)
    assert answer.headers["Location"] == "/account/two-factor"
    blocked = northwind.get("/incentives")
    assert blocked.status_code == 303
    assert blocked.headers["Location"] == "/account/two-factor"
    assert northwind.get("/invoices").status_code == 303
    enrol(northwind)
    assert northwind.get("/incentives").status_code == 200


def test_other_vendor_staff_are_held_too_but_may_still_sign_out(ctx, admin_host, client_for):
    vendor_admin(admin_host)
    db.session.add(
        User(
            email="ops@nimbus.example",
            name="Ops",
            password_hash=db.session.scalar(
                select(User.password_hash).where(User.email == "admin@nimbus.example")
            ),
            kind="vendor",
            role="vendor_ops",
        )
    )
    db.session.commit()
    ops = client_for("admin.localhost")
    assert ops.login("ops@nimbus.example").headers["Location"] == "/account/two-factor"
    assert ops.get("/admin/").status_code == 303
    assert ops.get("/account/two-factor").status_code == 200
    token = ops.csrf_token("/account/two-factor")
    assert ops.post("/logout", data={"csrf_token": token}).status_code == 302
    assert admin_host.get("/admin/").status_code == 200  # enrolled: not held


def test_resellers_are_not_forced(ctx, admin_host, northwind):
    vendor_admin(admin_host)
    assert northwind.login(BUYER).headers["Location"] == "/"
    assert northwind.get("/orders").status_code == 200


def test_only_a_vendor_admin_changes_the_rule(ctx, client_for, northwind):
    db.session.execute(
        update(User).where(User.email == "admin@nimbus.example").values(role="vendor_ops")
    )
    db.session.commit()
    ops = client_for("admin.localhost")
    ops.login("admin@nimbus.example")
    assert ops.get("/admin/security").status_code == 403
    northwind.login("admin@northwind.example")
    assert northwind.get("/admin/security").status_code == 404


def test_staff_who_accept_an_invitation_are_sent_to_enrol(app, ctx, inbox, admin_host, client_for):
    vendor_admin(admin_host)
    with app.test_request_context(base_url="http://northwind.localhost"):
        northwind_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == "northwind"))
        invitee = Invitee(
            email="new.finance@northwind.example",
            name="New Finance",
            kind=UserKind.DISTRIBUTOR,
            role="distributor_finance",
            link_tenant_id=northwind_id,
            tenant_id=northwind_id,
        )
        invite(invitee, None)
        commit_and_dispatch()
    [mail] = inbox.to("new.finance@northwind.example")
    link = re.search(r"https?://\S+/invitations/\S+", mail.get_content())
    assert link
    path = "/" + link.group(0).split("/", 3)[3]
    browser = client_for("northwind.localhost")
    password = "lantern-violet-47"
    data = {"name": "New Finance", "password": password, "confirm": password}
    accepted = browser.post(path, data={**data, "csrf_token": browser.csrf_token(path)})
    assert accepted.status_code == 302
    held = browser.get(accepted.headers["Location"])
    assert held.status_code == 303
    assert held.headers["Location"] == "/account/two-factor"
