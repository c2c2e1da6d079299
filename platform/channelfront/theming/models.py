"""Themes kept in the database: a theme pack as parent plus design tokens, versioned.

Every save of a theme is a new ``ThemeVersion``; ``StoreTheme.published_number``
names the version the storefronts show. Publishing an earlier number is a rollback.
Tenants choose a stored theme by its slug in ``Tenant.theme``, beside the pack names.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db


class ThemeLogo(db.Model):
    """An uploaded logo, PNG or sanitised SVG, stored once by its content hash."""

    __tablename__ = "theme_logo"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StoreTheme(db.Model):
    __tablename__ = "store_theme"
    __table_args__ = (UniqueConstraint("vendor_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    slug: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    parent: Mapped[str] = mapped_column(String(40))
    # The version storefronts show; None until the first publication.
    published_number: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    versions: Mapped[list[ThemeVersion]] = relationship(
        back_populates="theme", order_by="ThemeVersion.number.desc()"
    )


class ThemeVersion(db.Model):
    __tablename__ = "theme_version"
    __table_args__ = (UniqueConstraint("theme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("store_theme.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    # {"colors": {"primary", "accent", "surface", "text"}, "radius": "6px", "header": "bar",
    #  "font": "inter", "banner": {"en": "...", "de": "..."}, "featured": ["SKU", ...]}
    tokens: Mapped[dict] = mapped_column(JSON, default=dict)
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("theme_logo.id"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    theme: Mapped[StoreTheme] = relationship(back_populates="versions")
    logo: Mapped[ThemeLogo | None] = relationship(lazy="joined")
