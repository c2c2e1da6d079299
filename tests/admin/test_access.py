"""Only vendor staff reach the console, and only on the admin host."""

import pytest

CONSOLE_PAGES = [
    "/admin/",
    "/admin/companies",
    "/admin/products",
    "/admin/programs",
    "/admin/tenants/new",
]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(admin_host, path):
    response = admin_host.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_anonymous_post_is_sent_to_sign_in_and_writes_nothing(admin_host, rows):
    from sqlalchemy import select

    from channelfront.accounts.models import Company

    token = admin_host.csrf_token("/login")
    response = admin_host.post("/admin/companies", data={"name": "Sneaky Ltd", "csrf_token": token})
    assert response.status_code == 302
    assert rows(select(Company.id).where(Company.name == "Sneaky Ltd")) == []


@pytest.mark.parametrize("email", ["buyer@bluebird.example", "finance@northwind.example"])
def test_partner_and_distributor_staff_cannot_sign_in_on_the_admin_host(admin_host, email):
    response = admin_host.login(email)
    assert response.status_code == 403
    assert "cannot sign in" in response.get_data(as_text=True)
    assert admin_host.get("/admin/").status_code == 302


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_does_not_exist_on_a_storefront_host(northwind, path):
    assert northwind.get(path).status_code == 404


def test_console_is_404_for_a_signed_in_reseller_on_a_storefront(bluebird_buyer):
    assert bluebird_buyer.get("/admin/").status_code == 404
    assert bluebird_buyer.get("/admin/companies").status_code == 404


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_vendor_admin_sees_every_console_page(console, path):
    response = console.get(path)
    assert response.status_code == 200
    assert 'href="/admin/programs"' in response.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(console, rows):
    from sqlalchemy import select

    from channelfront.accounts.models import Company

    response = console.post("/admin/companies", data={"name": "No Token Ltd"})
    assert response.status_code == 400
    assert rows(select(Company.id).where(Company.name == "No Token Ltd")) == []
