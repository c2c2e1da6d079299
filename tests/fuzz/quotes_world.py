"""What the quotes fuzzer needs: the tokens of a reseller's buyer and of the storefront's
partner manager, and quotes with special price requests waiting for a decision, made
through the API as a client would make them."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.api.openapi_quotes import EXAMPLE_QUOTE, EXAMPLE_SPECIAL_PRICE
from channelfront.api.tokens import issue_token
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant

NORTHWIND = "northwind.localhost"
BUYER = "buyer@bluebird.example"
MANAGER = "partners@northwind.example"


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def tokens(slug: str = "northwind") -> dict[str, str]:
    """A bearer token each for Bluebird's buyer and Northwind's partner manager (committed
    into the test's rolled-back transaction)."""
    site = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one().id
    issued = {email: issue_token(_user(email), site) for email in (BUYER, MANAGER)}
    db.session.commit()
    return issued


def send(app: Flask, method: str, path: str, token: str, **kw: Any) -> Any:
    """One API request on Northwind with the token."""
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    return app.test_client().open(
        f"/api/v1{path}", method=method, base_url=f"http://{NORTHWIND}", headers=headers, **kw
    )


def quotes_waiting(app: Flask, buyer_token: str, count: int = 3) -> dict[str, list[Any]]:
    """``count`` quotes of the document's example, each with the example's special price
    request waiting for a partner manager (no rule approves it at once). The first quote
    is NW-Q-000001, the document's example number. Answers the numbers and request ids."""
    numbers, requests = [], []
    for _ in range(count):
        created = send(app, "POST", "/quotes", buyer_token, json=EXAMPLE_QUOTE)
        assert created.status_code == 201, created.get_json()
        number = created.get_json()["number"]
        asked = send(
            app, "POST", f"/quotes/{number}/special-prices", buyer_token, json=EXAMPLE_SPECIAL_PRICE
        )
        assert asked.status_code == 201, asked.get_json()
        assert asked.get_json()["status"] == "pending", asked.get_json()
        numbers.append(number)
        requests.append(asked.get_json()["id"])
    assert numbers[0] == "NW-Q-000001"
    return {"number": numbers, "special_price_id": requests}
