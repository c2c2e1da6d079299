"""API query strings read whole numbers like the pages: ASCII digits only, by name."""

import pytest

NOT_WHOLE = ["²", "①", "٣", "9" * 5000, "1.5", "-1", ""]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/orders?page={}", "page"),
        ("/orders?customer={}", "customer"),
        ("/products?page={}", "page"),
        ("/customers?limit={}", "limit"),
    ],
)
def test_a_query_number_that_is_not_ascii_digits_is_refused_by_name(api, bluebird_nw, path, field):
    assert api("northwind.localhost", path.format("1"), bluebird_nw).status_code in (200, 404)
    for value in NOT_WHOLE:
        response = api("northwind.localhost", path.format(value), bluebird_nw)
        assert response.status_code == 400, (path, value)
        assert field in response.get_json()["error"]["errors"], (path, value)
