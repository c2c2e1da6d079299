"""The reseller's deal pages (list, register, a deal, withdraw) and the partner queue and
decision page: form errors name their fields and write nothing, conflicts show the other
reseller's name, viewers only read, another company or storefront finds nothing."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import func, select

from channelfront.deals import services
from channelfront.deals.models import Deal
from channelfront.extensions import db
from tests.deals.conftest import deal_body, post_form, the_deal

BUYER = "buyer@bluebird.example"
MANAGER = "partners@northwind.example"
RIVAL = "buyer@rival.example"


def deal_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Deal.id))) or 0


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def signed_in(client_for, email: str, host: str = "northwind.localhost"):  # type: ignore[no-untyped-def]
    client = client_for(host)
    assert client.login(email).status_code == 302
    return client


def form(**changes: str) -> dict[str, str]:
    values = {
        "end_customer_choice": "new",
        "new_customer.company_name": "Acme Labs",
        "new_customer.contact_name": "Casey Customer",
        "new_customer.email": "it@acme.example",
        "new_customer.country": "US",
        "lines[0].sku": "SHD-STD-1Y",
        "lines[0].quantity": "10",
        "expected_value": "12000.00",
        "expected_close": (services.today() + timedelta(days=30)).isoformat(),
        "competitor": "Globex",
        "external_id": "CRM-77",
    }
    values.update(changes)
    return values


def test_register_on_the_page_and_read_it(bluebird_buyer, on_northwind, inbox) -> None:
    listing = text(bluebird_buyer.get("/deals"))
    assert 'href="/deals/new"' in listing
    assert 'name="lines[0].sku"' in text(bluebird_buyer.get("/deals/new"))
    made = post_form(bluebird_buyer, "/deals/new", form(), "/deals/new")
    assert made.status_code == 303, text(made)
    number = made.headers["Location"].rsplit("/", 1)[1]
    page = text(bluebird_buyer.get(f"/deals/{number}"))
    assert f"Deal {number} is registered and waits for a decision." in page
    assert 'data-status="pending"' in page
    assert "Acme Labs" in page
    assert "SHD-STD-1Y" in page
    assert "deal CRM-77" in page
    assert "create-quote" not in page  # not approved yet
    assert number in text(bluebird_buyer.get("/deals"))
    assert number in text(bluebird_buyer.get("/deals?q=acme"))
    assert number not in text(bluebird_buyer.get("/deals?status=approved"))
    assert f"Deal {number} waits for your decision" in [m["Subject"] for m in inbox.to(MANAGER)]


def test_form_errors_name_the_field_and_write_nothing(bluebird_buyer, on_northwind) -> None:
    cases = {
        "lines[1].sku": form(**{"lines[1].sku": "NOPE-1", "lines[1].quantity": "1"}),
        "lines[0].quantity": form(**{"lines[0].quantity": "0"}),
        "expected_close": form(expected_close="2001-01-01"),
        "expected_value": form(expected_value="ten"),
        "end_customer.email": form(**{"new_customer.email": "not-mail"}),
        "competitor": form(competitor="x" * 121),
    }
    for field, data in cases.items():
        answer = post_form(bluebird_buyer, "/deals/new", data, "/deals/new")
        assert answer.status_code == 422, field
        assert f'data-field="{field}"' in text(answer), field
    assert deal_count() == 0
    blank = post_form(bluebird_buyer, "/deals/new", {}, "/deals/new")
    assert blank.status_code == 422
    assert deal_count() == 0


def test_withdraw(bluebird_buyer, token_for, call, on_northwind, inbox) -> None:
    deal = call("POST", "/deals", token_for(BUYER), json=deal_body()).get_json()
    inbox.messages.clear()
    path = f"/deals/{deal['number']}"
    assert "withdraw-deal" in text(bluebird_buyer.get(path))
    done = post_form(bluebird_buyer, f"{path}/withdraw", {}, path)
    assert done.status_code == 303
    assert the_deal(deal["id"]).status == "withdrawn"
    page = text(bluebird_buyer.get(path))
    assert "withdraw-deal" not in page
    again = post_form(bluebird_buyer, f"{path}/withdraw", {}, path)
    assert again.status_code == 303
    assert "Only a pending or approved deal can be withdrawn." in text(bluebird_buyer.get(path))
    assert inbox.to(BUYER) == []  # not told of what they did themselves


def test_viewers_read_only(client_for, reseller, token_for, call, on_northwind) -> None:
    deal = call("POST", "/deals", token_for(BUYER), json=deal_body()).get_json()
    viewer = signed_in(client_for, reseller("Bluebird IT", "viewer9@bluebird.example", "viewer"))
    listing = text(viewer.get("/deals"))
    assert deal["number"] in listing
    assert 'href="/deals/new"' not in listing
    page = viewer.get(f"/deals/{deal['number']}")
    assert page.status_code == 200
    assert "withdraw-deal" not in text(page)
    assert viewer.get("/deals/new").status_code == 403
    token = viewer.csrf_token(f"/deals/{deal['number']}")
    refused = viewer.post(f"/deals/{deal['number']}/withdraw", data={"csrf_token": token})
    assert refused.status_code == 403
    assert the_deal(deal["id"]).status == "pending"


def test_another_company_or_storefront_finds_nothing(
    client_for, reseller, token_for, call, on_northwind
) -> None:
    deal = call("POST", "/deals", token_for(BUYER), json=deal_body()).get_json()
    rival = signed_in(client_for, reseller("Rival Resale", RIVAL))
    assert rival.get(f"/deals/{deal['number']}").status_code == 404
    assert deal["number"] not in text(rival.get("/deals"))
    token = rival.csrf_token("/deals")
    assert (
        rival.post(f"/deals/{deal['number']}/withdraw", data={"csrf_token": token}).status_code
        == 404
    )
    alpen = signed_in(client_for, "admin@alpenhandel.example", "alpenhandel.localhost")
    assert alpen.get(f"/partners/deals/{deal['id']}").status_code == 404
    assert deal["number"] not in text(alpen.get("/partners/deals"))
    # Resellers have no partner pages.
    buyer = signed_in(client_for, BUYER)
    assert buyer.get(f"/partners/deals/{deal['id']}").status_code in (403, 404)
    assert the_deal(deal["id"]).status == "pending"


def test_queue_and_decision_show_conflicts_with_the_resellers_name(
    client_for, reseller, token_for, call, on_northwind, inbox
) -> None:
    first = call("POST", "/deals", token_for(BUYER), json=deal_body()).get_json()
    reseller("Rival Resale", RIVAL)
    second = call(
        "POST", "/deals", token_for(RIVAL), json=deal_body(external_id="R-9", crm_account_id="")
    ).get_json()
    manager = signed_in(client_for, MANAGER)
    queue = text(manager.get("/partners/deals"))
    assert first["number"] in queue
    assert second["number"] in queue
    assert f"{first['number']} by Bluebird IT" in queue
    assert f"{second['number']} by Rival Resale" in queue

    path = f"/partners/deals/{first['id']}"
    page = text(manager.get(path))
    assert f'data-deal="{second["number"]}"' in page
    assert "Rival Resale" in page  # the newcomer is shown to the earlier deal's decider too

    no_reason = post_form(manager, f"{path}/decision", {"decision": "decline"}, path)
    assert no_reason.status_code == 422
    assert 'data-field="reason"' in text(no_reason)
    assert the_deal(first["id"]).status == "pending"

    approved = post_form(manager, f"{path}/decision", {"decision": "approve"}, path)
    assert approved.status_code == 303
    deal = the_deal(first["id"])
    assert deal.status == "approved"
    assert deal.protected_until == services.today() + timedelta(days=90)
    assert f"Deal {first['number']} is approved" in [m["Subject"] for m in inbox.to(BUYER)]
    again = post_form(manager, f"{path}/decision", {"decision": "decline", "reason": "No"}, path)
    assert again.status_code == 409
    assert the_deal(first["id"]).status == "approved"

    declined = post_form(
        manager,
        f"/partners/deals/{second['id']}/decision",
        {"decision": "decline", "reason": "Bluebird registered it first"},
        path,
    )
    assert declined.status_code == 303
    assert the_deal(second["id"]).reason == "Bluebird registered it first"
    assert f"Deal {second['number']} is declined" in [m["Subject"] for m in inbox.to(RIVAL)]


def test_finance_staff_cannot_decide(client_for, token_for, call, on_northwind) -> None:
    deal = call("POST", "/deals", token_for(BUYER), json=deal_body()).get_json()
    finance = signed_in(client_for, "finance@northwind.example")
    assert finance.get(f"/partners/deals/{deal['id']}").status_code == 403
    token = finance.csrf_token("/login")
    refused = finance.post(
        f"/partners/deals/{deal['id']}/decision",
        data={"csrf_token": token, "decision": "approve"},
    )
    assert refused.status_code == 403
    assert the_deal(deal["id"]).status == "pending"
