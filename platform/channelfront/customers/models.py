"""A reseller company's end customers on one tenant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class Customer(TenantOwned, db.Model):
    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_tenant_company_name", "tenant_id", "company_id", "company_name"),
        Index("ix_customer_company_crm", "tenant_id", "company_id", "crm_account_id"),
        Index("ix_customer_company_email", "tenant_id", "company_id", "email"),
        Index("ix_customer_company_recent", "tenant_id", "company_id", "last_used_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    company_name: Mapped[str] = mapped_column(String(160))
    contact_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    country: Mapped[str] = mapped_column(String(2))
    vat_id: Mapped[str | None] = mapped_column(String(20))
    # The reseller's CRM account id: matched first on a CSV import, searchable.
    crm_account_id: Mapped[str | None] = mapped_column(String(64))
    # Archived customers are hidden from pickers; their orders and history stay.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Merged into another customer (the survivor): hidden everywhere, kept for the record.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last time an order or quote named this customer: the list shows recent ones first.
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CustomerImport(TenantOwned, db.Model):
    """An uploaded customer list: checked whole, previewed, then written all or nothing.

    ``status`` moves ``checking`` -> ``checked`` (or ``invalid``) -> ``importing`` ->
    ``done`` (or ``failed``); ``processed_rows`` of ``total_rows`` is the progress bar.
    """

    __tablename__ = "customer_import"
    __table_args__ = (Index("ix_customer_import_company", "tenant_id", "company_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="checking")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    # {"new": n, "updated": n, "unchanged": n, "invalid": n}
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"row": 3, "field": "email", "message": "..."}], the first few hundred.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    # [{"row": 2, "action": "new"|"updated"|"unchanged", "customer_id": id|None, ...}] (a page)
    preview: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
