"""The rows the route matrix aims at: for each kind of foreign object, one of every kind of
thing a URL can name (order, invoice, template, subscription, token, card, statement...).

Callers sign in on Northwind (Bluebird IT's buyer, approver, company admin and viewer,
Otter Co, distributor finance), on Sakura (Kirin, another tenant) or on the vendor
console. The objects are foreign to them:

- ``other_company``: Victim Co's, a third reseller on Northwind (orders, invoices,
  cards, statements...); for the console, Northwind's own rows.
- ``other_tenant``: Bluebird IT's own rows on Alpenhandel (the same company on another
  storefront, the sharpest wall), and Alpenhandel's distributor statement; for the
  console, an Alpenhandel row under a Northwind address, or another vendor's stored
  theme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.api.models import ApiToken
from channelfront.api.tokens import issue_token, token_refusal
from channelfront.catalog.models import Product
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.checkout import submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.templates_service import save_from_order
from channelfront.pricing.models import Enrollment, Program, ProgramRule
from channelfront.renewals import links
from channelfront.renewals.models import Channel, SubscriptionTerm
from channelfront.subscriptions.models import Subscription
from tests.orders.conftest import Storefront, checkout_request, storefront
from tests.payments.conftest import save_card
from tests.statements.pages_support import QUARTERLY, RESELLER_QUARTERLY, close, program, quarter
from tests.statements.pages_support import tenant as tenant_row
from tests.walls.theme_world import console_theme, other_vendor_theme

NW = "northwind.localhost"
AH = "alpenhandel.localhost"
SK = "sakura.localhost"
ADMIN = "admin.localhost"
OBJECTS = ("other_company", "other_tenant")


@dataclass
class World:
    """URL values by object kind, and each signed-in role's API token (if it may have one)."""

    values: dict[str, dict[str, Any]] = field(default_factory=lambda: {k: {} for k in OBJECTS})
    tokens: dict[str, str] = field(default_factory=dict)


def _product_id(sku: str) -> int:
    found = db.session.scalar(select(Product.id).where(Product.sku == sku))
    assert found is not None, sku
    return found


def user(email: str, role: str, company_id: int | None = None, kind: str = "reseller") -> User:
    row = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash=hash_password(DEMO_PASSWORD),
        kind=kind,
        role=role,
        company_id=company_id,
    )
    db.session.add(row)
    db.session.commit()
    return row


def reseller_company(name: str, tenant_slug: str, program_slug: str) -> Company:
    """A reseller company enrolled on one storefront in one of its pricing programs."""
    company = Company(name=name, country="GB")
    db.session.add(company)
    db.session.flush()
    tenant = tenant_row(tenant_slug)
    pricing = db.session.scalar(
        select(Program).where(Program.tenant_id == tenant.id, Program.slug == program_slug)
    )
    db.session.add(
        Enrollment(
            tenant_id=tenant.id,
            company_id=company.id,
            program_id=pricing.id,
            credit_limit_minor=10_000_000,
        )
    )
    db.session.commit()
    return company


def _shop_rows(app: Flask, host: str, email: str, lines: list[LineRequest]) -> dict[str, Any]:
    """An order on account (fulfilled and invoiced) and everything it names, on one shop."""
    for shop in storefront(app, host, email):
        quotes = _quote_rows(shop)
        return {**_order_rows(shop, lines), **quotes, **_customer_rows(shop, quotes)}
    raise AssertionError(f"no storefront at {host}")


def _customer_rows(shop: Storefront, quotes: dict[str, Any]) -> dict[str, Any]:
    """The quote's end customer, a pending deal for it, a finished customer import, and a
    webhook endpoint (with a test delivery) of the company and of the storefront."""
    from channelfront.customers.models import CustomerImport
    from channelfront.deals import services as deals
    from channelfront.deals.services import DealInput, DealLineInput
    from channelfront.quotes.models import Quote
    from channelfront.webhooks import services as webhooks
    from channelfront.webhooks.publish import send_test
    from channelfront.webhooks.services import EndpointInput, Owner

    company_id = shop.terms.enrollment.company_id
    quote = db.session.scalar(select(Quote).where(Quote.number == quotes["quote_number"]))
    close_on = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    deal = deals.register(
        shop.tenant,
        shop.buyer,
        shop.terms,
        DealInput(
            lines=[DealLineInput("SHD-STD-1Y", 5)],
            customer_id=quote.customer_id,
            expected_value="1000.00",
            expected_close=close_on,
            external_id=f"MATRIX-{company_id}",
        ),
    )
    upload = CustomerImport(
        tenant_id=shop.tenant.id,
        company_id=company_id,
        user_id=shop.buyer.id,
        filename="matrix.csv",
        content="company_name\n",
        status="done",
    )
    db.session.add(upload)
    found: dict[str, Any] = {}
    for prefix, owner in (("", company_id), ("tenant_", None)):
        entry = EndpointInput("http://127.0.0.1:9/matrix", ["order.placed"])
        endpoint = webhooks.create(Owner(shop.tenant.id, owner), entry, shop.buyer)
        send_test(endpoint)
        db.session.flush()
        found[f"{prefix}endpoint_id"] = endpoint.id
        found[f"{prefix}delivery_id"] = webhooks.deliveries(endpoint, 1).items[0].id
    db.session.commit()
    return {
        **found,
        "customer_id": quote.customer_id,
        "deal_number": deal.number,
        "deal_id": deal.id,
        "import_id": upload.id,
    }


def _quote_rows(shop: Storefront) -> dict[str, Any]:
    """A draft quote with a special price request waiting on its line."""
    from channelfront.customers.services import CustomerInput
    from channelfront.quotes import services, special_requests
    from channelfront.quotes.services import QuoteInput, QuoteLineInput

    customer = CustomerInput("Matrix Ltd", "Max Matrix", "max@matrix.example", "GB")
    data = QuoteInput(lines=[QuoteLineInput("SHD-STD-1Y", 2)], new_customer=customer)
    quote = services.create(shop.tenant, shop.buyer, shop.terms, data)
    db.session.flush()
    request = special_requests.request_price(
        quote, quote.lines[0], shop.buyer, discount_percent="5", justification="Matrix"
    )
    db.session.commit()
    return {
        "quote_number": quote.number,
        "special_price_id": request.id,
        "quote_line_id": quote.lines[0].id,
        "quote_token": _customer_link(shop, data),
    }


def _waiting_for_vendor(app: Flask) -> int:
    """Victim Co's request on a quote of its own that Northwind's partner manager approved
    above the vendor's threshold of its tier, so it waits for the vendor's staff. The tier
    (Northwind's gold, Bluebird's too) keeps that rule: any discount needs the vendor."""
    from channelfront.customers.services import CustomerInput
    from channelfront.quotes import services, special_requests, special_rules
    from channelfront.quotes.services import QuoteInput, QuoteLineInput

    for shop in storefront(app, NW, "buyer@victim.example"):
        manager = db.session.scalar(select(User).where(User.email == "partners@northwind.example"))
        program = db.session.get(Program, shop.terms.enrollment.program_id)
        threshold = special_rules.RuleInput("", "", "1", "")
        special_rules.save(program, manager, threshold, shop.tenant.currency)
        customer = CustomerInput("Vendor Ltd", "Vera Vendor", "vera@vendor.example", "GB")
        data = QuoteInput(lines=[QuoteLineInput("SHD-STD-1Y", 2)], new_customer=customer)
        quote = services.create(shop.tenant, shop.buyer, shop.terms, data)
        db.session.flush()
        request = special_requests.request_price(
            quote, quote.lines[0], shop.buyer, discount_percent="5", justification="Matrix"
        )
        special_requests.decide(request, manager, "approve", comment=None)
        assert (request.stage, request.status) == ("vendor", "pending")
        db.session.commit()
        return request.id
    raise AssertionError(f"no storefront at {NW}")


def _customer_link(shop: Storefront, data: Any) -> str:
    """The end customer's link to a quote that was sent and opened already (so opening it
    again writes nothing)."""
    from channelfront.quotes import links, services
    from channelfront.quotes.models import QuoteStatus

    quote = services.create(shop.tenant, shop.buyer, shop.terms, data)
    db.session.flush()
    assert services.move(quote, (QuoteStatus.DRAFT.value,), QuoteStatus.SENT)
    assert services.move(quote, (QuoteStatus.SENT.value,), QuoteStatus.VIEWED)
    db.session.commit()
    return links.make_token(shop.tenant.id, quote.id, quote.revision)


def _order_rows(shop: Storefront, lines: list[LineRequest]) -> dict[str, Any]:
    company_id = shop.terms.enrollment.company_id
    order, created = submit(
        shop.tenant, shop.buyer, shop.terms, "en", checkout_request(lines=lines)
    )
    assert created
    db.session.commit()
    template = save_from_order(company_id, shop.buyer, order, f"Matrix {order.number}")
    issue_token(shop.buyer, shop.tenant.id)
    db.session.commit()
    subscription_id = db.session.scalar(
        select(Subscription.id).where(Subscription.order_id == order.id)
    )
    invoice = db.session.scalar(select(Invoice.number).where(Invoice.order_id == order.id))
    assert subscription_id is not None
    _renewed_once(shop, subscription_id)
    assert invoice is not None
    token_id = db.session.scalar(
        select(ApiToken.id).where(ApiToken.user_id == shop.buyer.id).order_by(ApiToken.id.desc())
    )
    return {
        "number": order.number,
        "invoice": invoice,
        "template_id": template.id,
        "subscription_id": subscription_id,
        "token_id": token_id,
        "renewal_token": links.make_token(shop.tenant.id, subscription_id),
        "term_index": 1,
        "payment_method_id": save_card(shop)["id"],
        "company_id": company_id,
        "enrollment_id": shop.terms.enrollment.id,
        "pricing_program_id": shop.terms.enrollment.program_id,
    }


def _renewed_once(shop: Storefront, subscription_id: int) -> None:
    """A first renewal term, as the end customer's payment through the link records it."""
    subscription = db.session.get(Subscription, subscription_id)
    db.session.add(
        SubscriptionTerm(
            tenant_id=shop.tenant.id,
            subscription_id=subscription_id,
            term_index=1,
            channel=Channel.SELF_SERVICE.value,
            amount_minor=10_00,
            currency=shop.tenant.currency,
            quantity=subscription.quantity,
            term_months=subscription.term_months,
            starts_on=subscription.ends_on,
            ends_on=subscription.ends_on + timedelta(days=365),
            paid_at=datetime.now(UTC),
        )
    )
    db.session.commit()


def _statements(victim: Company) -> tuple[dict[str, int], dict[str, int]]:
    """Reseller statements of Victim (Northwind) and Bluebird (Alpenhandel), and the
    distributor statements of both storefronts."""
    bluebird = db.session.scalar(select(Company.id).where(Company.name == "Bluebird IT"))
    q1 = quarter(2025, 1)
    nw_res = program("northwind", "m-res", RESELLER_QUARTERLY, audience="reseller")
    ah_res = program("alpenhandel", "m-res", RESELLER_QUARTERLY, "reseller", currency="EUR")
    nw_dist = program("northwind", "m-dist", QUARTERLY)
    ah_dist = program("alpenhandel", "m-dist", QUARTERLY, currency="EUR")
    rows = {
        "nw_reseller": close(nw_res, f"company-{victim.id}", q1, 150_00),
        "ah_reseller": close(ah_res, f"company-{bluebird}", q1, 150_00),
        "nw_distributor": close(nw_dist, "northwind", q1, 250_00),
        "ah_distributor": close(ah_dist, "alpenhandel", q1, 250_00),
    }
    db.session.commit()
    return {k: v.id for k, v in rows.items()}, {
        "nw": nw_res.id,
        "ah": ah_res.id,
    }


def _onboarding_rows() -> dict[str, dict[str, Any]]:
    """A draft tenant in the console's wizard, and a partner price of each storefront:
    Victim Co's on Northwind, Bluebird's on Alpenhandel (named under Northwind's address).
    The wizard names a tenant and a step: another kind's is a tenant and a step that do
    not exist."""
    from channelfront.admin.tenant_services import console_vendor
    from channelfront.onboarding import partner_prices, steps
    from channelfront.pricing.models import PartnerPrice
    from channelfront.tenancy.models import Tenant

    draft = steps.start(console_vendor(), "Matrix Draft", "matrix-draft")
    missing = (db.session.scalar(select(func.max(Tenant.id))) or 0) + 1000
    found = {}
    for slug, company, sku in (
        ("northwind", "Victim Co", "SHD-STD-1Y"),
        ("alpenhandel", "Bluebird IT", "CDE-STD-1Y"),
    ):
        tenant = tenant_row(slug)
        partner_prices.add(tenant, company, sku, "5", None)
        found[slug] = db.session.scalar(
            select(PartnerPrice.id).where(
                PartnerPrice.tenant_id == tenant.id, PartnerPrice.product_id == _product_id(sku)
            )
        )
    db.session.commit()
    return {
        "other_company": {
            "draft_tenant_id": draft.id,
            "step": "name",
            "partner_price_id": found["northwind"],
        },
        "other_tenant": {
            "draft_tenant_id": missing,
            "step": "launch",
            "partner_price_id": found["alpenhandel"],
        },
    }


def build(app: Flask) -> World:
    """Every row the matrix names (committed into the test's rolled-back transaction)."""
    bluebird = db.session.scalar(select(Company).where(Company.name == "Bluebird IT"))
    user("viewer@bluebird.example", "viewer", bluebird.id)
    otter = reseller_company("Otter Co", "northwind", "silver")
    user("buyer@otter.example", "buyer", otter.id)
    victim = reseller_company("Victim Co", "northwind", "gold")
    victim_buyer = user("buyer@victim.example", "buyer", victim.id)

    world = World()
    theirs = _shop_rows(app, NW, "buyer@victim.example", [LineRequest("SHD-STD-1Y", 2)])
    ours_elsewhere = _shop_rows(app, AH, "buyer@bluebird.example", [LineRequest("SHD-STD-1Y", 2)])
    statements, incentive_programs = _statements(victim)
    northwind = tenant_row("northwind").id
    kirin = db.session.scalar(select(Company.id).where(Company.name == "Kirin Systems"))
    rules = {
        slug: db.session.scalar(
            select(ProgramRule.id)
            .join(Program, Program.id == ProgramRule.program_id)
            .where(Program.tenant_id == tenant_row(slug).id)
        )
        for slug in ("northwind", "alpenhandel")
    }
    world.values["other_company"] = {
        **theirs,
        "statement_id": statements["nw_reseller"],
        "beneficiary": f"company-{victim.id}",
        "period": "2025-Q1",
        "distributor_statement_id": statements["nw_reseller"],
        "sku": "INS-STD-1Y",
        # Products are the vendor's, shared by every storefront: the console edits any.
        "product_id": _product_id("INS-STD-1Y"),
        "tenant_id": northwind,
        "incentive_program_id": incentive_programs["nw"],
        "admin_statement_id": statements["nw_reseller"],
        "rule_id": rules["northwind"],
        "company_user_id": victim_buyer.id,
        # The console's special prices name no storefront: the vendor's on any of them.
        "console_special_price_id": _waiting_for_vendor(app),
    }
    world.values["other_tenant"] = {
        **ours_elsewhere,
        "statement_id": statements["ah_reseller"],
        "beneficiary": f"company-{bluebird.id}",
        "period": "2025-Q1",
        "distributor_statement_id": statements["ah_distributor"],
        "sku": "CDE-STD-1Y",
        "product_id": _product_id("CDE-STD-1Y"),
        "company_id": kirin,
        # The console's addresses name a tenant: an Alpenhandel row under Northwind's id.
        "tenant_id": northwind,
        "incentive_program_id": incentive_programs["ah"],
        "admin_statement_id": statements["ah_reseller"],
        "rule_id": rules["alpenhandel"],
        # Users belong to a company, not a storefront: Kirin's, enrolled on Sakura only.
        "company_user_id": db.session.scalar(
            select(User.id).where(User.email == "buyer@kirin.example")
        ),
        # Not the vendor's: it waits for Alpenhandel's partner managers only.
        "console_special_price_id": ours_elsewhere["special_price_id"],
    }
    for kind, rows in _onboarding_rows().items():
        world.values[kind].update(rows)
    # The console's stored themes are its vendor's: another vendor's theme (with the same
    # slug and version numbers) is not found. The version named is the unpublished draft.
    for kind, theme in (("other_company", console_theme()), ("other_tenant", other_vendor_theme())):
        world.values[kind].update(
            theme_id=theme.id, theme_version=theme.draft, preview_page="home", preview_lang="de"
        )
    return world


def tokens_for(roles: dict[str, tuple[str, str | None]]) -> dict[str, str]:
    """An API token per signed-in role on its own storefront, where it may have one."""
    found = {}
    for role, (host, email) in roles.items():
        if email is None or host == ADMIN:
            continue
        member = db.session.scalar(select(User).where(User.email == email))
        tenant = tenant_row(host.split(".")[0])
        if token_refusal(member, tenant) is None:
            found[role] = issue_token(member, tenant.id)
    db.session.commit()
    return found
