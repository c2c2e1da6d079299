"""``flask outbox drain``: deliver every pending message now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from channelfront.outbox.services import pending_ids
from channelfront.outbox.tasks import deliver

outbox_cli = AppGroup("outbox", help="Transactional outbox.")


@outbox_cli.command("drain")
def drain_command() -> None:
    """Handle every pending outbox message in this process."""
    ids = pending_ids()
    with click.progressbar(ids, label="Outbox messages") as bar:
        for message_id in bar:
            deliver.run(message_id)
    click.echo(f"{len(ids)} message(s) handled.")
