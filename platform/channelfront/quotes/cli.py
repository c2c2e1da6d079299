"""``flask quotes expire``: expire the quotes past their validity and send the reminders."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from channelfront.quotes import expiry, services

quotes_cli = AppGroup("quotes", help="Quotes to end customers.")


def _today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return services.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@quotes_cli.command("expire")
@click.option("--today", callback=_today, help="Run as if it were this day (YYYY-MM-DD, UTC).")
def expire_command(today: date) -> None:
    """Expire quotes past their validity date and remind buyers (safe to run twice)."""
    plan = expiry.due(today)
    expired = reminded = 0
    with click.progressbar(plan, label="Quotes", show_pos=True) as bar:
        for item in bar:
            if expiry.handle(item, today):
                expired += item.expires
                reminded += not item.expires
    click.echo(f"{expired} quote(s) expired, {reminded} reminder(s) sent.")
