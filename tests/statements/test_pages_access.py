"""Who may see which statement, and what bad addresses and query strings get."""

from __future__ import annotations

import pytest

from channelfront.extensions import db
from channelfront.statements import programs as service
from tests.orders.test_history import reseller
from tests.statements.pages_support import (
    QUARTERLY,
    RESELLER_QUARTERLY,
    close,
    current_quarter,
    line,
    program,
    quarter,
    signed_in,
    staff,
    tenant,
)
from tests.statements.test_pages_reseller import company_id

FINANCE = "finance@northwind.example"
PAGES = [
    "/incentives",
    "/incentives/statements/1",
    "/incentives/statements/1.csv",
    "/incentives/open?program=x&period=2025-Q1",
    "/incentives/open.csv?program=x&period=2025-Q1",
    "/commissions",
    "/commissions/statements/1",
    "/commissions/statements/1.csv",
    "/commissions/open?program=x&period=2025-Q1",
    "/commissions/open.csv?program=x&period=2025-Q1",
]


@pytest.mark.parametrize("path", PAGES)
def test_signing_in_comes_first(northwind, path):
    response = northwind.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", ["/incentives", "/commissions"])
def test_nothing_of_this_on_the_vendor_console(admin_host, path):
    assert admin_host.get(path).status_code == 404


def test_each_side_keeps_to_its_own_page(ctx, client_for, bluebird_buyer):
    assert bluebird_buyer.get("/incentives").status_code == 403
    assert "Incentive statements are for the distributor" in bluebird_buyer.get(
        "/incentives"
    ).get_data(as_text=True)
    finance = signed_in(client_for("northwind.localhost"), FINANCE)
    assert finance.get("/commissions").status_code == 403
    reseller(company_id("Bluebird IT"), "viewer@bluebird.example", role="viewer")
    viewer = signed_in(client_for("northwind.localhost"), "viewer@bluebird.example")
    response = viewer.get("/commissions")
    assert response.status_code == 403
    assert "buyers, approvers and administrators" in response.get_data(as_text=True)
    assert 'href="/commissions"' not in viewer.get("/catalog").get_data(as_text=True)


def test_another_storefronts_statement_is_not_found(ctx, client_for):
    alpen = program("alpenhandel", "u-alpen", QUARTERLY, currency="EUR")
    theirs = close(alpen, "alpenhandel", quarter(2025, 1), 10_00)
    ours = program("northwind", "u-dist", QUARTERLY)
    mine = close(ours, "northwind", quarter(2025, 1), 20_00)
    db.session.commit()
    finance = signed_in(client_for("northwind.localhost"), FINANCE)
    assert finance.get(f"/incentives/statements/{mine.id}").status_code == 200
    assert finance.get(f"/incentives/statements/{theirs.id}").status_code == 404
    assert finance.get(f"/incentives/statements/{theirs.id}.csv").status_code == 404
    assert finance.get("/incentives/open?program=u-alpen&period=2025-Q1").status_code == 400
    # Alpenhandel's own staff see theirs, and not Northwind's.
    staff("alpenhandel", "finanz@alpenhandel.example")
    alpen_staff = signed_in(client_for("alpenhandel.localhost"), "finanz@alpenhandel.example")
    assert alpen_staff.get(f"/incentives/statements/{theirs.id}").status_code == 200
    assert alpen_staff.get(f"/incentives/statements/{mine.id}").status_code == 404


def test_another_companys_or_the_distributors_statement_is_not_found(
    ctx, client_for, bluebird_buyer
):
    bluebird = f"company-{company_id('Bluebird IT')}"
    res = program("northwind", "u-res", RESELLER_QUARTERLY, audience="reseller")
    dist = program("northwind", "u-dist", QUARTERLY)
    own = close(res, bluebird, quarter(2025, 1), 10_00)
    other = close(res, "company-999", quarter(2025, 1), 30_00)
    distributors = close(dist, "northwind", quarter(2025, 1), 50_00)
    db.session.commit()
    assert bluebird_buyer.get(f"/commissions/statements/{own.id}").status_code == 200
    for statement in (other, distributors):
        assert bluebird_buyer.get(f"/commissions/statements/{statement.id}").status_code == 404
        assert bluebird_buyer.get(f"/commissions/statements/{statement.id}.csv").status_code == 404
    finance = signed_in(client_for("northwind.localhost"), FINANCE)
    assert finance.get(f"/incentives/statements/{own.id}").status_code == 404
    assert finance.get(f"/incentives/statements/{distributors.id}").status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("/incentives?page=0", "page", "The page must be a whole number from 1 to 100000."),
        ("/incentives?page=abc", "page", "The page must be a whole number"),
        ("/incentives?page=99999999999999999999", "page", "whole number"),
        ("/incentives?program=nope", "program", "There is no program with the code “nope”."),
        ("/incentives/open", "program", "Choose a program."),
        ("/incentives/open.csv?program=u-dist", "period", "e.g. 2025-Q1"),
        ("/incentives/open?program=u-dist&period=2025-13", "period", "e.g. 2025-Q1"),
        ("/incentives/open?program=u-dist&period=2025-03", "period", "e.g. 2025-Q1"),
        ("/incentives/open?program=u-dist&period=%00", "period", "e.g. 2025-Q1"),
        ("/incentives/statements/1?page=-1", "page", "whole number"),
    ],
)
def test_bad_query_strings_are_a_400_naming_the_parameter(ctx, client_for, query, field, message):
    dist = program("northwind", "u-dist", QUARTERLY)
    statement = close(dist, "northwind", quarter(2025, 1), 10_00)
    db.session.commit()
    finance = signed_in(client_for("northwind.localhost"), FINANCE)
    response = finance.get(query.replace("/statements/1", f"/statements/{statement.id}"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"{field}: " in html
    assert message in html


def test_odd_statement_addresses_are_not_found_or_redirected(ctx, client_for):
    dist = program("northwind", "u-dist", QUARTERLY)
    closed = close(dist, "northwind", quarter(2025, 1), 10_00)
    line(dist, "northwind", current_quarter(), 1_00)
    db.session.commit()
    finance = signed_in(client_for("northwind.localhost"), FINANCE)
    for path in (
        "/incentives/statements/0",
        "/incentives/statements/99999999999999999999999",
        "/incentives/statements/9223372036854775808.csv",
        "/incentives/statements/abc",
        "/incentives/open?program=u-dist&period=2099-Q1",  # not open yet
        "/incentives/open?program=u-dist&period=2024-Q1",  # no lines, never open here
    ):
        assert finance.get(path).status_code == 404, path
    # A closed period's open address leads to its statement.
    response = finance.get("/incentives/open?program=u-dist&period=2025-Q1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/incentives/statements/{closed.id}")
    response = finance.get("/incentives/open.csv?program=u-dist&period=2025-Q1")
    assert response.headers["Location"].endswith(f"/incentives/statements/{closed.id}.csv")
    now = current_quarter().key
    assert finance.get(f"/incentives/open?program=u-dist&period={now}").status_code == 200


def test_a_draft_program_is_not_a_filter(ctx, client_for):
    service.create(tenant("northwind"), "u-draft", "Draft", "distributor", QUARTERLY)
    db.session.commit()
    finance = signed_in(client_for("northwind.localhost"), FINANCE)
    response = finance.get("/incentives?program=u-draft")
    assert response.status_code == 400
    assert "There is no program with the code “u-draft”." in response.get_data(as_text=True)
    assert 'value="u-draft"' not in finance.get("/incentives").get_data(as_text=True)
