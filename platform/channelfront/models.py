"""Imports every model module so metadata is complete, and registers the CLI groups."""

from __future__ import annotations

from flask import Flask

from channelfront.accounts import models as accounts_models
from channelfront.api import models as api_models
from channelfront.catalog import models as catalog_models
from channelfront.pricing import models as pricing_models
from channelfront.tenancy import models as tenancy_models

MODEL_MODULES = (tenancy_models, accounts_models, catalog_models, pricing_models, api_models)


def register_cli(app: Flask) -> None:
    from channelfront.api.cli import api_token_cli
    from channelfront.demo.cli import demo_cli
    from channelfront.tenancy.cli import tenants_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(api_token_cli)
