"""Partner companies and users."""

from __future__ import annotations

import enum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db


class UserKind(enum.StrEnum):
    VENDOR = "vendor"
    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"


ROLES: dict[UserKind, tuple[str, ...]] = {
    UserKind.VENDOR: ("vendor_admin", "vendor_ops"),
    UserKind.DISTRIBUTOR: ("distributor_admin", "distributor_finance"),
    UserKind.RESELLER: ("buyer", "approver", "company_admin", "viewer"),
}


class Company(db.Model):
    """A reseller company; shared across tenants, enrolled per tenant."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    country: Mapped[str | None] = mapped_column(String(2))

    users: Mapped[list[User]] = relationship(back_populates="company")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(32))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)

    company: Mapped[Company | None] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:
        return self.active
