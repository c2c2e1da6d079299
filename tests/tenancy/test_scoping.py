"""Tenant-owned rows are scoped in one place: queries, updates, deletes and inserts."""

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import CrossTenantWrite, tenant_scope


@pytest.fixture
def tenants(ctx):
    return {t.slug: t.id for t in db.session.scalars(select(Tenant))}


def test_queries_see_only_the_active_tenants_rows(tenants):
    everything = db.session.scalar(select(func.count(Program.id)))
    for slug, tenant_id in tenants.items():
        with Session(db.engine) as session, tenant_scope(tenant_id):
            programs = session.scalars(select(Program)).all()
            assert programs
            assert {p.tenant_id for p in programs} == {tenant_id}, slug
    assert everything == sum(
        db.session.scalar(select(func.count(Program.id)).where(Program.tenant_id == t))
        for t in tenants.values()
    )


def test_another_tenants_row_is_not_found_by_id(tenants):
    other = db.session.scalar(select(Program).where(Program.tenant_id == tenants["alpenhandel"]))
    with Session(db.engine) as session, tenant_scope(tenants["northwind"]):
        assert session.get(Program, other.id) is None
        assert session.scalar(select(Program).where(Program.id == other.id)) is None


def test_updates_and_deletes_cannot_reach_another_tenant(tenants):
    with tenant_scope(tenants["northwind"]):
        db.session.execute(update(Enrollment).values(credit_limit_minor=1))
        db.session.execute(delete(Enrollment).where(Enrollment.credit_limit_minor == -5))
    kirin = db.session.scalar(select(Enrollment).where(Enrollment.tenant_id == tenants["sakura"]))
    db.session.refresh(kirin)
    assert kirin.credit_limit_minor == 300_000_000


def test_new_rows_get_the_active_tenant_and_foreign_rows_are_refused(tenants):
    company = Company(name="Wall Test Ltd")
    db.session.add(company)
    db.session.flush()
    program = db.session.scalar(select(Program).where(Program.tenant_id == tenants["sakura"]))
    with tenant_scope(tenants["sakura"]):
        enrollment = Enrollment(company_id=company.id, program_id=program.id)
        db.session.add(enrollment)
        db.session.flush()
        assert enrollment.tenant_id == tenants["sakura"]
    with tenant_scope(tenants["northwind"]):
        db.session.add(
            Enrollment(tenant_id=tenants["sakura"], company_id=company.id, program_id=program.id)
        )
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
    db.session.rollback()


def test_a_row_already_in_the_session_is_not_returned_by_id_in_another_tenants_scope(tenants):
    # Loaded unscoped (a task or script that touched several tenants), so it sits in the
    # session's identity map, where get() would answer without running a query.
    other = db.session.scalar(select(Program).where(Program.tenant_id == tenants["alpenhandel"]))
    with tenant_scope(tenants["northwind"]):
        assert db.session.get(Program, other.id) is None
        with pytest.raises(NoResultFound):
            db.session.get_one(Program, other.id)
        with pytest.raises(NotFound):
            db.get_or_404(Program, other.id)
    with tenant_scope(tenants["alpenhandel"]):
        assert db.session.get(Program, other.id) is other
    assert db.session.get(Program, other.id) is other


def test_an_object_of_another_tenant_added_in_the_session_stays_out_of_reach(tenants):
    company = Company(name="Identity Map Ltd")
    db.session.add(company)
    db.session.flush()
    with tenant_scope(tenants["sakura"]):
        program = db.session.scalar(select(Program))
        enrollment = Enrollment(company_id=company.id, program_id=program.id)
        db.session.add(enrollment)
        db.session.flush()
    with tenant_scope(tenants["northwind"]):
        assert db.session.get(Enrollment, enrollment.id) is None
        assert db.session.get(Company, company.id) is company  # not tenant-owned
