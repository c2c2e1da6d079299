"""``flask incentives ...``: the simulator and period close from the command line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

import incentives
from channelfront.statements import close

incentives_cli = AppGroup("incentives", help="Incentive programs, simulator and statements.")


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@incentives_cli.command("simulate")
@click.argument("input_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-of", required=True, callback=_as_of, help="Statements as known on this date.")
def simulate_command(input_file: Path, as_of: date) -> None:
    """Run INPUT_FILE (the simulation contract's document) and print the statements."""
    try:
        document = json.loads(input_file.read_text(encoding="utf-8"))
    except OSError as error:
        raise click.ClickException(f"{input_file}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{input_file}: not a JSON document ({error})") from None
    try:
        result = incentives.simulate(document, as_of)
    except incentives.InputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


def _now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@incentives_cli.command("close")
@click.option(
    "--now",
    callback=_now,
    help="Close as if it were this instant (ISO 8601; UTC unless an offset is given).",
)
def close_command(now: datetime) -> None:
    """Close every statement period whose grace days have passed (safe to run twice)."""
    plan = close.due(now)
    closed = 0
    with click.progressbar(plan, label="Closing periods", show_pos=True) as bar:
        for item in bar:
            closed += close.close_one(item, now)
    click.echo(f"{closed} period(s) closed, {len(plan) - closed} already closed.")
