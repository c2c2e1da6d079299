"""``flask approvals expire``: escalate or reject the steps past their due time now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from channelfront.approvals.expiry import expire_due

approvals_cli = AppGroup("approvals", help="Approval chains.")


@approvals_cli.command("expire")
def expire_command() -> None:
    """Escalate or reject every open approval step past its due time."""
    moved = expire_due()
    click.echo(f"{moved} approval step(s) expired.")
