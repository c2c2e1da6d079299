"""``flask demo load``: the demo data, idempotent."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from channelfront.demo import seed
from channelfront.demo.incentives import load_demo_incentives
from channelfront.extensions import db
from channelfront.renewals.demo import load_demo_subscriptions
from channelfront.tenancy.models import Tenant

demo_cli = AppGroup("demo", help="Demo data.")


def _subscriptions() -> None:
    db.session.commit()  # orders need the resellers and their enrollments committed
    load_demo_subscriptions()


def _incentives() -> None:
    db.session.commit()  # the history closes quarters, each in its own transaction
    load_demo_incentives()


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when tenants already exist.")
def load_command(if_empty: bool) -> None:
    """Load the demo tenants, catalog, resellers, users, incentive programs with their
    history, and subscriptions (safe to run twice)."""
    if if_empty and db.session.scalar(select(Tenant.id).limit(1)) is not None:
        click.echo("Demo data already present.")
        return
    steps = [
        seed.load_catalog,
        seed.load_demo_tenants,
        seed.load_partners,
        _incentives,
        _subscriptions,
    ]
    with click.progressbar(steps, label="Loading demo") as bar:
        for step in bar:
            step()
    db.session.commit()
    click.echo("Demo loaded. Password for every demo account: " + seed.DEMO_PASSWORD)
