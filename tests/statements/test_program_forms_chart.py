"""The statement chart reads without hovering: amounts written on the bars, both axes
titled and marked, and the figures still given to screen readers."""

from __future__ import annotations

import re

from channelfront.extensions import db
from tests.statements.pages_support import QUARTERLY, close, program, quarter, quarters, signed_in

FINANCE = "finance@northwind.example"


def visible_texts(svg: str) -> list[str]:
    """The SVG's <text> elements: what is on the chart without hovering."""
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", svg)]


def test_the_chart_has_titled_axes_and_each_bar_its_amount(ctx, client_for):
    dist = program("northwind", "chart-axes", QUARTERLY)
    periods = quarters(quarter(2024, 1), 3)
    for period, total in zip(periods, [120_00, -30_00, 450_50], strict=True):
        close(dist, "northwind", period, total, disposition="carried_forward")
    db.session.commit()

    client = signed_in(client_for("northwind.localhost"), FINANCE)
    html = client.get("/incentives?program=chart-axes").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.DOTALL).group(0)
    texts = visible_texts(svg)
    # Each bar's amount is written on the chart, the negative one too.
    for amount in ("$120.00", "-$30.00", "$450.50"):
        assert amount in texts
    # The period axis: a label under each bar and a title.
    assert "Statement period" in texts
    assert sum(1 for t in texts if "2024" in t) == 3
    # The amount axis: a title, its zero and its highest mark.
    assert "Total" in texts
    assert "0" in texts
    assert texts.count("$450.50") == 2  # the bar's value and the axis's top mark
    assert 'class="value"' in svg
    assert 'class="axis axis-amount"' in svg
    # Still accessible: the description names every figure, and the table stays.
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg, re.DOTALL).group(1)
    assert "$450.50" in desc
    assert "-$30.00" in desc
    assert '<table class="data chart-data">' in html
