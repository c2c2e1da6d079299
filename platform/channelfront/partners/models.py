"""Partner applications: a reseller asks a distributor to be enrolled."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class ApplicationStatus(enum.StrEnum):
    UNVERIFIED = "unverified"  # sent, the applicant has not yet followed the e-mail link
    PENDING = "pending"  # e-mail verified, waiting for the distributor
    APPROVED = "approved"
    DECLINED = "declined"


class PartnerApplication(TenantOwned, db.Model):
    """What an applicant sent from ``/apply``, and the distributor's decision."""

    __tablename__ = "partner_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.UNVERIFIED.value)
    company_name: Mapped[str] = mapped_column(String(160))
    address_line: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    tax_id: Mapped[str] = mapped_column(String(40))
    tax_id_key: Mapped[str] = mapped_column(String(40), index=True)
    website: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    terms_accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An existing company with the same tax id; staff confirm that it is the applicant.
    matched_company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    # The company enrolled on approval (the matched one, or a new one).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(Text)
