"""Partner ids: the distributor is its tenant's slug, a reseller its company with its tier."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.statements import partners
from tests.statements.programs_data import tenant


def bluebird() -> Company:
    company = db.session.scalar(select(Company).where(Company.name == "Bluebird IT"))
    assert company is not None
    return company


def test_the_distributor_and_enrolled_resellers_with_their_tier(ctx):
    company = bluebird()
    known = partners.partners_for(tenant("northwind"))
    reseller = known[f"company-{company.id}"]
    assert reseller.tier_on(date(2020, 1, 1)) == "gold"
    assert reseller.active_on(date(2020, 1, 1))
    assert known["northwind"].kind == "distributor"
    # Bluebird is Silver on alpenhandel; Kirin is not enrolled there.
    on_alpenhandel = partners.partners_for(tenant("alpenhandel"))
    assert on_alpenhandel[f"company-{company.id}"].tier_on(date.today()) == "silver"
    assert set(on_alpenhandel) == {"alpenhandel", f"company-{company.id}"}


def test_names_and_companies_of_partner_ids(ctx):
    company = bluebird()
    pid = partners.reseller_id(company.id)
    assert partners.company_for(pid) == company
    assert partners.company_for("northwind") is None
    assert partners.company_for("company-x") is None
    assert partners.display_name(pid) == "Bluebird IT"
    assert partners.display_name("northwind") == "Northwind Distribution"
    assert partners.display_name("someone") == "someone"
