"""Demo subscriptions: one per demo reseller and storefront, so renewals can be tried.

Each is a real order on account, placed, fulfilled and its invoice settled, so the
reseller's credit stays whole. The idempotency key makes loading twice a no-op.
"""

from __future__ import annotations

from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.catalog.models import Product, ProductKind
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.fulfillment.services import fulfil_order
from channelfront.invoices.models import Invoice
from channelfront.invoices.services import mark_paid
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.lines import LineRequest
from channelfront.pricing.services import authorized_products, load_terms
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope

HARBOR = CustomerInput("Harbor Dental Group", "Dana Harbor", "dana@harbordental.example", "US")
BERGBLICK = CustomerInput("Bergblick Hotel AG", "Berta Berg", "berta@bergblick.example", "AT")
HANAMI = CustomerInput("Hanami Foods", "Hana Tanaka", "hana@hanami.example", "JP")
# storefront, buyer, end customer, seats
DEMO = [
    ("northwind", "buyer@bluebird.example", HARBOR, 10),
    ("alpenhandel", "buyer@bluebird.example", BERGBLICK, 5),
    ("sakura", "buyer@kirin.example", HANAMI, 3),
]


def _subscribe(tenant: Tenant, buyer: User, customer: CustomerInput, seats: int) -> None:
    terms = load_terms(buyer.company_id or 0)
    if terms is None:
        return
    sku = db.session.scalar(
        authorized_products(terms, tenant.currency)
        .where(Product.kind == ProductKind.SUBSCRIPTION)
        .order_by(Product.sku)
        .with_only_columns(Product.sku)
        .limit(1)
    )
    if sku is None:
        return
    request = CheckoutRequest(
        lines=[LineRequest(sku, seats)],
        idempotency_key=f"demo-subscription-{tenant.slug}",
        payment_method="on_account",
        new_customer=customer,
        po_number="DEMO",
    )
    order, _created = submit(tenant, buyer, terms, tenant.default_locale, request)
    fulfil_order(order.id)
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    if invoice is not None and invoice.status == "open":
        mark_paid(invoice, order, None, "demo")
        db.session.commit()


def load_demo_subscriptions() -> None:
    """Give each demo reseller a fulfilled subscription on each of its storefronts (commits)."""
    for slug, email, customer, seats in DEMO:
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        buyer = db.session.scalar(select(User).where(User.email == email))
        if tenant is None or buyer is None or db.session.get(Company, buyer.company_id) is None:
            continue
        with tenant_scope(tenant.id):
            _subscribe(tenant, buyer, customer, seats)
