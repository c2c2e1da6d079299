"""``flask deals expire``: expire deals past their protection or expected close."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from channelfront.deals import expiry, services

deals_cli = AppGroup("deals", help="Deal registrations.")


def _today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return services.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@deals_cli.command("expire")
@click.option("--today", callback=_today, help="Run as if it were this day (YYYY-MM-DD, UTC).")
def expire_command(today: date) -> None:
    """Expire approved deals past their protection and pending ones past their close date."""
    click.echo(f"{expiry.expire_due(today)} deal(s) expired.")
