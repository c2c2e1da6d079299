"""Setup steps for the concurrency tests, through the app's own services (run with the
server's environment, before or beside it): ``python prepare.py STEP ARGS...``.

- ``card TENANT COMPANY``: save the test card 4242... on the company; prints its id.
- ``capped-program TENANT RATE CAP``: publish a reseller program that pays the ordering
  partner ``RATE`` of every sale, at most ``CAP`` (major units) per quarter.
"""

from __future__ import annotations

import sys

from sqlalchemy import select

from channelfront import create_app
from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.payments.cards import add_card, parse_card
from channelfront.statements import programs
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    assert tenant is not None, slug
    return tenant


def card(slug: str, company_name: str) -> str:
    tenant = _tenant(slug)
    company_id = db.session.scalar(select(Company.id).where(Company.name == company_name))
    assert company_id is not None, company_name
    with tenant_scope(tenant.id):
        saved = add_card(company_id, parse_card("4242424242424242", "12/39", "123"))
        db.session.commit()
    return saved["id"]


def capped_program(slug: str, rate: str, cap: str) -> str:
    tenant = _tenant(slug)
    document = {
        "settlement_currency": tenant.currency,
        "timezone": "UTC",
        "statement_period": "quarterly",
        "grace_days": 10,
        "min_payout": "0",
        "rules": [
            {
                "id": "capped-sales",
                "kind": "percent_commission",
                "beneficiary": "ordering_partner",
                "scope": {},
                "rate": rate,
                "caps": {"per_period": cap},
            }
        ],
    }
    with tenant_scope(tenant.id):
        row = programs.create(tenant, "capped", "Capped sales bonus", "reseller", document)
        programs.publish(row, None)
        db.session.commit()
        return str(row.id)


STEPS = {"card": card, "capped-program": capped_program}

if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        print(STEPS[sys.argv[1]](*sys.argv[2:]))
