"""Named order templates a company's buyers can start a cart from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class OrderTemplate(TenantOwned, db.Model):
    __tablename__ = "order_template"
    __table_args__ = (UniqueConstraint("tenant_id", "company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lines: Mapped[list[OrderTemplateLine]] = relationship(
        cascade="all, delete-orphan", order_by="OrderTemplateLine.id"
    )


class OrderTemplateLine(TenantOwned, db.Model):
    __tablename__ = "order_template_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("order_template.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column()
    term_months: Mapped[int | None] = mapped_column()
