"""Console pages run a fixed number of queries, however many rows they list."""

import pytest


@pytest.fixture
def grow(submit, rows):
    """Add tenants, companies, enrollments, products and rules through the console itself."""
    from sqlalchemy import select

    from channelfront.accounts.models import Company
    from channelfront.catalog.models import Category
    from channelfront.pricing.models import Program
    from channelfront.tenancy.models import Tenant

    def add(n: int) -> None:
        security = rows(select(Category.id).where(Category.slug == "security"))[0][0]
        for i in range(n):
            slug = f"grow{i}"
            created = submit(
                "/admin/tenants/new",
                data={
                    "slug": slug,
                    "name": f"Grow {i}",
                    "status": "draft",
                    "currency": "USD",
                    "hosts": f"{slug}.localhost\nwww.{slug}.localhost",
                    "theme": "base",
                    "locales": ["en"],
                    "default_locale": "en",
                },
            )
            assert created.status_code == 302
            tenant_id = rows(select(Tenant.id).where(Tenant.slug == slug))[0][0]
            program = submit(
                "/admin/programs",
                f"/admin/tenants/{tenant_id}/programs",
                {"slug": "standard", "name": "Standard"},
            )
            assert program.status_code == 302
            assert submit("/admin/companies", data={"name": f"Grow Co {i}"}).status_code == 302
        programs = rows(select(Program.id))
        companies = rows(select(Company.id).where(Company.name.like("Grow Co%")))
        for (program,), (company,) in zip(programs, companies, strict=False):
            page = f"/admin/companies/{company}"
            enrolled = submit(
                page, f"{page}/enrollments", {"program": program, "credit_limit": "10"}
            )
            assert enrolled.status_code == 302
            submit(
                "/admin/programs",
                f"/admin/programs/{program}/rules",
                {"target": f"category:{security}", "discount": "1"},
            )
        for i in range(n):
            added = submit(
                "/admin/products/new",
                data={
                    "sku": f"GROW-{i}",
                    "category": security,
                    "kind": "service",
                    "name": f"Grow {i}",
                    "price_usd": "1",
                    "price_eur": "1",
                },
            )
            assert added.status_code == 302

    return add


def test_list_pages_do_not_query_per_row(console, grow, count_queries, rows):
    from sqlalchemy import select

    from channelfront.accounts.models import Company

    pages = ["/admin/", "/admin/companies", "/admin/products", "/admin/programs"]
    bluebird = rows(select(Company.id).where(Company.name == "Bluebird IT"))[0][0]
    pages.append(f"/admin/companies/{bluebird}")
    console.get("/admin/")  # warm the session's user and caches

    def counts() -> dict[str, int]:
        result = {}
        for page in pages:
            with count_queries() as seen:
                assert console.get(page).status_code == 200
            result[page] = len(seen)
        return result

    before = counts()
    grow(4)
    after = counts()
    assert after == before
    assert all(n <= 12 for n in after.values()), after
