"""``flask catalog import FILE``: categories, products, texts and list prices from a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from channelfront.extensions import db
from channelfront.setup import catalog_file
from channelfront.setup.catalog_import import Written, check, write

catalog_cli = AppGroup("catalog", help="The vendor's catalog.")
MAX_ERRORS_SHOWN = 200


@catalog_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what it would do.")
def import_command(file: Path, dry_run: bool) -> None:
    """Create or update categories, products, texts and list prices from FILE (.csv or
    .json; see docs/examples/). Any error writes nothing."""
    with db.session.no_autoflush:
        plan = check(catalog_file.read(file))
    if plan.errors:
        db.session.rollback()
        for error in plan.errors[:MAX_ERRORS_SHOWN]:
            click.echo(str(error), err=True)
        if len(plan.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"... and {len(plan.errors) - MAX_ERRORS_SHOWN} more.", err=True)
        count = len(plan.errors)
        raise click.ClickException(
            f"{file.name}: {count} error{'s' if count != 1 else ''}; nothing was written."
        )
    updated = len(plan.products) - plan.new_products
    summary = (
        f"{plan.new_categories} new categories, {plan.new_products} new products, "
        f"{updated} products updated"
    )
    if dry_run:
        db.session.rollback()
        click.echo(f"{file.name} is valid: it would make {summary}. Nothing was written.")
        return
    written = Written()
    try:
        with click.progressbar(
            write(plan, written), length=len(plan.products), label="Products"
        ) as bar:
            for _sku in bar:
                pass
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(
        f"{file.name}: {written.categories_created} new categories, "
        f"{written.products_created} new products, {written.products_updated} updated, "
        f"{written.prices_set} list prices set."
    )
