"""Vendor, tenant and host rows."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db


class TenantStatus(enum.StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    SUSPENDED = "suspended"


class Vendor(db.Model):
    __tablename__ = "vendor"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Set by a vendor admin: vendor and distributor staff must sign in with a second factor.
    require_staff_two_factor: Mapped[bool] = mapped_column(default=False, server_default=false())


class Tenant(db.Model):
    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.DRAFT.value)
    theme: Mapped[str] = mapped_column(String(40), default="base")
    default_locale: Mapped[str] = mapped_column(String(10), default="en")
    locales_csv: Mapped[str] = mapped_column(String(100), default="en")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    primary_color: Mapped[str | None] = mapped_column(String(7))
    accent_color: Mapped[str | None] = mapped_column(String(7))
    logo_file: Mapped[str | None] = mapped_column(String(200))
    order_prefix: Mapped[str | None] = mapped_column(String(6))
    require_end_customer: Mapped[bool] = mapped_column(default=True, server_default=true())
    # An on-account order over the available credit, or with an invoice overdue, waits
    # for the distributor's credit desk instead of being refused.
    credit_desk: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Mail of this storefront is sent as "<name>" <mail_sender>, replies go to
    # support_email; None: the deployment's MAIL_SENDER address and MAIL_REPLY_TO.
    mail_sender: Mapped[str | None] = mapped_column(String(254))
    support_email: Mapped[str | None] = mapped_column(String(254))
    # The console's onboarding wizard: the furthest step reached and the readiness checks
    # waived, each with its reason: {"step": "prices", "waivers": {"check": {"reason",
    # "by", "at"}}}.
    onboarding: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    vendor: Mapped[Vendor] = relationship(lazy="joined")
    hosts: Mapped[list[TenantHost]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", order_by="TenantHost.host"
    )

    @property
    def locales(self) -> list[str]:
        return [code for code in self.locales_csv.split(",") if code]

    @property
    def document_prefix(self) -> str:
        """Prefix of order and invoice numbers, e.g. NW in NW-000123."""
        return self.order_prefix or self.slug[:2].upper()

    @property
    def primary_host(self) -> str | None:
        return next((h.host for h in self.hosts if h.is_primary), None)


class TenantHost(db.Model):
    __tablename__ = "tenant_host"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    host: Mapped[str] = mapped_column(String(253), unique=True)
    is_primary: Mapped[bool] = mapped_column(default=False)

    tenant: Mapped[Tenant] = relationship(back_populates="hosts")
