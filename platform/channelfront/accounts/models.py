"""Partner companies and users."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db


class UserKind(enum.StrEnum):
    VENDOR = "vendor"
    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"


ROLES: dict[UserKind, tuple[str, ...]] = {
    UserKind.VENDOR: ("vendor_admin", "vendor_ops"),
    UserKind.DISTRIBUTOR: ("distributor_admin", "distributor_finance", "partner_manager"),
    UserKind.RESELLER: ("buyer", "approver", "company_admin", "viewer"),
}


class UserStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


def tax_id_key(tax_id: str | None) -> str | None:
    """A tax id as compared: upper case, letters and digits only ("de 123-456" is DE123456)."""
    key = re.sub(r"[^0-9A-Z]", "", (tax_id or "").upper())
    return key or None


class Company(db.Model):
    """A reseller company; shared across tenants, enrolled per tenant.

    Its profile (billing address, tax id) is printed on its invoices. No two companies
    share a tax id: an applicant whose tax id is known joins the existing company.
    """

    __tablename__ = "company"
    __table_args__ = (
        Index(
            "uq_company_tax_id_key",
            "tax_id_key",
            unique=True,
            sqlite_where=text("tax_id_key IS NOT NULL"),
            postgresql_where=text("tax_id_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    country: Mapped[str | None] = mapped_column(String(2))
    address_line: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    tax_id_key: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(200))

    def set_tax_id(self, tax_id: str | None) -> None:
        self.tax_id = (tax_id or "").strip() or None
        self.tax_id_key = tax_id_key(tax_id)

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
    # Invited and not yet accepted: no password, cannot sign in.
    invitation_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Two-factor sign-in with TOTP: the secret is set while enrolling, enabled once confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[Company | None] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:
        return self.active and not self.invitation_pending

    @property
    def status(self) -> UserStatus:
        if not self.active:
            return UserStatus.DEACTIVATED
        if self.invitation_pending:
            return UserStatus.INVITED
        return UserStatus.ACTIVE

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None


class RecoveryCode(db.Model):
    """A one-time two-factor recovery code; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a purpose, not a password)
    APPLICATION_EMAIL = "application_email"


class AccountLink(db.Model):
    """A single-use link sent by mail (invitation, password reset, e-mail check).

    The URL carries a signed random secret; the row keeps its SHA-256, what it is for,
    when it expires and when it was used or revoked.
    """

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(24))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_application.id", ondelete="CASCADE"), index=True
    )
    # The storefront the link was sent for (None: the vendor console).
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
