"""Onboarding and editing tenants, and what their storefront hosts answer afterwards."""

import pytest
from sqlalchemy import select

from channelfront.tenancy.models import Tenant, TenantHost

NEW = "/admin/tenants/new"


def onboarding(**overrides):
    data = {
        "slug": "globex",
        "name": "Globex Distribution",
        "status": "draft",
        "currency": "GBP",
        "hosts": "globex.localhost\nshop.globex.example",
        "theme": "harbor",
        "locales": ["en", "fr"],
        "default_locale": "fr",
        "primary_color": "#123456",
        "accent_color": "",
    }
    data.update(overrides)
    return data


def tenant_id(rows, slug):
    return rows(select(Tenant.id).where(Tenant.slug == slug))[0][0]


def edit_data(**overrides):
    data = {
        "name": "Northwind Distribution",
        "status": "live",
        "hosts": "northwind.localhost\nshop.northwind.example",
        "theme": "harbor",
        "locales": ["en", "es"],
        "default_locale": "en",
        "primary_color": "#0b4f6c",
        "accent_color": "#f2a541",
    }
    data.update(overrides)
    return data


def test_tenant_list_shows_hosts_status_theme_locales_and_currency(console):
    page = console.get("/admin/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    row = html.split('data-tenant="alpenhandel"')[1].split("</tr>")[0]
    assert "alpenhandel.localhost" in row
    assert "Live" in row
    assert "alpine" in row
    assert "de, en, fr" in row
    assert "EUR" in row


def test_onboarded_tenant_is_listed_and_its_new_host_serves_its_storefront(
    text_of, console, submit, client_for, rows
):
    shopper = client_for("globex.localhost")
    assert shopper.get("/").status_code == 404  # the host map has no such host yet

    response = submit(NEW, data=onboarding())
    assert response.status_code == 302, text_of(response)

    listing = console.get("/admin/").get_data(as_text=True)
    assert "Globex Distribution" in listing
    assert "Tenant Globex Distribution is onboarded." in listing
    assert shopper.get("/").status_code == 404  # a draft until its checklist passes
    globex = f"/admin/onboarding/{tenant_id(rows, 'globex')}"
    for check in ("prices", "program", "staff", "contrast"):
        waived = submit(f"{globex}/checklist", f"{globex}/waive", {"check": check, "reason": "x"})
        assert waived.status_code in (302, 303), text_of(waived)
    assert submit(f"{globex}/checklist", f"{globex}/live", {}).status_code in (302, 303)
    stored = rows(
        select(
            Tenant.name,
            Tenant.status,
            Tenant.theme,
            Tenant.currency,
            Tenant.default_locale,
            Tenant.locales_csv,
            Tenant.primary_color,
            Tenant.accent_color,
        ).where(Tenant.slug == "globex")
    )
    assert stored == [
        ("Globex Distribution", "live", "harbor", "GBP", "fr", "en,fr", "#123456", None)
    ]
    hosts = rows(
        select(TenantHost.host, TenantHost.is_primary)
        .join(Tenant)
        .where(Tenant.slug == "globex")
        .order_by(TenantHost.host)
    )
    assert hosts == [("globex.localhost", True), ("shop.globex.example", False)]

    home = shopper.get("/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert "Globex Distribution" in page
    assert '<html lang="fr"' in page
    assert 'data-theme="harbor"' in page
    assert client_for("shop.globex.example").get("/").status_code == 200


def test_onboarded_draft_tenant_is_not_served_yet(submit, client_for):
    response = submit(NEW, data=onboarding(status="draft"))
    assert response.status_code == 302
    assert client_for("globex.localhost").get("/").status_code == 404


def test_host_names_are_normalized(text_of, submit, rows):
    response = submit(NEW, data=onboarding(hosts="Globex.LocalHost:5000, bücher.example"))
    assert response.status_code == 302, text_of(response)
    hosts = rows(select(TenantHost.host).join(Tenant).where(Tenant.slug == "globex"))
    assert sorted(h for (h,) in hosts) == ["globex.localhost", "xn--bcher-kva.example"]


def test_suspending_a_tenant_makes_its_storefront_answer_503_at_once(
    console, submit, northwind, rows
):
    assert northwind.get("/").status_code == 200  # the live tenant is in the host map now
    edit = f"/admin/tenants/{tenant_id(rows, 'northwind')}"

    response = submit(edit, data=edit_data(status="suspended"))
    assert response.status_code == 302

    suspended = northwind.get("/")
    assert suspended.status_code == 503
    assert "Northwind" not in suspended.get_data(as_text=True)
    assert 'data-status="suspended"' in console.get("/admin/").get_data(as_text=True)

    assert submit(edit, data=edit_data(status="live")).status_code == 302
    assert northwind.get("/").status_code == 200


def test_editing_name_theme_locales_hosts_and_colours(text_of, submit, client_for, rows):
    edit = f"/admin/tenants/{tenant_id(rows, 'northwind')}"
    response = submit(
        edit,
        data=edit_data(
            name="Northwind Europe",
            theme="alpine",
            locales=["de", "en"],
            default_locale="de",
            hosts="nw.localhost\nnorthwind.localhost",
            primary_color="#aa0000",
            accent_color="",
        ),
    )
    assert response.status_code == 302, text_of(response)

    page = client_for("nw.localhost").get("/").get_data(as_text=True)
    assert "Northwind Europe" in page
    assert 'data-theme="alpine"' in page
    assert '<html lang="de"' in page
    assert "--primary: #aa0000" in page
    assert client_for("northwind.localhost").get("/").status_code == 200
    # The host dropped from the list no longer reaches the tenant.
    assert client_for("shop.northwind.example").get("/").status_code == 404
    hosts = rows(
        select(TenantHost.host, TenantHost.is_primary)
        .join(Tenant)
        .where(Tenant.slug == "northwind")
    )
    assert sorted(hosts) == [("northwind.localhost", False), ("nw.localhost", True)]


def test_edit_form_shows_the_current_settings(console, rows):
    page = console.get(f"/admin/tenants/{tenant_id(rows, 'sakura')}").get_data(as_text=True)
    assert "Edit Sakura Trading" in page
    assert "sakura.localhost" in page
    assert '<option selected value="sakura">Sakura</option>' in page
    assert "JPY" in page


def test_unknown_tenant_is_404(console):
    assert console.get("/admin/tenants/999999").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": ""}, "Slug", "Enter a slug."),
        ({"slug": "Globex Corp"}, "Slug", "lowercase letters"),
        ({"slug": "northwind"}, "Slug", "already exists"),
        ({"name": "   "}, "Name", "Enter the tenant's name."),
        ({"name": "x" * 121}, "Name", "120"),
        ({"hosts": ""}, "Host names", "Enter at least one host name."),
        ({"hosts": "bad host!"}, "Host names", "is not a host name"),
        ({"hosts": "admin.localhost"}, "Host names", "vendor console"),
        ({"theme": "nope"}, "Theme", "Not a valid choice"),
        ({"locales": []}, "Offered languages", "Offer at least one"),
        ({"locales": ["en", "xx"]}, "Offered languages", "not a valid choice"),
        ({"default_locale": "ja"}, "Default language", "one of the offered languages"),
        ({"currency": "BTC"}, "Currency", "Not a valid choice"),
        ({"status": "closed"}, "Status", "Not a valid choice"),
        ({"primary_color": "red"}, "Primary colour", "#rrggbb"),
        ({"accent_color": "#12345g"}, "Accent colour", "#rrggbb"),
    ],
)
def test_bad_onboarding_input_is_refused_naming_the_field(
    text_of, submit, rows, overrides, field, message
):
    response = submit(NEW, data=onboarding(**overrides))
    assert response.status_code == 400
    text = text_of(response)
    assert f"{field}:" in text
    assert message.lower() in text.lower()
    assert rows(select(Tenant.id).where(Tenant.name == onboarding(**overrides)["name"])) == []
    assert rows(select(TenantHost.id).where(TenantHost.host == "globex.localhost")) == []


def test_a_host_of_another_tenant_is_refused_with_a_clear_message(
    text_of, submit, rows, client_for
):
    response = submit(NEW, data=onboarding(hosts="globex.localhost\nNorthwind.localhost"))
    assert response.status_code == 400
    assert "Host names: northwind.localhost is already used by tenant Northwind Distribution." in (
        text_of(response)
    )
    assert rows(select(Tenant.id).where(Tenant.slug == "globex")) == []
    assert rows(select(TenantHost.id).where(TenantHost.host == "globex.localhost")) == []
    assert "Northwind Distribution" in client_for("northwind.localhost").get("/").get_data(
        as_text=True
    )


def test_editing_hosts_to_one_of_another_tenant_changes_nothing(text_of, submit, rows, client_for):
    edit = f"/admin/tenants/{tenant_id(rows, 'sakura')}"
    response = submit(
        edit,
        data={
            "name": "Sakura Renamed",
            "status": "suspended",
            "hosts": "sakura.localhost\nalpenhandel.localhost",
            "theme": "sakura",
            "locales": ["ja", "en"],
            "default_locale": "ja",
        },
    )
    assert response.status_code == 400
    assert "alpenhandel.localhost is already used by tenant Alpenhandel GmbH" in text_of(response)
    assert rows(select(Tenant.name, Tenant.status).where(Tenant.slug == "sakura")) == [
        ("Sakura Trading", "live")
    ]
    assert client_for("sakura.localhost").get("/").status_code == 200


def test_every_bad_field_is_reported_at_once(text_of, submit):
    response = submit(NEW, data=onboarding(slug="A", primary_color="blue", default_locale="ja"))
    assert response.status_code == 400
    text = text_of(response)
    assert "Slug:" in text
    assert "Primary colour:" in text
    assert "Default language:" in text
