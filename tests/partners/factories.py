"""Partner applications as the e-mail check leaves them, for tests that start from there."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from channelfront.accounts.models import tax_id_key
from channelfront.extensions import db
from channelfront.partners.models import ApplicationStatus, PartnerApplication
from channelfront.pricing.models import Program
from channelfront.tenancy.models import Tenant


def pending_application(tenant_slug: str, **fields: object) -> PartnerApplication:
    """A verified application waiting for the storefront's partner staff (committed)."""
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == tenant_slug)).one()
    program_id = db.session.scalar(
        select(Program.id).where(Program.tenant_id == tenant.id).order_by(Program.id)
    )
    moment = datetime.now(UTC)
    values: dict[str, object] = {
        "tenant_id": tenant.id,
        "status": ApplicationStatus.PENDING.value,
        "company_name": f"Applicant of {tenant.name}",
        "address_line": "1 High Street",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
        "tax_id": f"DE-{tenant.id:09d}",
        "contact_name": "Alex Applicant",
        "contact_email": f"applicant@{tenant_slug}.example",
        "locale": tenant.default_locale,
        "program_id": program_id,
        "terms_accepted_at": moment,
        "created_at": moment,
        "email_verified_at": moment,
        **fields,
    }
    values["tax_id_key"] = tax_id_key(str(values["tax_id"]))
    application = PartnerApplication(**values)
    db.session.add(application)
    db.session.commit()
    return application
