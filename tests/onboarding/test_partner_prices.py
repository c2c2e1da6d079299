"""Partner prices in the console: add, remove, and a CSV import checked whole."""

from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.catalog.models import Product
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, PartnerPrice
from channelfront.tenancy.models import Tenant


def _facts(rows):
    tid = rows(select(Tenant.id).where(Tenant.slug == "northwind"))[0][0]
    company = rows(
        select(Company.id, Company.name)
        .join(Enrollment, Enrollment.company_id == Company.id)
        .where(Enrollment.tenant_id == tid)
        .order_by(Company.id)
    )[0]
    skus = [r[0] for r in rows(select(Product.sku).order_by(Product.sku).limit(2))]
    return tid, company, skus


def _prices(rows, tid):
    return sorted(
        rows(
            select(PartnerPrice.company_id, Product.sku, PartnerPrice.discount_bps)
            .join(Product, Product.id == PartnerPrice.product_id)
            .where(PartnerPrice.tenant_id == tid)
        )
    )


def test_add_and_remove_a_partner_price(post, console, rows, text_of):
    tid, (cid, name), (sku, _other) = _facts(rows)
    page = f"/admin/tenants/{tid}/partner-prices"
    before = _prices(rows, tid)
    response = post(page, data={"company": name, "sku": sku, "discount_percent": "12.5"})
    assert response.status_code == 302, text_of(response)
    after = _prices(rows, tid)
    assert (cid, sku, 1250) in after
    price_id = rows(
        select(PartnerPrice.id).where(
            PartnerPrice.tenant_id == tid,
            PartnerPrice.company_id == cid,
            PartnerPrice.product_id
            == select(Product.id).where(Product.sku == sku).scalar_subquery(),
        )
    )[0][0]
    assert f"{name}" in text_of(console.get(page))
    removed = post(page, f"{page}/{price_id}/delete")
    assert removed.status_code == 302
    assert (cid, sku, 1250) not in _prices(rows, tid)
    assert len(_prices(rows, tid)) == len(before) - any(p[:2] == (cid, sku) for p in before)


def test_bad_partner_price_names_each_field(post, rows, text_of):
    tid, _company, _skus = _facts(rows)
    page = f"/admin/tenants/{tid}/partner-prices"
    response = post(page, data={"company": "Nobody Ltd", "sku": "NOPE", "discount_percent": "120"})
    assert response.status_code == 400
    text = text_of(response)
    assert "is not a company enrolled with" in text
    assert "no product with SKU" in text
    assert "between 0 and 100 percent" in text


def test_partner_price_csv_is_written_whole_or_not_at_all(post, rows, text_of):
    tid, (cid, name), (a, b) = _facts(rows)
    page = f"/admin/tenants/{tid}/partner-prices"
    before = _prices(rows, tid)
    bad = f"company,sku,discount_percent\n{name},{a},10\nNobody,{b},5\n{cid},{a},7\n"
    response = post(page, f"{page}/import", data={"content": bad})
    assert response.status_code == 400
    text = text_of(response)
    assert "Row 3, company" in text
    assert "Row 4, sku" in text
    assert _prices(rows, tid) == before
    good = f"company,sku,discount_percent\n{name},{a},10\n{cid},{b},7.5\n"
    response = post(page, f"{page}/import", data={"content": good})
    assert response.status_code == 302, text_of(response)
    after = _prices(rows, tid)
    assert (cid, a, 1000) in after
    assert (cid, b, 750) in after


def test_vendor_operations_read_but_cannot_change_partner_prices(ctx, client_for, rows):
    tid, (_cid, name), (a, _b) = _facts(rows)
    admin_hash = select(User.password_hash).where(User.email == "admin@nimbus.example")
    db.session.add(
        User(
            email="ops@nimbus.example",
            name="Ops",
            password_hash=db.session.scalar(admin_hash),
            kind="vendor",
            role="vendor_ops",
        )
    )
    db.session.commit()
    ops = client_for("admin.localhost")
    assert ops.login("ops@nimbus.example").status_code == 302
    page = f"/admin/tenants/{tid}/partner-prices"
    assert ops.get(page).status_code == 200
    token = ops.csrf_token(page)
    response = ops.post(
        page, data={"company": name, "sku": a, "discount_percent": "1", "csrf_token": token}
    )
    assert response.status_code == 403
    assert ops.get("/admin/onboarding").status_code == 403


def test_the_wizard_does_not_exist_on_a_tenant_host(northwind):
    assert northwind.get("/admin/onboarding").status_code == 404


def test_an_unknown_tenant_or_step_is_404(console):
    assert console.get("/admin/onboarding/999999/hosts").status_code == 404
    assert console.get("/admin/tenants/999999/partner-prices").status_code == 404
