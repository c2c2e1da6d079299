"""Console pages about one tenant keep the console's header and footer: the tenant a page
edits is not the request's storefront tenant, so its logo and partner mark never show there."""

import re

import pytest
from sqlalchemy import select

from channelfront.pricing.models import Program
from channelfront.tenancy.models import Tenant


def _paths(rows) -> dict[str, str]:
    tenant = rows(select(Tenant.id).where(Tenant.slug == "northwind"))[0][0]
    program = rows(select(Program.id).where(Program.tenant_id == tenant))[0][0]
    return {
        "tenant edit": f"/admin/tenants/{tenant}",
        "program form": f"/admin/programs/{program}",
        "partner prices": f"/admin/tenants/{tenant}/partner-prices",
        "onboarding step": f"/admin/onboarding/{tenant}/name",
    }


def _part(html: str, tag: str, css_class: str) -> str:
    return html.split(f'<{tag} class="{css_class}">')[1].split(f"</{tag}>")[0]


def _words(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


PAGES = ["tenant edit", "program form", "partner prices", "onboarding step"]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_about_a_tenant_shows_the_console_header_and_no_storefront_footer(
    console, rows, text_of, page
):
    response = console.get(_paths(rows)[page])
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    header = _part(html, "header", "site-header")
    assert _words(_part(header, "div", "brand")) == "Vendor console"
    assert "<img" not in header
    assert "partner" not in _words(header)

    footer = _words(_part(html, "footer", "site-footer"))
    assert "authorized distributor" not in footer
    assert "Northwind" not in footer
    # The page itself still names the tenant it is about.
    assert "Northwind Distribution" in text_of(response)
