"""Following invitation mail in the staff tests."""

from __future__ import annotations

import re

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.extensions import db

LINK = re.compile(r"https?://\S+/invitations/\S+")
PASSWORD = "lantern-violet-47"


def invitation_link(inbox, email: str) -> str:  # type: ignore[no-untyped-def]
    [mail] = inbox.to(email)
    match = LINK.search(mail.get_content())
    assert match, mail.get_content()
    return match.group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def accept(client, link: str, name: str = "Casey Staff"):  # type: ignore[no-untyped-def]
    """Follow the link on ``client``'s host: set a name and password."""
    token = client.csrf_token(path_of(link))
    data = {"name": name, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
    return client.post(path_of(link), data=data)


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def post(client, path: str, page: str, **data: str):  # type: ignore[no-untyped-def]
    """Submit a form of ``page`` to ``path`` with that page's CSRF token."""
    return client.post(path, data={"csrf_token": client.csrf_token(page), **data})
