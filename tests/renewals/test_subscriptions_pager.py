"""The subscriptions list pages with the shared pager."""

from __future__ import annotations

import re

from channelfront.renewals import queries
from tests.orders.test_checkout_pages import placed_order


def test_the_subscriptions_are_paged(subscribed, monkeypatch):
    placed_order(subscribed.client, lines=(("SHD-STD-1Y", "2"),))
    monkeypatch.setattr(queries, "PAGE_SIZE", 1)

    first = subscribed.client.get("/subscriptions").get_data(as_text=True)
    assert first.count('<tr class="subscription"') == 1
    assert "Page 1 of 2" in first
    assert 'rel="prev"' not in first
    assert re.search(r'<a rel="next" href="/subscriptions\?page=2">Next</a>', first)

    second = subscribed.client.get("/subscriptions?page=2").get_data(as_text=True)
    assert second.count('<tr class="subscription"') == 1
    assert "Page 2 of 2" in second
    assert 'rel="next"' not in second
    assert re.search(r'<a rel="prev" href="/subscriptions\?page=1">Previous</a>', second)


def test_one_page_has_no_pager(subscribed):
    html = subscribed.client.get("/subscriptions").get_data(as_text=True)
    assert 'class="pager"' not in html
