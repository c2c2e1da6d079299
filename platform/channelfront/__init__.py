"""Channelfront: co-branded partner storefronts for a software vendor's distributors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from channelfront import config, logs
from channelfront.theming.loader import ThemedFlask
from channelfront.theming.views import template_context
from channelfront.web import converters


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, then features, in that order."""
    app = ThemedFlask(__name__, static_folder=None)
    converters.init_app(app)
    app.config.from_mapping(config.from_environment())
    if overrides:
        app.config.from_mapping(overrides)
    config.settle_secrets(app.config)
    # First: every later hook and log line has the request id.
    logs.init_app(app)

    from channelfront import celery_app, errors, extensions, health, models, security, statements
    from channelfront.accounts import auth
    from channelfront.i18n import compiled, formatting, locale
    from channelfront.tenancy import middleware
    from channelfront.webhooks import sources as webhook_sources

    middleware.init_app(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(config.ROOT / "migrations"))
    # Before CSRF and rate limits: their error pages know who is signed in.
    auth.init_app(app)
    extensions.csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    extensions.limiter.init_app(app)
    compiled.init_app(app)
    locale.init_app(app)
    formatting.init_app(app)
    app.context_processor(template_context)
    security.init_app(app)
    errors.init_app(app)
    celery_app.init_app(app)
    health.init_app(app)  # before the blueprints: its status page joins the console's
    models.register_cli(app)
    statements.connect()
    webhook_sources.connect()
    _register_checkout_steps()
    _register_blueprints(app)
    return app


def _register_checkout_steps() -> None:
    """The checkout pipeline's steps, in the order they run (orders.pipeline)."""
    from channelfront.approvals import expiry  # noqa: F401  (the Celery task)
    from channelfront.approvals.checkout_step import ApprovalsStep
    from channelfront.deals.checkout_step import DealsStep
    from channelfront.orders import pipeline
    from channelfront.orders.credit import CreditLineStep
    from channelfront.orders.signals import order_refund_credits, order_refunded
    from channelfront.payments.checkout_step import CardPaymentStep
    from channelfront.quotes import margin, refunds
    from channelfront.quotes.checkout_step import QuotesStep
    from channelfront.renewals.checkout_step import RenewalsStep
    from channelfront.statements.checkout_step import CreditNotesStep

    order_refund_credits.connect(margin.take_back)
    order_refund_credits.connect(margin.give_back)
    order_refunded.connect(refunds.on_refunded)
    for step in (
        QuotesStep(),
        DealsStep(),
        RenewalsStep(),
        CreditLineStep(),
        CreditNotesStep(),
        ApprovalsStep(),
        CardPaymentStep(),
    ):
        pipeline.register(step)


def _register_blueprints(app: Flask) -> None:
    from channelfront.accounts import invitation_views  # noqa: F401  (routes on accounts_bp)
    from channelfront.accounts.token_views import bp as tokens_bp
    from channelfront.accounts.views import bp as accounts_bp
    from channelfront.admin.views import bp as admin_bp
    from channelfront.api import bp as api_bp
    from channelfront.approvals import admin_views  # noqa: F401  (routes on admin_bp)
    from channelfront.approvals.rule_views import company_bp as company_rules_bp
    from channelfront.approvals.rule_views import partner_bp as partner_rules_bp
    from channelfront.approvals.views import bp as approvals_bp
    from channelfront.audit.views import bp as audit_bp
    from channelfront.catalog.views import bp as catalog_bp
    from channelfront.company.views import bp as company_bp
    from channelfront.customers import pages  # noqa: F401  (routes on customers_bp)
    from channelfront.customers.import_views import bp as customer_imports_bp
    from channelfront.customers.views import bp as customers_bp
    from channelfront.deals.partner_views import bp as partner_deals_bp
    from channelfront.deals.views import bp as deals_bp
    from channelfront.health.views import bp as health_bp
    from channelfront.invoices.views import bp as invoices_bp
    from channelfront.onboarding import partner_views, views  # noqa: F401  (routes on admin_bp)
    from channelfront.orders import quick_order_views  # noqa: F401  (routes on cart_bp)
    from channelfront.orders.cart_views import bp as cart_bp
    from channelfront.orders.checkout_views import bp as checkout_bp
    from channelfront.orders.history_views import bp as order_history_bp
    from channelfront.orders.order_views import bp as orders_bp
    from channelfront.orders.templates_views import bp as order_templates_bp
    from channelfront.partners.apply_views import bp as apply_bp
    from channelfront.partners.views import bp as partners_bp
    from channelfront.payments.views import bp as payments_bp
    from channelfront.payments.webhooks import bp as stripe_webhooks_bp
    from channelfront.quotes.customer_views import bp as quote_customer_bp
    from channelfront.quotes.special_views import partner_bp as partner_special_bp
    from channelfront.quotes.special_views import reseller_bp as quote_special_bp
    from channelfront.quotes.views import bp as quotes_bp
    from channelfront.renewals.views import bp as renewals_bp
    from channelfront.statements.views_partner import bp as incentives_bp
    from channelfront.storefront.views import bp as storefront_bp
    from channelfront.theming.views import bp as theming_bp
    from channelfront.webhooks.views import company_bp as company_webhooks_bp
    from channelfront.webhooks.views import partner_bp as partner_webhooks_bp

    for blueprint in (
        health_bp,
        theming_bp,
        accounts_bp,
        tokens_bp,
        storefront_bp,
        catalog_bp,
        cart_bp,
        checkout_bp,
        orders_bp,
        customers_bp,
        customer_imports_bp,
        order_history_bp,
        order_templates_bp,
        quotes_bp,
        deals_bp,
        invoices_bp,
        renewals_bp,
        quote_customer_bp,
        incentives_bp,
        partners_bp,
        audit_bp,
        apply_bp,
        company_bp,
        approvals_bp,
        company_rules_bp,
        partner_rules_bp,
        quote_special_bp,
        partner_special_bp,
        partner_deals_bp,
        company_webhooks_bp,
        partner_webhooks_bp,
        payments_bp,
        stripe_webhooks_bp,
        admin_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
