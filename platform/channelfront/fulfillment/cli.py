"""``flask licenses verify KEY``: check a license key offline."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from channelfront.fulfillment.licenses import signing_key, verify_key

licenses_cli = AppGroup("licenses", help="License keys.")


@licenses_cli.command("verify")
@click.argument("key")
def verify_command(key: str) -> None:
    """Exit 0 and print the claims for a genuine KEY; exit 1 for a forged or altered one."""
    claims = verify_key(signing_key(current_app.config), key)
    if claims is None:
        click.echo(
            "INVALID: this key was not issued by this platform or has been altered.", err=True
        )
        raise SystemExit(1)
    click.echo(f"VALID: {claims.sku}, {claims.seats} seat(s), order line {claims.order_line_id}")
