"""``flask api-token create EMAIL TENANT_SLUG``: the token is the last line, and it works."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from channelfront.api.models import ApiToken
from channelfront.extensions import db


def _create(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["api-token", "create", *args])


def _token_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken))


def test_create_prints_a_working_token_as_the_last_line(app, api):
    result = _create(app, "buyer@bluebird.example", "northwind")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert result.stdout.strip() == token  # the notice goes to stderr, the token alone to stdout
    assert token.startswith("cf_")
    response = api("northwind.localhost", "/products/SHD-ENT-1Y", token)
    assert response.status_code == 200
    assert response.get_json()["buy_price"] == "129.60"
    # Bound to its tenant: the same user's other storefront refuses it.
    assert api("alpenhandel.localhost", "/products", token).status_code == 401


def test_each_call_issues_a_new_token(app):
    first = _create(app, "buyer@bluebird.example", "northwind").output.splitlines()[-1]
    second = _create(app, "buyer@bluebird.example", "northwind").output.splitlines()[-1]
    assert first != second


def test_email_is_matched_without_case(app, api):
    result = _create(app, "Buyer@Bluebird.Example", "alpenhandel")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert api("alpenhandel.localhost", "/products", token).status_code == 200


def test_distributor_staff_get_a_token_for_their_own_storefront(app, api):
    result = _create(app, "finance@northwind.example", "northwind")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    # Authenticated, but distributor staff have no reseller catalog.
    assert api("northwind.localhost", "/products", token).status_code == 403


@pytest.mark.parametrize(
    ("email", "tenant", "message"),
    [
        ("nobody@example.com", "northwind", "no user with e-mail nobody@example.com"),
        ("buyer@bluebird.example", "atlantis", "no tenant with slug atlantis"),
        ("buyer@kirin.example", "northwind", "company is not enrolled with northwind"),
        ("buyer@bluebird.example", "sakura", "company is not enrolled with sakura"),
        ("finance@northwind.example", "alpenhandel", "staff of another distributor"),
        ("admin@nimbus.example", "northwind", "not a reseller or distributor user"),
    ],
)
def test_refusals_exit_non_zero_with_a_clear_message(app, email, tenant, message):
    before = _token_count(app)
    result = _create(app, email, tenant)
    assert result.exit_code != 0
    assert message in result.output
    assert "cf_" not in result.output
    assert _token_count(app) == before


def test_a_deactivated_user_gets_no_token(app):
    from channelfront.accounts.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "approver@bluebird.example"))
        user.active = False
        db.session.commit()
    result = _create(app, "approver@bluebird.example", "northwind")
    assert result.exit_code != 0
    assert "deactivated" in result.output


def test_missing_arguments_are_a_usage_error(app):
    result = _create(app, "buyer@bluebird.example")
    assert result.exit_code == 2
    assert "TENANT_SLUG" in result.output
