"""Console tables stack into labelled rows on a phone, as the storefront's do: each table is a
``stack-table`` and each named column's cells carry that name as their ``data-label``."""

import re

import pytest
from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.tenancy.models import Tenant

LISTS = [
    "/admin/",
    "/admin/products",
    "/admin/companies",
    "/admin/programs",
    "/admin/incentives",
    "/admin/incentives/programs",
]


def _tables(html: str) -> list[str]:
    return re.findall(r'<table class="data[^"]*".*?</table>', html, re.S)


def _columns(table: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    cells = re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    names = (" ".join(re.sub(r"<[^>]+>", " ", th).split()) for th in cells)
    return [name for name in names if name]


def _assert_stacked(html: str) -> None:
    tables = _tables(html)
    assert tables
    for table in tables:
        opening = table.split(">", 1)[0]
        assert "stack-table" in opening, opening
        body = table.split("</thead>", 1)[1]
        if not re.search(r"<td(?![^>]*colspan)", body):
            continue  # only the "nothing yet" line, which spans every column
        for name in _columns(table):
            assert f'data-label="{name}"' in body, (opening, name)


@pytest.mark.parametrize("path", LISTS)
def test_console_lists_stack_on_a_phone(console, path):
    response = console.get(path)
    assert response.status_code == 200
    _assert_stacked(response.get_data(as_text=True))


def test_pages_about_one_tenant_or_company_stack_on_a_phone(console, rows):
    tenant = rows(select(Tenant.id).where(Tenant.slug == "northwind"))[0][0]
    company = rows(select(Company.id).where(Company.name == "Bluebird IT"))[0][0]
    for path in (
        f"/admin/tenants/{tenant}",
        f"/admin/tenants/{tenant}/partner-prices",
        f"/admin/companies/{company}",
    ):
        response = console.get(path)
        assert response.status_code == 200, path
        _assert_stacked(response.get_data(as_text=True))
