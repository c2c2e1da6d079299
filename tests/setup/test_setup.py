"""``flask setup`` makes the vendor and its first administrator on an empty database."""

from __future__ import annotations

from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.tenancy.models import Vendor
from tests.setup.conftest import PASSWORD

ENV = "CHANNELFRONT_ADMIN_PASSWORD"


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Vendor)),
        db.session.scalar(select(func.count()).select_from(User)),
    )


def test_setup_on_an_empty_database_lets_the_admin_sign_in(set_up, sign_in):
    assert _counts() == (0, 0)
    result = set_up(email="Ada@Acme.example")
    assert result.exit_code == 0, result.output
    assert "Vendor acme (Acme Software): created." in result.output
    vendor = db.session.scalar(select(Vendor))
    assert (vendor.slug, vendor.name) == ("acme", "Acme Software")
    admin = db.session.scalar(select(User))
    assert (admin.email, admin.name, admin.kind, admin.role) == (
        "ada@acme.example",
        "Ada Admin",
        "vendor",
        "vendor_admin",
    )
    assert admin.is_active
    assert PASSWORD not in admin.password_hash
    assert sign_in("ada@acme.example")[0].status_code == 302
    assert sign_in("ada@acme.example", "Wrong-password-123")[0].status_code == 401


def test_running_setup_again_says_so_and_changes_nothing(set_up):
    assert set_up().exit_code == 0
    admin = db.session.scalar(select(User))
    before = (_counts(), admin.password_hash)
    again = set_up(password="An-other-passphrase-9")
    assert again.exit_code == 0, again.output
    assert "Already set up" in again.output
    assert "Nothing changed" in again.output
    db.session.expire_all()
    assert (_counts(), db.session.scalar(select(User.password_hash))) == before


def test_a_second_first_admin_is_refused(set_up):
    assert set_up().exit_code == 0
    result = set_up(email="bob@acme.example")
    assert result.exit_code != 0
    assert "a vendor admin already exists (ada@acme.example)" in result.output
    assert "Nothing was written" in result.output
    assert _counts() == (1, 1)


def test_a_second_vendor_is_refused(set_up):
    assert set_up().exit_code == 0
    result = set_up(vendor_slug="other", vendor_name="Other Inc")
    assert result.exit_code != 0
    assert "already has the vendor 'acme'" in result.output
    assert _counts() == (1, 1)


def test_the_password_is_asked_twice_when_not_in_the_environment(cli, sign_in):
    args = ["--vendor-name", "Acme", "--vendor-slug", "acme"]
    args += ["--admin-email", "ada@acme.example", "--admin-name", "Ada"]
    typed = f"short\n{PASSWORD}\nnot-the-same-one\n{PASSWORD}\n{PASSWORD}\n"
    result = cli("setup", *args, env={ENV: None}, input=typed)
    assert result.exit_code == 0, result.output
    assert "at least 10 characters" in result.output  # "short" was refused, then asked again
    assert "do not match" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert sign_in("ada@acme.example")[0].status_code == 302


def test_a_password_from_the_environment_follows_the_policy(set_up):
    result = set_up(password="password123")
    assert result.exit_code != 0
    assert "password: This password is too common" in result.output
    assert _counts() == (0, 0)
    result = set_up(email="ada@acme.example", password="ada@acme.example")
    assert result.exit_code != 0
    assert _counts() == (0, 0)


def test_bad_input_is_named_and_nothing_is_written(set_up):
    cases = {
        "admin-email": {"email": "not-an-address"},
        "vendor-slug": {"vendor_slug": "Acme Inc"},
        "vendor-name": {"vendor_name": "   "},
        "admin-name": {"admin_name": "\x07"},
    }
    for field, options in cases.items():
        result = set_up(**options)
        assert result.exit_code != 0, field
        assert result.output.startswith(f"Error: {field}:"), result.output
        assert _counts() == (0, 0)


def test_an_address_with_another_kind_of_account_is_refused(set_up):
    db.session.add(
        User(email="ada@acme.example", name="Ada", password_hash="", kind="reseller", role="buyer")
    )
    db.session.flush()
    result = set_up()
    assert result.exit_code != 0
    assert "already has an account (reseller buyer)" in result.output
    assert db.session.scalar(select(func.count()).select_from(Vendor)) == 0
