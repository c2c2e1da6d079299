"""Reseller companies and their enrollments with tenants.

Enrollments are tenant-owned and the console runs unscoped, so every write here
sets ``tenant_id`` from the tenant it is given. The caller commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from channelfront.accounts.models import Company
from channelfront.admin.inputs import InvalidInput, amount_to_minor
from channelfront.admin.labels import country_choices
from channelfront.audit.service import record
from channelfront.audit.values import money
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant

MAX_NAME = 160


def create_company(name: str, country: str | None) -> Company:
    """Add a reseller company; names are unique, ignoring case."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = _("Enter the company's name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Use at most %(num)d characters.", num=MAX_NAME)
    elif (
        db.session.scalar(select(Company.id).where(func.lower(Company.name) == name.lower()))
        is not None
    ):
        errors["name"] = _("A company named “%(name)s” already exists.", name=name)
    country = (country or "").upper() or None
    if country is not None and country not in dict(country_choices()):
        errors["country"] = _("Choose a country from the list.")
    if errors:
        raise InvalidInput(errors)
    company = Company(name=name, country=country)
    db.session.add(company)
    db.session.flush()
    after = {"name": name, "country": country}
    record("company.created", company, label=name, after=after, company_id=company.id)
    return company


def _credit_minor(text: str, tenant: Tenant, errors: dict[str, str]) -> int:
    try:
        return amount_to_minor(text, tenant.currency)
    except ValueError as exc:
        errors["credit_limit"] = str(exc)
        return 0


def _check_program(program: Program | None, tenant: Tenant, errors: dict[str, str]) -> None:
    if program is None or program.tenant_id != tenant.id:
        errors["program"] = _("Choose one of the programs of %(tenant)s.", tenant=tenant.name)


def _terms(program: Program | None, credit_minor: int, tenant: Tenant) -> dict[str, object]:
    return {
        "program": program.name if program else None,
        "credit_limit": money(credit_minor, tenant.currency),
    }


def _record_enrollment(
    action: str, enrollment: Enrollment, before: dict | None, after: dict | None
) -> None:
    company = db.session.get_one(Company, enrollment.company_id)
    tenant = db.session.get_one(Tenant, enrollment.tenant_id)
    record(
        action,
        enrollment,
        label=f"{company.name} · {tenant.name}",
        before=before,
        after=after,
        tenant_id=enrollment.tenant_id,
        company_id=enrollment.company_id,
    )


def enroll(
    company: Company, tenant: Tenant, program: Program | None, credit_limit: str
) -> Enrollment:
    """Enroll a company with a tenant in one of its programs, with a credit limit.

    The limit is a decimal amount in the tenant's currency, stored in minor units.
    """
    errors: dict[str, str] = {}
    _check_program(program, tenant, errors)
    minor = _credit_minor(credit_limit, tenant, errors)
    already = select(Enrollment.id).where(
        Enrollment.tenant_id == tenant.id, Enrollment.company_id == company.id
    )
    if db.session.scalar(already) is not None:
        errors["program"] = _(
            "%(company)s is already enrolled with %(tenant)s: change that enrollment instead.",
            company=company.name,
            tenant=tenant.name,
        )
    if errors or program is None:
        raise InvalidInput(errors)
    enrollment = Enrollment(
        tenant_id=tenant.id, company_id=company.id, program_id=program.id, credit_limit_minor=minor
    )
    db.session.add(enrollment)
    db.session.flush()
    _record_enrollment("enrollment.created", enrollment, None, _terms(program, minor, tenant))
    return enrollment


def change_enrollment(
    enrollment: Enrollment, tenant: Tenant, program: Program | None, credit_limit: str
) -> Enrollment:
    """Move an enrollment to another program of the same tenant and/or change its credit limit."""
    errors: dict[str, str] = {}
    if enrollment.tenant_id != tenant.id:
        raise ValueError("the enrollment belongs to another tenant")
    _check_program(program, tenant, errors)
    minor = _credit_minor(credit_limit, tenant, errors)
    if errors or program is None:
        raise InvalidInput(errors)
    old_program = db.session.get(Program, enrollment.program_id)
    before = _terms(old_program, enrollment.credit_limit_minor, tenant)
    after = _terms(program, minor, tenant)
    for key, action in (
        ("program", "enrollment.program_changed"),
        ("credit_limit", "enrollment.credit_limit_changed"),
    ):
        if before[key] != after[key]:
            _record_enrollment(action, enrollment, {key: before[key]}, {key: after[key]})
    enrollment.program_id = program.id
    enrollment.credit_limit_minor = minor
    db.session.flush()
    return enrollment


def remove_enrollment(enrollment: Enrollment) -> None:
    """End a company's enrollment with a tenant; its users can no longer buy there."""
    tenant = db.session.get_one(Tenant, enrollment.tenant_id)
    program = db.session.get(Program, enrollment.program_id)
    before = _terms(program, enrollment.credit_limit_minor, tenant)
    _record_enrollment("enrollment.removed", enrollment, before, None)
    db.session.delete(enrollment)
    db.session.flush()
