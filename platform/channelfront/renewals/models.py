"""One row per paid term of a subscription after the first, and self-service payment claims."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.scoping import TenantOwned


class Channel(enum.StrEnum):
    PARTNER = "partner"  # a reseller's order through the storefront
    SELF_SERVICE = "self_service"  # the end customer alone, through the renewal link


class SubscriptionTerm(TenantOwned, db.Model):
    """A renewal: term ``term_index`` (1 for the first renewal) of a subscription, paid.

    Money is stored like order lines store it: whole minor units of ``currency``;
    ``amount`` gives the exact Decimal in major units.
    """

    __tablename__ = "subscription_term"
    __table_args__ = (UniqueConstraint("subscription_id", "term_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    term_index: Mapped[int] = mapped_column()
    channel: Mapped[str] = mapped_column(String(16))
    # The ordering partner; None when the end customer renewed alone.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[int] = mapped_column()
    term_months: Mapped[int] = mapped_column()
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    subscription: Mapped[Subscription] = relationship()

    @property
    def amount(self) -> Money:
        """The net amount paid for the term (``.amount`` of it is the Decimal)."""
        return Money(self.amount_minor, self.currency)


class PaymentState(enum.StrEnum):
    CHARGING = "charging"  # one request is talking to Stripe now
    RELEASED = "released"  # Stripe was out of reach or still processing: retry, same key
    DECLINED = "declined"  # the card was refused: another attempt may follow
    PAID = "paid"  # the term is recorded
    REFUNDED = "refunded"  # charged, but the term had been renewed meanwhile


class RenewalPayment(TenantOwned, db.Model):
    """The end customer's card payment for one term: one row per (subscription, term).

    The unique pair is what makes a double submit or a replayed form charge once.
    """

    __tablename__ = "renewal_payment"
    __table_args__ = (UniqueConstraint("subscription_id", "term_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    term_index: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(default=1)
    payment_intent_id: Mapped[str | None] = mapped_column(String(80))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    error: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
