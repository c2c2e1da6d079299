"""Carts, orders, their lines, status events and per-tenant numbering."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    AWAITING_APPROVAL = "awaiting_approval"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PAYMENT_FAILED = "payment_failed"
    PAID = "paid"
    ACCEPTED = "accepted_on_account"
    FULFILLING = "fulfilling"
    FULFILLED = "fulfilled"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PaymentMethod(enum.StrEnum):
    CARD = "card"
    ON_ACCOUNT = "on_account"
    # The reseller's end customer paid a quote by card (quotes); never chosen at checkout.
    END_CUSTOMER_CARD = "end_customer_card"


#: What a buyer may choose at checkout (the form and the API).
CHECKOUT_METHODS = (PaymentMethod.CARD.value, PaymentMethod.ON_ACCOUNT.value)


class Cart(TenantOwned, db.Model):
    __tablename__ = "cart"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    lines: Mapped[list[CartLine]] = relationship(
        cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(TenantOwned, db.Model):
    __tablename__ = "cart_line"
    __table_args__ = (UniqueConstraint("cart_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column()
    term_months: Mapped[int | None] = mapped_column()
    renews_subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"))


class Counter(TenantOwned, db.Model):
    """The last number used for one kind of document (order, invoice) on a tenant."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("tenant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    last_value: Mapped[int] = mapped_column(default=0)


class Order(TenantOwned, db.Model):
    __tablename__ = "purchase_order"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "company_id", "idempotency_key"),
        Index("ix_order_company_created", "tenant_id", "company_id", "created_at"),
        Index("ix_order_company_status", "tenant_id", "company_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    po_number: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    # Paid with the company's credit notes at checkout; the lines keep their totals.
    credit_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    payment_method: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24), default=OrderStatus.PLACED.value)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    # SHA-256 of the request that placed the order: the same key with another request
    # is a conflict, not a replay. None on orders placed before it was kept.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    notify_end_customer: Mapped[bool] = mapped_column(default=False)
    # The end customer's language for the mail they get (a quote's); None: the tenant's.
    customer_locale: Mapped[str | None] = mapped_column(String(10))
    # The saved card chosen at checkout, charged once the order may proceed.
    card_payment_method: Mapped[str | None] = mapped_column(String(80))
    payment_intent_id: Mapped[str | None] = mapped_column(String(80))
    payment_error: Mapped[str | None] = mapped_column(String(300))
    # The registered deal this order closes, and the reseller's CRM ids that travel with it
    # (the deal's external id, the CRM account and opportunity), so the CRM can match it.
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id"), index=True)
    crm_deal_id: Mapped[str | None] = mapped_column(String(80))
    crm_account_id: Mapped[str | None] = mapped_column(String(64))
    crm_opportunity_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    customer: Mapped[Customer | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", order_by="OrderLine.id", back_populates="order"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        cascade="all, delete-orphan", order_by="OrderEvent.id", back_populates="order"
    )

    @property
    def due_minor(self) -> int:
        """What the company pays (card, credit line, invoice): the total less credit notes."""
        return self.total_minor - (self.credit_minor or 0)


class OrderLine(TenantOwned, db.Model):
    """A line with the price snapshot and the rule the price came from."""

    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    term_months: Mapped[int | None] = mapped_column()
    quantity: Mapped[int] = mapped_column()
    list_price_minor: Mapped[int] = mapped_column(BigInteger)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    price_source: Mapped[str] = mapped_column(String(16))
    discount_bps: Mapped[int] = mapped_column()
    # A renewal line: the subscription it extends (no foreign key: subscription already
    # references order_line) and the term index it was given when the order was accepted.
    renews_subscription_id: Mapped[int | None] = mapped_column(index=True)
    renewal_term_index: Mapped[int | None] = mapped_column()

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(TenantOwned, db.Model):
    """One entry of an order's timeline."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    order: Mapped[Order] = relationship(back_populates="events")
