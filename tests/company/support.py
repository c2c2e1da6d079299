"""What the company area's tests share: users by e-mail, posting forms, links from mail."""

from __future__ import annotations

import re

from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.extensions import db
from tests.conftest import HostClient

LINK = re.compile(r"https?://\S+/invitations/\S+")
PASSWORD = "lantern-violet-47"


def user_named(email: str) -> User:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.email == email)).one()


def company_named(name: str) -> Company:
    return db.session.scalars(select(Company).where(Company.name == name)).one()


def post(client: HostClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/company/users")
    return client.post(path, data={"csrf_token": token, **data})


def invitation_link(inbox, email: str) -> str:  # type: ignore[no-untyped-def]
    mail = inbox.to(email)[-1]
    match = LINK.search(mail.get_content())
    assert match, mail.get_content()
    return match.group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def accept(client: HostClient, link: str, name: str = "Casey Colleague"):  # type: ignore[no-untyped-def]
    token = client.csrf_token(path_of(link))
    data = {"name": name, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
    return client.post(path_of(link), data=data)
