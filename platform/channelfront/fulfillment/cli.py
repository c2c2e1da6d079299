"""``flask licenses verify KEY``: check a license key offline; ``flask licenses keys``:
the ids of the signing keys this deployment knows."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from channelfront.fulfillment import revocation
from channelfront.fulfillment.licenses import key_id_of, verify_key
from channelfront.fulfillment.signing import signing_keys

licenses_cli = AppGroup("licenses", help="License keys.")


@licenses_cli.command("verify")
@click.argument("key")
def verify_command(key: str) -> None:
    """Exit 0 and print the claims for a genuine KEY; exit 1 for a forged or altered one,
    or for one revoked because its order was refunded."""
    keys = signing_keys(current_app.config)
    claims = verify_key(keys, key)
    if claims is None:
        click.echo(
            "INVALID: this key was not issued by this platform or has been altered.", err=True
        )
        kid = key_id_of(key)
        if kid and not keys.named(kid):
            # After a rotation that dropped a key too early: say which key it names.
            click.echo(
                f"It names signing key {kid}, which is neither LICENSE_SIGNING_KEY nor"
                " in LICENSE_SIGNING_KEYS_OLD.",
                err=True,
            )
        raise SystemExit(1)
    try:
        issued = revocation.find(key)
    except SQLAlchemyError as exc:
        # The signature alone still proves the key genuine; say what could not be checked.
        click.echo(f"WARNING: could not check whether the key was revoked: {exc}", err=True)
        issued = None
    if issued is not None and issued.revoked_at is not None:
        click.echo(
            f"REVOKED: {claims.sku}, {claims.seats} seat(s), order line {claims.order_line_id}"
            f": its order was refunded on {issued.revoked_at:%Y-%m-%d}.",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"VALID: {claims.sku}, {claims.seats} seat(s), order line {claims.order_line_id}")


@licenses_cli.command("keys")
def keys_command() -> None:
    """Print the id of the current signing key and of each retired one still verifying."""
    keys = signing_keys(current_app.config)
    click.echo(f"current {keys.current.kid}")
    for old in keys.old:
        click.echo(f"old {old.kid}")
