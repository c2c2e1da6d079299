"""Imports every model module so metadata is complete, and registers the CLI groups."""

from __future__ import annotations

from flask import Flask

from channelfront.accounts import (
    account_mail,  # noqa: F401  (outbox handler)
    session_models,
)
from channelfront.accounts import models as accounts_models
from channelfront.api import models as api_models
from channelfront.approvals import models as approval_models
from channelfront.audit import models as audit_models
from channelfront.catalog import models as catalog_models
from channelfront.customers import models as customer_models
from channelfront.deals import expiry as _deal_expiry  # noqa: F401  (Celery task)
from channelfront.deals import mail as _deal_mail  # noqa: F401  (outbox handler)
from channelfront.deals import models as deal_models
from channelfront.fulfillment import models as fulfillment_models
from channelfront.fulfillment import (  # noqa: F401  (outbox handlers, the refund receiver)
    notifications,
    revocation,
    services,
)
from channelfront.health import models as health_models
from channelfront.invoices import models as invoice_models
from channelfront.orders import models as order_models
from channelfront.orders import (
    party_mail,  # noqa: F401  (outbox handler)
    template_models,
)
from channelfront.outbox import models as outbox_models
from channelfront.partners import models as partner_models
from channelfront.payments import models as payment_models
from channelfront.pricing import models as pricing_models
from channelfront.quotes import expiry as _quote_expiry  # noqa: F401  (Celery task, outbox handler)
from channelfront.quotes import mail as _quote_mail  # noqa: F401  (outbox handlers)
from channelfront.quotes import models as quote_models
from channelfront.renewals import mail as _renewal_mail  # noqa: F401  (outbox handlers)
from channelfront.renewals import models as renewal_models
from channelfront.statements import models as statement_models
from channelfront.subscriptions import models as subscription_models
from channelfront.tenancy import models as tenancy_models
from channelfront.theming import models as theming_models
from channelfront.webhooks import mail as _webhook_mail  # noqa: F401  (tasks, outbox handlers)
from channelfront.webhooks import models as webhook_models

MODEL_MODULES = (
    tenancy_models,
    accounts_models,
    session_models,
    catalog_models,
    pricing_models,
    api_models,
    customer_models,
    order_models,
    fulfillment_models,
    subscription_models,
    invoice_models,
    outbox_models,
    payment_models,
    template_models,
    renewal_models,
    statement_models,
    partner_models,
    audit_models,
    approval_models,
    quote_models,
    deal_models,
    webhook_models,
    theming_models,
    health_models,
)


def register_cli(app: Flask) -> None:
    from channelfront.accounts.cli import users_cli
    from channelfront.api.cli import api_token_cli
    from channelfront.approvals.cli import approvals_cli
    from channelfront.deals.cli import deals_cli
    from channelfront.demo.cli import demo_cli
    from channelfront.fulfillment.cli import licenses_cli
    from channelfront.outbox.cli import outbox_cli
    from channelfront.quotes.cli import quotes_cli
    from channelfront.setup.catalog_cli import catalog_cli
    from channelfront.setup.cli import setup_command
    from channelfront.statements.cli import incentives_cli
    from channelfront.tenancy.cli import tenants_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(approvals_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(api_token_cli)
    app.cli.add_command(licenses_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(incentives_cli)
    app.cli.add_command(quotes_cli)
    app.cli.add_command(deals_cli)
    app.cli.add_command(setup_command)
    app.cli.add_command(catalog_cli)
