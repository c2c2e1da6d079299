"""Buyers update an order after fulfilment: licenses delivered or assigned, notes; mail follows."""

import re

import pytest
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.accounts.passwords import hash_password
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.models import Order
from tests.orders.test_checkout_pages import placed_order


def licenses_of(number: str) -> dict[str, License]:
    order = db.session.scalar(select(Order).where(Order.number == number))
    lines = {line.id: line.sku for line in order.lines}
    found = db.session.scalars(select(License).where(License.order_id == order.id))
    return {lines[lic.order_line_id]: lic for lic in found}


def events_of(number: str) -> list[str]:
    order = db.session.scalar(select(Order).where(Order.number == number))
    return [event.kind for event in order.events]


def post(client, number: str, path: str, **data):
    token = client.csrf_token(f"/orders/{number}")
    return client.post(f"/orders/{number}/{path}", data={"csrf_token": token, **data})


@pytest.fixture
def order(ctx, bluebird_buyer, inbox):
    number = placed_order(bluebird_buyer)
    inbox.messages.clear()  # the fulfilment mail is another story
    return number


def test_marking_licenses_delivered_records_it_and_mails_the_end_customer(
    bluebird_buyer, order, inbox
):
    licenses = licenses_of(order)
    picked = [str(licenses["SHD-STD-1Y"].id), str(licenses["INS-PERP"].id)]
    response = post(bluebird_buyer, order, "licenses", action="deliver", license=picked)
    assert response.status_code == 303
    page = bluebird_buyer.get(f"/orders/{order}").get_data(as_text=True)
    assert "2 licenses are marked delivered." in page
    assert "2 licenses delivered to the end customer: SHD-STD-1Y, INS-PERP" in page
    assert re.search(r'<td class="delivered"[^>]*>[^<—]+\d', page)
    db.session.expire_all()
    assert all(lic.delivered_at is not None for lic in licenses_of(order).values())
    [mail] = inbox.to("ada@acme.example")
    assert mail["Subject"] == "Your licenses from Bluebird IT"
    body = mail.get_content()
    assert licenses["SHD-STD-1Y"].key in body
    assert licenses["INS-PERP"].key in body
    # The buyer did it: no mail to the buyer about their own change.
    assert inbox.to("buyer@bluebird.example") == []


def test_marking_again_changes_nothing(bluebird_buyer, order, inbox):
    picked = [str(licenses_of(order)["INS-PERP"].id)]
    post(bluebird_buyer, order, "licenses", action="deliver", license=picked)
    response = post(bluebird_buyer, order, "licenses", action="deliver", license=picked)
    assert response.status_code == 303
    page = bluebird_buyer.get(f"/orders/{order}").get_data(as_text=True)
    assert "Nothing changed" in page
    assert events_of(order).count("licenses_delivered") == 1
    assert len(inbox.to("ada@acme.example")) == 1


def test_assigning_licenses_to_a_contact_mails_them_their_keys(bluebird_buyer, order, inbox):
    license_ = licenses_of(order)["SHD-STD-1Y"]
    response = post(
        bluebird_buyer,
        order,
        "licenses",
        action="assign",
        license=[str(license_.id)],
        assignee_email="it@acme.example",
        assignee_name="Ian Tech",
    )
    assert response.status_code == 303
    page = bluebird_buyer.get(f"/orders/{order}").get_data(as_text=True)
    assert re.search(r'<td class="assigned"[^>]*>it@acme\.example</td>', page)
    assert "1 license assigned to it@acme.example: SHD-STD-1Y" in page
    [mail] = inbox.to("it@acme.example")
    assert mail["Subject"] == "Bluebird IT assigned licenses to you"
    body = mail.get_content()
    assert "Hello Ian Tech," in body
    assert license_.key in body
    assert licenses_of(order)["INS-PERP"].key not in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "assign", "assignee_email": "not-mail"}, "assignee_email", "valid e-mail"),
        ({"action": "assign", "assignee_email": ""}, "assignee_email", "valid e-mail"),
        (
            {"action": "assign", "assignee_email": "a@b.example", "assignee_name": "x" * 121},
            "assignee_name",
            "at most 120 characters",
        ),
        ({"action": "deliver", "license": []}, "licenses", "Choose at least one license."),
        ({"action": "deliver", "license": ["999999"]}, "licenses", "licenses of this order"),
        ({"action": "deliver", "license": ["1; DROP"]}, "licenses", "licenses of this order"),
        ({"action": "explode"}, "action", "Choose what to do"),
    ],
)
def test_bad_license_updates_are_refused_and_change_nothing(
    bluebird_buyer, order, inbox, data, field, message
):
    data = {"license": [str(lic.id) for lic in licenses_of(order).values()], **data}
    response = post(bluebird_buyer, order, "licenses", **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'data-field="{field}"' in page
    assert message in page
    db.session.expire_all()
    assert all(
        lic.delivered_at is None and lic.assigned_to is None for lic in licenses_of(order).values()
    )
    assert events_of(order)[-1] == "invoiced"
    assert inbox.messages == []


def test_a_license_of_another_order_cannot_be_touched(bluebird_buyer, order):
    other = placed_order(bluebird_buyer, lines=[("INS-PERP", "1")])
    foreign = licenses_of(other)["INS-PERP"]
    response = post(bluebird_buyer, order, "licenses", action="deliver", license=[str(foreign.id)])
    assert response.status_code == 422
    db.session.expire_all()
    assert licenses_of(other)["INS-PERP"].delivered_at is None


def test_a_note_by_a_colleague_is_on_the_timeline_and_mailed_to_the_buyer(client_for, order, inbox):
    approver = client_for("northwind.localhost")
    approver.login("approver@bluebird.example")
    response = post(approver, order, "notes", note="Customer asked for a call on Monday.")
    assert response.status_code == 303
    page = approver.get(f"/orders/{order}").get_data(as_text=True)
    assert "Your note is on the timeline." in page
    assert "Customer asked for a call on Monday." in page
    assert "by Avery Approver" in page
    [mail] = inbox.to("buyer@bluebird.example")
    assert mail["Subject"] == f"Order {order} was updated"
    assert "Customer asked for a call on Monday." in mail.get_content()
    assert "Avery Approver" in mail.get_content()


def test_the_buyers_own_note_is_not_mailed_and_a_double_submit_adds_it_once(
    bluebird_buyer, order, inbox
):
    post(bluebird_buyer, order, "notes", note="Called the customer.")
    post(bluebird_buyer, order, "notes", note="Called the customer.")
    assert events_of(order).count("note") == 1
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("note", "message"),
    [("", "Write a note first."), ("x" * 2001, "at most 2000"), ("a\x00b", "not allowed")],
)
def test_bad_notes_are_refused(bluebird_buyer, order, note, message):
    response = post(bluebird_buyer, order, "notes", note=note)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "note" not in events_of(order)


def test_viewers_see_the_order_but_cannot_change_it(ctx, client_for, order):
    buyer = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
    db.session.add(
        User(
            email="viewer@bluebird.example",
            name="Vic Viewer",
            password_hash=hash_password(DEMO_PASSWORD),
            kind="reseller",
            role="viewer",
            company_id=buyer.company_id,
        )
    )
    db.session.commit()
    viewer = client_for("northwind.localhost")
    viewer.login("viewer@bluebird.example")
    page = viewer.get(f"/orders/{order}")
    assert page.status_code == 200
    assert 'name="action"' not in page.get_data(as_text=True)
    token = viewer.csrf_token(f"/orders/{order}")
    response = viewer.post(f"/orders/{order}/notes", data={"csrf_token": token, "note": "hi"})
    assert response.status_code == 403
    assert viewer.get("/cart").status_code == 403
    assert "note" not in events_of(order)
