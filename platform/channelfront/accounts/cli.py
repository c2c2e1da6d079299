"""``flask users set-password | deactivate | sign-out EMAIL``: each ends the user's sessions."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from channelfront.accounts import users
from channelfront.accounts.models import User

users_cli = AppGroup("users", help="User accounts and their sessions.")


def _user(email: str) -> User:
    user = users.find_user(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


def _ended(count: int) -> str:
    return f"{count} session ended" if count == 1 else f"{count} sessions ended"


@users_cli.command("set-password")
@click.argument("email")
@click.password_option("--password", prompt="New password")
def set_password_command(email: str, password: str) -> None:
    """Set a new password for EMAIL (asked twice) and end all of its sessions."""
    user = _user(email)
    try:
        ended = users.change_password(user, password)
    except users.PasswordRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(f"Password of {user.email} changed; {_ended(ended)}.")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Stop EMAIL from signing in and end all of its sessions."""
    user = _user(email)
    ended = users.deactivate(user)
    click.echo(f"{user.email} deactivated; {_ended(ended)}.")


@users_cli.command("sign-out")
@click.argument("email")
def sign_out_command(email: str) -> None:
    """End every session of EMAIL, on every host."""
    user = _user(email)
    click.echo(f"{user.email}: {_ended(users.sign_out_everywhere(user))}.")
