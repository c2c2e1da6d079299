"""Walls: a company admin sees and changes only their own company's users, on every
storefront where the company is enrolled, and never another company's."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.company.support import accept, invitation_link, path_of, post, user_named
from tests.walls.world import reseller_company, user

ACTIONS = ("role", "deactivate", "reactivate", "resend", "revoke")


def _otter_buyer_id() -> int:
    otter = reseller_company("Otter Co", "northwind", "silver")
    return user("buyer@otter.example", "buyer", otter.id).id


def test_another_companys_users_are_not_found_from_the_pages(app, ctx, bluebird_admin):
    for foreign in (_otter_buyer_id(), user_named("buyer@kirin.example").id):
        for action in ACTIONS:
            answer = post(bluebird_admin, f"/company/users/{foreign}/{action}", role="buyer")
            assert answer.status_code == 404, (foreign, action)
    assert user_named("buyer@otter.example").active
    assert user_named("buyer@kirin.example").role == "buyer"
    page = bluebird_admin.get("/company/users").get_data(as_text=True)
    assert "buyer@otter.example" not in page
    assert "buyer@kirin.example" not in page


def test_another_companys_users_are_not_found_from_the_api(app, ctx, token_for):
    otter = _otter_buyer_id()
    client = FlaskClient(app, app.response_class, use_cookies=False)
    token = token_for("admin@bluebird.example", "northwind")
    for foreign in (otter, user_named("buyer@kirin.example").id):
        answer = client.patch(
            f"/api/v1/users/{foreign}",
            base_url="http://northwind.localhost",
            headers={"Authorization": f"Bearer {token}"},
            json={"role": "viewer"},
        )
        assert answer.status_code == 404
    listed = client.get(
        "/api/v1/users",
        base_url="http://northwind.localhost",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()["items"]
    assert {"buyer@otter.example", "buyer@kirin.example"}.isdisjoint(u["email"] for u in listed)


def test_on_another_storefront_the_admin_manages_the_same_company(app, ctx, alpenhandel):
    assert alpenhandel.login("admin@bluebird.example").status_code == 302
    page = alpenhandel.get("/company/users")
    assert page.status_code == 200
    assert "buyer@bluebird.example" in page.get_data(as_text=True)
    kirin = user_named("buyer@kirin.example").id
    assert post(alpenhandel, f"/company/users/{kirin}/deactivate").status_code == 404
    buyer = user_named("buyer@bluebird.example").id
    assert post(alpenhandel, f"/company/users/{buyer}/role", role="approver").status_code == 302
    assert user_named("buyer@bluebird.example").role == "approver"


def test_a_company_not_enrolled_here_has_no_company_area(app, ctx, sakura, client_for):
    # Bluebird is not enrolled on Sakura: its admin cannot even sign in there.
    assert sakura.login("admin@bluebird.example").status_code != 302
    kirin = client_for("sakura.localhost")
    assert kirin.login("buyer@kirin.example").status_code == 302
    assert kirin.get("/company/users").status_code == 403


def test_an_invitation_made_on_alpenhandel_is_in_its_language_and_leads_there(
    app, ctx, inbox, alpenhandel, client_for
):
    assert alpenhandel.login("admin@bluebird.example").status_code == 302
    data = {"email": "casey@bluebird.example", "name": "Casey", "role": "viewer"}
    assert post(alpenhandel, "/company/users/invite", **data).status_code == 302
    # No language is known for the invitee: the mail is in the storefront's default.
    [mail] = inbox.to("casey@bluebird.example")
    assert mail["Subject"].startswith("Sie sind zu "), mail["Subject"]
    link = invitation_link(inbox, "casey@bluebird.example")
    assert link.startswith("http://alpenhandel.localhost/invitations/")
    assert client_for("northwind.localhost").get(path_of(link)).status_code == 404
    assert accept(client_for("alpenhandel.localhost"), link).status_code == 302
    assert user_named("casey@bluebird.example").status == "active"
