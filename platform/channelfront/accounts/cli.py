"""``flask users set-password | deactivate | sign-out EMAIL`` (each ends the user's
sessions) and ``flask users invite-vendor-admin EMAIL`` (the first person in)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from channelfront.accounts import users
from channelfront.accounts.invitations import InvitationRefused, Invitee, invite_with_link
from channelfront.accounts.models import User, UserKind
from channelfront.outbox.services import commit_and_dispatch

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


@users_cli.command("invite-vendor-admin")
@click.argument("email")
@click.option("--name", default="", help="The person's name (they can change it).")
@click.option("--scheme", default="https", show_default=True, help="http for a local console.")
def invite_vendor_admin_command(email: str, name: str, scheme: str) -> None:
    """Invite EMAIL as a vendor admin (the first one of a new installation): mails the
    invitation link and prints it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    host = app.config["ADMIN_HOST"]
    with app.test_request_context(base_url=f"{scheme}://{host}"):
        invitee = Invitee(email, name, UserKind.VENDOR, "vendor_admin", link_tenant_id=None)
        try:
            user, link = invite_with_link(invitee, None)
        except InvitationRefused as refusal:
            raise click.ClickException(refusal.message) from refusal
        commit_and_dispatch()
    days = app.config.get("INVITATION_DAYS", 7)
    click.echo(f"{user.email} is invited as vendor admin (mailed; the link works for {days} days):")
    click.echo(link)
