"""A quote mailed to an end customer comes from the reseller via the distributor and,
in both of its parts, shows resale prices only, never a buy price."""

from __future__ import annotations

from tests.quotes.customer_support import fresh, money, send_quote


def test_a_quote_mail_is_branded_for_the_reseller_without_buy_prices(shop_at, inbox) -> None:
    shop = shop_at("northwind.localhost")
    quote, _path = send_quote(
        shop, [("SHD-STD-1Y", 2)], pricing_mode="markup", pricing_percent="25"
    )
    quote = fresh(quote)
    [mail] = inbox.to("it@acme.example")
    sender = mail["From"].addresses[0]
    assert sender.display_name == f"Bluebird IT via {shop.tenant.name}"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    resale = money(quote.resale_total_minor, "USD")
    buy = {money(line.buy_total_minor, "USD") for line in quote.lines}
    buy |= {money(line.buy_unit_minor, "USD") for line in quote.lines}
    for part in (text, html):
        assert resale in part
        for amount in buy:
            assert amount not in part, amount
    assert f"Bluebird IT via {shop.tenant.name}" in html
