"""The header follows the role: every link it shows opens (no 403, no 404), distributor
staff land on a home page of their own work, and a cart badge counts the cart's lines."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from channelfront.accounts.models import User
from channelfront.accounts.passwords import hash_password
from channelfront.catalog.models import Product
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.orders.models import Cart, CartLine
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope

NAV = re.compile(r'<details class="nav-menu">.*?</details>', re.S)
LINK = re.compile(r'<a href="([^"]+)"')

ROLES = [
    ("northwind.localhost", "buyer@bluebird.example"),
    ("northwind.localhost", "approver@bluebird.example"),
    ("northwind.localhost", "admin@bluebird.example"),
    ("northwind.localhost", "viewer@bluebird.example"),
    ("northwind.localhost", "finance@northwind.example"),
    ("northwind.localhost", "admin@northwind.example"),
    ("northwind.localhost", "partners@northwind.example"),
    ("sakura.localhost", "buyer@kirin.example"),
    ("alpenhandel.localhost", "admin@alpenhandel.example"),
    ("admin.localhost", "admin@nimbus.example"),
]


@pytest.fixture
def viewer(ctx) -> User:  # type: ignore[no-untyped-def]
    """A read-only user of Bluebird IT (the demo has none)."""
    buyer = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
    user = User(
        email="viewer@bluebird.example",
        name="Vera Viewer",
        password_hash=hash_password(DEMO_PASSWORD),
        kind="reseller",
        role="viewer",
        company_id=buyer.company_id,
    )
    db.session.add(user)
    db.session.commit()
    return user


def links_of(page: str) -> list[str]:
    """Every link of the header and of the home page's own content (staff queues, tiles)."""
    return sorted(set(LINK.findall(page.split("<footer")[0])))


@pytest.mark.parametrize(("host", "email"), ROLES, ids=[email for _, email in ROLES])
def test_every_link_on_the_home_page_opens_for_the_role(client_for, viewer, host, email):
    client = client_for(host)
    assert client.login(email).status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    links = links_of(home.get_data(as_text=True))
    assert links, "the header shows no link"
    for href in links:
        answer = client.get(href)
        assert answer.status_code in (200, 302), f"{email}: {href} answers {answer.status_code}"
        if answer.status_code == 302:
            assert "/login" not in answer.headers["Location"], f"{email}: {href} asks to sign in"


def test_distributor_staff_land_on_their_work(client_for):
    finance = client_for("northwind.localhost")
    assert finance.login("finance@northwind.example").headers["Location"] == "/"
    page = finance.get("/").get_data(as_text=True)
    assert '<a href="/" class="brand-link">' in page
    assert "Your work at Northwind Distribution" in page
    assert "Open invoices" in page
    assert "/catalog" not in page.split("</header>")[0]
    # Invoices are finance work; applications and deals belong to partner managers.
    assert "Partner applications waiting" not in page

    manager = client_for("northwind.localhost")
    manager.login("partners@northwind.example")
    page = manager.get("/").get_data(as_text=True)
    assert "Partner applications waiting" in page
    assert "Deal registrations waiting" in page
    assert "Open invoices" not in page


def test_a_buyer_still_gets_the_catalog_home(bluebird_buyer):
    page = bluebird_buyer.get("/").get_data(as_text=True)
    assert "Browse by category" in page
    assert 'href="/catalog"' in page.split("</header>")[0]


def badge(page: str) -> int:
    match = re.search(r'class="cart-badge" aria-hidden="true">(\d+)<', page)
    assert match, "no cart badge"
    return int(match.group(1))


def test_the_cart_badge_counts_the_lines_in_one_query(app, ctx, bluebird_buyer):
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    buyer = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
    assert badge(bluebird_buyer.get("/orders").get_data(as_text=True)) == 0

    with tenant_scope(tenant.id):
        products = db.session.scalars(select(Product).limit(3)).all()
        cart = Cart(user_id=buyer.id)
        db.session.add(cart)
        db.session.flush()
        for product in products:
            db.session.add(CartLine(cart_id=cart.id, product_id=product.id, quantity=5))
        db.session.commit()

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = bluebird_buyer.get("/orders").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert badge(page) == 3
    assert "3 items" in page
    cart_queries = [s for s in statements if "cart_line" in s]
    assert len(cart_queries) == 1, cart_queries


def test_staff_and_the_console_show_no_cart_badge(client_for):
    staff = client_for("northwind.localhost")
    staff.login("admin@northwind.example")
    assert "cart-badge" not in staff.get("/").get_data(as_text=True)
    console = client_for("admin.localhost")
    console.login("admin@nimbus.example")
    assert "cart-badge" not in console.get("/admin/").get_data(as_text=True)
