"""The webhook pages of the company area and of the Partners area."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.tenancy.scoping import tenant_scope
from channelfront.webhooks.models import WebhookEndpoint
from tests.webhooks.conftest import COMPANY_ADMIN, DISTRIBUTOR_ADMIN, endpoint_row
from tests.webhooks.receiver import Receiver


def _secret(page: str) -> str:
    match = re.search(r"(whsec_[A-Za-z0-9+/=]+)", page)
    assert match, page
    return match.group(1)


def test_company_admin_creates_sees_secret_once_and_the_log(
    app: Flask, northwind, receiver: Receiver
) -> None:
    northwind.login(COMPANY_ADMIN)
    token = northwind.csrf_token("/company/webhooks")
    answer = northwind.post(
        "/company/webhooks",
        data={"csrf_token": token, "url": receiver.url, "description": "CRM", "all_events": "y"},
    )
    assert answer.status_code == 200
    secret = _secret(answer.get_data(as_text=True))
    with app.app_context(), tenant_scope(None):
        endpoint = db.session.scalar(select(WebhookEndpoint))
        assert endpoint.secret == secret
        assert len(endpoint.events) == 17
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "webhook_endpoint.created" in actions
    page = northwind.get(f"/company/webhooks/{endpoint.id}").get_data(as_text=True)
    assert secret not in page
    assert "whsec_" not in northwind.get("/company/webhooks").get_data(as_text=True)

    sent = northwind.post(f"/company/webhooks/{endpoint.id}/test", data={"csrf_token": token})
    assert sent.status_code == 302
    assert [r.headers["webhook-id"] for r in receiver.requests]
    log = northwind.get(f"/company/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "webhook.test" in log
    assert "200" in log
    delivery_id = re.search(r'data-delivery-id="(\d+)"', log).group(1)
    again = northwind.post(
        f"/company/webhooks/{endpoint.id}/deliveries/{delivery_id}/redeliver",
        data={"csrf_token": token},
    )
    assert again.status_code == 302
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]

    rotated = northwind.post(f"/company/webhooks/{endpoint.id}/rotate", data={"csrf_token": token})
    assert _secret(rotated.get_data(as_text=True)) != secret
    gone = northwind.post(f"/company/webhooks/{endpoint.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 302
    with app.app_context(), tenant_scope(None):
        assert db.session.scalar(select(WebhookEndpoint)) is None
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "webhook_endpoint.secret_rotated" in actions
    assert "webhook_endpoint.deleted" in actions


def test_a_refused_url_is_named_and_nothing_is_written(app: Flask, northwind, production) -> None:
    northwind.login(COMPANY_ADMIN)
    token = northwind.csrf_token("/company/webhooks")
    answer = northwind.post(
        "/company/webhooks",
        data={"csrf_token": token, "url": "https://10.0.0.5/x", "events": ["order.placed"]},
    )
    assert answer.status_code == 422
    assert "private" in answer.get_data(as_text=True)
    none = northwind.post(
        "/company/webhooks", data={"csrf_token": token, "url": "https://93.184.216.34/"}
    )
    assert none.status_code == 422
    assert "Choose at least one event" in none.get_data(as_text=True)
    with app.app_context(), tenant_scope(None):
        assert db.session.scalar(select(WebhookEndpoint)) is None


def test_distributor_admin_manages_the_tenants_endpoints_and_enables_again(
    app: Flask, northwind, make_endpoint
) -> None:
    endpoint_id, _ = make_endpoint("http://127.0.0.1:9/x", company=False)
    company_endpoint, _ = make_endpoint("http://127.0.0.1:9/y")
    with app.app_context(), tenant_scope(None):
        row = db.session.get(WebhookEndpoint, endpoint_id)
        from datetime import UTC, datetime

        row.disabled_at = datetime.now(UTC)
        row.disabled_reason = "Deliveries failed for the whole retry window."
        db.session.commit()
    northwind.login(DISTRIBUTOR_ADMIN)
    listing = northwind.get("/partners/webhooks").get_data(as_text=True)
    assert "http://127.0.0.1:9/x" in listing
    assert "http://127.0.0.1:9/y" not in listing
    assert northwind.get(f"/partners/webhooks/{company_endpoint}").status_code == 404
    token = northwind.csrf_token(f"/partners/webhooks/{endpoint_id}")
    assert (
        northwind.post(
            f"/partners/webhooks/{endpoint_id}/enable", data={"csrf_token": token}
        ).status_code
        == 302
    )
    assert endpoint_row(app, endpoint_id).disabled_at is None


@pytest.mark.parametrize(
    ("email", "path", "status"),
    [
        ("buyer@bluebird.example", "/company/webhooks", 403),
        ("partners@northwind.example", "/partners/webhooks", 403),
        ("finance@northwind.example", "/partners/webhooks", 403),
        (COMPANY_ADMIN, "/partners/webhooks", 403),
        (DISTRIBUTOR_ADMIN, "/company/webhooks", 403),
    ],
)
def test_other_roles_are_refused(northwind, email: str, path: str, status: int) -> None:
    northwind.login(email)
    assert northwind.get(path).status_code == status


def test_another_companys_endpoint_is_not_found(app: Flask, northwind, make_endpoint) -> None:
    tenant_endpoint, _ = make_endpoint("http://127.0.0.1:9/x", company=False)
    northwind.login(COMPANY_ADMIN)
    assert northwind.get(f"/company/webhooks/{tenant_endpoint}").status_code == 404
    token = northwind.csrf_token("/company/webhooks")
    assert (
        northwind.post(
            f"/company/webhooks/{tenant_endpoint}/delete", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert endpoint_row(app, tenant_endpoint) is not None


def test_signed_out_visitors_are_sent_to_sign_in(northwind) -> None:
    assert northwind.get("/company/webhooks").status_code in (302, 401)
    assert northwind.get("/partners/webhooks").status_code in (302, 401)
