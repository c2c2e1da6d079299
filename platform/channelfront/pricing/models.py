"""Tenant-owned programs, their rules, enrollments and partner overrides."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class Program(TenantOwned, db.Model):
    """A partner program of one tenant (e.g. Gold): what it authorizes and at what discount."""

    __tablename__ = "program"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    # Must an order name an end customer? None: as the tenant says.
    require_end_customer: Mapped[bool | None] = mapped_column()
    # How long an approved deal registration protects the reseller.
    deal_protection_days: Mapped[int] = mapped_column(default=90, server_default="90")

    rules: Mapped[list[ProgramRule]] = relationship(cascade="all, delete-orphan")


class ProgramRule(TenantOwned, db.Model):
    """Authorizes one category, product group or product, with a discount in basis points."""

    __tablename__ = "program_rule"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN category_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN group_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN product_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        CheckConstraint("discount_bps >= 0 AND discount_bps <= 10000", name="discount_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("product_group.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    discount_bps: Mapped[int] = mapped_column(default=0)


class Enrollment(TenantOwned, db.Model):
    """A reseller company enrolled with a tenant in one program, with its credit line."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("tenant_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    credit_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    program: Mapped[Program] = relationship()


class PartnerPrice(TenantOwned, db.Model):
    """A partner-specific discount on one product; it beats the program."""

    __tablename__ = "partner_price"
    __table_args__ = (
        UniqueConstraint("tenant_id", "company_id", "product_id"),
        CheckConstraint("discount_bps >= 0 AND discount_bps <= 10000", name="discount_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    discount_bps: Mapped[int] = mapped_column()
