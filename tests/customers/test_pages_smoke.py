from tests.customers.world import add_customer, make_quote, place_order


def test_smoke(shop, signed_in):
    c = add_customer()
    place_order(c)
    make_quote(c)
    client = signed_in("buyer@bluebird.example")
    r = client.get("/customers")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "Acme Labs" in r.get_data(as_text=True)
    r = client.get(f"/customers/{c.id}")
    assert r.status_code == 200, r.get_data(as_text=True)
    r = client.get("/customers.csv", buffered=True)
    print(r.get_data(as_text=True))
