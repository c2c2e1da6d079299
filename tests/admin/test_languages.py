"""The console works in every shipped language, forms and error messages included."""

import pytest
from sqlalchemy import select

from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.tenancy.models import Tenant


@pytest.mark.parametrize("code", SHIPPED_LOCALES)
def test_every_console_page_renders_in_each_language(console, submit, rows, code):
    assert submit("/admin/", "/locale", {"locale": code, "next": "/admin/"}).status_code == 302
    sakura = rows(select(Tenant.id).where(Tenant.slug == "sakura"))[0][0]
    for path in [
        "/admin/",
        "/admin/tenants/new",
        f"/admin/tenants/{sakura}",
        "/admin/companies",
        "/admin/companies/1",
        "/admin/products",
        "/admin/products/new",
        "/admin/programs",
    ]:
        response = console.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{code}"' in response.get_data(as_text=True)
    refused = submit("/admin/products/new", data={"sku": "X", "price_usd": "1.234"})
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.get_data(as_text=True)
