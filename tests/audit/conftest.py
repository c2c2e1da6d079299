"""Fixtures of the audit log tests: the console's, the storefronts' and the events' helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from tests.admin.conftest import console, rows, submit, text_of  # noqa: F401
from tests.invoices.conftest import invoiced, northwind_shop  # noqa: F401
from tests.payments.conftest import card_order  # noqa: F401


def tenant_id(slug: str) -> int:
    return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def company_id(name: str) -> int:
    return db.session.scalar(select(Company.id).where(Company.name == name))


@pytest.fixture
def events_of(app) -> Callable[..., list[AuditEvent]]:  # type: ignore[no-untyped-def]
    """``events_of(action)``: the events with this action, oldest first, as stored now."""

    def read(action: str, **where: Any) -> list[AuditEvent]:
        with app.app_context():
            stmt = select(AuditEvent).where(AuditEvent.action == action).filter_by(**where)
            found = list(db.session.scalars(stmt.order_by(AuditEvent.id)))
            db.session.expunge_all()
            return found

    return read
