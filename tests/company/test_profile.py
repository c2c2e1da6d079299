"""/company/profile: the company admin edits the name, billing address, tax id and
website; invoices print them."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.checkout import submit
from tests.company.support import company_named
from tests.orders.conftest import checkout_request, storefront

PROFILE = {
    "name": "Bluebird IT Ltd",
    "address_line": "12 Harbour Road",
    "postal_code": "BS1 4RN",
    "city": "Bristol",
    "country": "GB",
    "tax_id": "GB 123 4567 89",
    "website": "bluebird.example",
}


def _save(client, **changes: str):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/company/profile")
    return client.post("/company/profile", data={"csrf_token": token, **PROFILE, **changes})


def test_the_admin_saves_the_profile_and_it_is_audited(app, ctx, bluebird_admin):
    page = bluebird_admin.get("/company/profile")
    assert page.status_code == 200
    assert 'value="Bluebird IT"' in page.get_data(as_text=True)
    assert 'href="/company/users"' in page.get_data(as_text=True)

    answer = _save(bluebird_admin)
    assert answer.status_code == 302
    db.session.expire_all()
    company = company_named("Bluebird IT Ltd")
    assert (company.address_line, company.postal_code, company.city, company.country) == (
        "12 Harbour Road",
        "BS1 4RN",
        "Bristol",
        "GB",
    )
    assert (company.tax_id, company.tax_id_key) == ("GB 123 4567 89", "GB123456789")
    assert company.website == "https://bluebird.example"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "company.profile_changed")
    ).one()
    assert event.company_id == company.id
    assert event.before["name"] == "Bluebird IT"
    assert event.after["tax_id"] == "GB 123 4567 89"


def test_a_tax_id_of_another_company_is_refused(app, ctx, bluebird_admin):
    kirin = company_named("Kirin Systems")
    kirin.set_tax_id("JP-7000012050002")
    db.session.commit()
    answer = _save(bluebird_admin, tax_id="jp 7000012050002")
    assert answer.status_code == 422
    assert "Another company is registered with this tax id" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert company_named("Bluebird IT").tax_id is None


def test_bad_values_name_their_field(app, ctx, bluebird_admin):
    cases = [
        ({"name": ""}, 400, "Enter the company's name."),
        ({"country": "XX"}, 400, "Not a valid choice"),
        ({"website": "not a site"}, 422, "Enter a web address"),
        ({"tax_id": "--"}, 422, "A tax id has letters or digits."),
        ({"city": "x" * 101}, 400, "Field cannot be longer than 100 characters."),
    ]
    for changes, status, message in cases:
        answer = _save(bluebird_admin, **changes)
        assert answer.status_code == status, changes
        assert message in answer.get_data(as_text=True), changes
    db.session.expire_all()
    assert company_named("Bluebird IT").city is None


def test_only_company_admins_open_the_company_area(app, ctx, client_for):
    for email in ("buyer@bluebird.example", "approver@bluebird.example"):
        client = client_for("northwind.localhost")
        assert client.login(email).status_code == 302
        assert client.get("/company/profile").status_code == 403
        assert client.get("/company/users").status_code == 403
    staff = client_for("northwind.localhost")
    assert staff.login("finance@northwind.example").status_code == 302
    assert staff.get("/company/users").status_code == 403
    anonymous = client_for("northwind.localhost").get("/company/users")
    assert anonymous.status_code == 302
    assert client_for("admin.localhost").get("/company/users").status_code == 404


def test_the_invoice_prints_the_company_profile(app, ctx, bluebird_admin):
    assert _save(bluebird_admin).status_code == 302
    for shop in storefront(app, "northwind.localhost", "admin@bluebird.example"):
        order, _created = submit(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())
        invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
        number = invoice.number
    html = bluebird_admin.get(f"/invoices/{number}").get_data(as_text=True)
    assert 'class="bill-to">Bluebird IT Ltd' in html
    assert "12 Harbour Road" in html
    assert "BS1 4RN Bristol" in html
    assert "United Kingdom" in html
    assert "Tax id GB 123 4567 89" in html
