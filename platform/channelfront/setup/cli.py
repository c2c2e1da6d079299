"""``flask setup``: create the vendor and its first administrator (safe to run again)."""

from __future__ import annotations

import os

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from channelfront.accounts.password_policy import password_problem
from channelfront.extensions import db
from channelfront.setup.services import SetupPlan, SetupRefused, SetupRequest, apply, plan

PASSWORD_ENV = "CHANNELFRONT_ADMIN_PASSWORD"  # noqa: S105  (a variable's name)


def _prompted_password(email: str) -> str:
    def check(value: str) -> str:
        problem = password_problem(value, email)
        if problem is not None:
            raise click.BadParameter(problem)  # click asks again
        return value

    return str(
        click.prompt(
            f"Password for {email}",
            hide_input=True,
            confirmation_prompt=True,
            value_proc=check,
        )
    )


def _plan(request: SetupRequest) -> SetupPlan:
    try:
        return plan(request)
    except (OperationalError, ProgrammingError) as exc:
        db.session.rollback()
        raise click.ClickException(
            "the database has no tables yet: run `flask db upgrade` first"
        ) from exc


@click.command("setup")
@click.option("--vendor-name", required=True, help="The vendor's name, e.g. 'Nimbus Software'.")
@click.option("--vendor-slug", required=True, help="Its short name: lowercase letters, digits, -.")
@click.option("--admin-email", required=True, help="The first vendor administrator's e-mail.")
@click.option("--admin-name", required=True, help="The administrator's name.")
def setup_command(vendor_name: str, vendor_slug: str, admin_email: str, admin_name: str) -> None:
    """Create the vendor and its first administrator on an empty database.

    The password is asked for (twice), or read from CHANNELFRONT_ADMIN_PASSWORD.
    Running it again with the same vendor and administrator changes nothing.
    """
    request = SetupRequest(vendor_slug.strip(), vendor_name, admin_email, admin_name)
    try:
        checked = _plan(request)
        if checked.vendor is not None and checked.admin is not None:
            click.echo(
                f"Already set up: vendor {checked.vendor.slug} ({checked.vendor.name}) and "
                f"vendor admin {checked.admin.email}. Nothing changed."
            )
            return
        password = None
        if checked.needs_password:
            password = os.environ.get(PASSWORD_ENV) or _prompted_password(checked.email)
        result = apply(checked, password)
        db.session.commit()
    except SetupRefused as refusal:
        db.session.rollback()
        message = f"{refusal.field}: {refusal.message.rstrip('.')}. Nothing was written."
        raise click.ClickException(message) from refusal
    vendor, admin = result.vendor, result.admin
    made = "created" if result.vendor_created else "already there"
    click.echo(f"Vendor {vendor.slug} ({vendor.name}): {made}.")
    made = "created" if result.admin_created else "already there"
    click.echo(f"Vendor admin {admin.email}: {made}; sign in on the console host.")
