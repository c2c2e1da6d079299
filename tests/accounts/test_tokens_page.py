"""Users manage their API tokens per storefront; another storefront's token ids are 404."""

import re


def create_token(client) -> tuple[str, int]:
    token = client.csrf_token("/account/tokens/")
    page = client.post("/account/tokens/", data={"csrf_token": token}).get_data(as_text=True)
    raw = re.search(r'class="new-token">([^<]+)<', page).group(1)
    token_id = int(re.findall(r'data-token-id="(\d+)"', page)[-1])
    return raw, token_id


def api_status(client, raw: str) -> int:
    return client.get("/api/v1/products", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_a_token_is_shown_once_and_works_only_on_its_storefront(bluebird_buyer, alpenhandel):
    raw, _token_id = create_token(bluebird_buyer)
    assert api_status(bluebird_buyer, raw) == 200
    assert raw not in bluebird_buyer.get("/account/tokens/").get_data(as_text=True)
    assert api_status(alpenhandel, raw) == 401


def test_another_storefronts_token_id_is_404_and_untouched(bluebird_buyer, alpenhandel):
    raw, token_id = create_token(bluebird_buyer)
    alpenhandel.login("buyer@bluebird.example")
    assert f'data-token-id="{token_id}"' not in alpenhandel.get("/account/tokens/").get_data(
        as_text=True
    )
    csrf = alpenhandel.csrf_token("/account/tokens/")
    response = alpenhandel.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert api_status(bluebird_buyer, raw) == 200


def test_revoking_stops_the_token(bluebird_buyer):
    raw, token_id = create_token(bluebird_buyer)
    csrf = bluebird_buyer.csrf_token("/account/tokens/")
    response = bluebird_buyer.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert api_status(bluebird_buyer, raw) == 401


def test_another_users_token_is_404(bluebird_buyer, client_for):
    _raw, token_id = create_token(bluebird_buyer)
    approver = client_for("northwind.localhost")
    approver.login("approver@bluebird.example")
    csrf = approver.csrf_token("/account/tokens/")
    response = approver.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404


def test_token_pages_need_sign_in_and_csrf(northwind, bluebird_buyer):
    assert northwind.get("/account/tokens/", base_url="http://sakura.localhost").status_code == 302
    assert bluebird_buyer.post("/account/tokens/").status_code == 400
