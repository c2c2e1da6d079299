"""Shared vendor catalog rows (not tenant-owned)."""

from __future__ import annotations

import enum

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db


class ProductKind(enum.StrEnum):
    PERPETUAL = "perpetual"
    SUBSCRIPTION = "subscription"
    SERVICE = "service"


class Category(db.Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[list[CategoryName]] = relationship(cascade="all, delete-orphan")

    def name_in(self, locale: str) -> str:
        by_locale = {n.locale: n.name for n in self.names}
        return by_locale.get(locale) or by_locale.get("en") or self.slug


class CategoryName(db.Model):
    __tablename__ = "category_name"
    __table_args__ = (UniqueConstraint("category_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))


product_group_member = Table(
    "product_group_member",
    db.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("product_group.id", ondelete="CASCADE"), primary_key=True),
)


class ProductGroup(db.Model):
    __tablename__ = "product_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class Product(db.Model):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    term_months: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[Category] = relationship()
    groups: Mapped[list[ProductGroup]] = relationship(secondary=product_group_member)
    texts: Mapped[list[ProductText]] = relationship(cascade="all, delete-orphan")
    prices: Mapped[list[ListPrice]] = relationship(cascade="all, delete-orphan")


class ProductText(db.Model):
    """A product's name and description in one locale; English is the fallback."""

    __tablename__ = "product_text"
    __table_args__ = (UniqueConstraint("product_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class ListPrice(db.Model):
    """A product's list price in one currency, in that currency's minor units."""

    __tablename__ = "list_price"
    __table_args__ = (UniqueConstraint("product_id", "currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
