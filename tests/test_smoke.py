"""The three demo storefronts and the vendor console answer on their hosts."""


def test_each_demo_host_shows_its_distributor(client_for):
    for host, name, lang in [
        ("northwind.localhost", "Northwind Distribution", "en"),
        ("alpenhandel.localhost", "Alpenhandel GmbH", "de"),
        ("sakura.localhost", "Sakura Trading", "ja"),
    ]:
        page = client_for(host).get("/").get_data(as_text=True)
        assert name in page
        assert f'<html lang="{lang}"' in page
        assert "Nimbus Software" in page


def test_buyer_signs_in_and_sees_catalog(bluebird_buyer):
    page = bluebird_buyer.get("/catalog?q=shd-ent")
    assert page.status_code == 200
    assert "SHD-ENT-1Y" in page.get_data(as_text=True)
