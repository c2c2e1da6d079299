"""``flask api-token create EMAIL TENANT_SLUG``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token, token_refusal
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant

api_token_cli = AppGroup("api-token", help="API tokens.")


@api_token_cli.command("create")
@click.argument("email")
@click.argument("tenant_slug")
def create_command(email: str, tenant_slug: str) -> None:
    """Create a bearer token for EMAIL on TENANT_SLUG and print it as the last line."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == tenant_slug.strip().lower()))
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {tenant_slug}")
    refusal = token_refusal(user, tenant)
    if refusal is not None:
        raise click.ClickException(f"no token issued: {refusal}")
    token = issue_token(user, tenant.id)
    db.session.commit()
    click.echo(f"Token for {user.email} on {tenant.slug} (shown once):", err=True)
    click.echo(token)
