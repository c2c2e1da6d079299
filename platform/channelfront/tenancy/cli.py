"""``flask tenants sync``: upsert the tenant manifests into the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from channelfront.extensions import db
from channelfront.tenancy.manifests import ManifestError, sync

tenants_cli = AppGroup("tenants", help="Tenant manifests.")


@tenants_cli.command("sync")
def sync_command() -> None:
    """Create or update tenants from TENANTS_DIR/*/tenant.toml (safe to run twice).

    The demo's tenants are not there: `flask demo load` syncs them.
    """
    try:
        tenants = sync(current_app.config["TENANTS_DIR"], current_app.config["THEMES_DIR"])
        db.session.commit()
    except ManifestError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    with click.progressbar(tenants, label="Tenants") as bar:
        for tenant in bar:
            click.echo(f"  {tenant.slug}: {', '.join(h.host for h in tenant.hosts)}", err=True)
