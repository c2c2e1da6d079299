"""The console's statement page draws its lines with the partner pages' table macro (in its
console form: rule ids, the source order with its reseller and invoice) and pages them
with the shared pager."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.statements import posting
from channelfront.statements import views_admin as console_views
from channelfront.statements.models import Statement
from tests.statements.programs_data import fact, tenant
from tests.statements.test_admin_statements import PRODUCT, history, months_ago  # noqa: F401


def test_the_lines_show_the_rule_id_and_the_source_order(console, history):  # noqa: F811
    statement = db.session.scalar(
        select(Statement).where(
            Statement.program_id == history["program"], Statement.beneficiary == "northwind"
        )
    )
    response = console.get(f"/admin/incentives/{history['tenant']}/statements/{statement.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = html.split('<table class="data statement-lines stack-table">')[1].split("</table>")[0]
    assert "<caption" not in table
    assert '<th scope="col">Source order</th>' in table
    assert f'<tr class="line" data-rule="com" data-order="{history["order"]}">' in table
    assert '<td data-label="Rule"><code>com</code></td>' in table
    cell = table.split('<td class="source-order" data-label="Source order">')[1].split("</td>")[0]
    assert f"Order {history['order']}, " in cell
    assert '<br><a href="/admin/companies/' in cell
    assert "Invoice " in cell
    assert 'class="pager"' not in html


def test_the_lines_of_an_open_statement_are_paged(console, text_of, history, monkeypatch):  # noqa: F811
    northwind = tenant("northwind")
    posting.post(northwind, [fact(northwind, "CS-3", months_ago(1), 30_000, product_id=PRODUCT)])
    db.session.commit()
    monkeypatch.setattr(console_views, "LINES_PER_PAGE", 1)
    url = f"/admin/incentives/{history['tenant']}/programs/{history['program']}/open"
    args = {"beneficiary": "northwind", "period": history["open"]}

    first = console.get(url, query_string=args)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Page 1 of 2" in text_of(first)
    assert html.count('<tr class="line"') == 1
    assert 'rel="prev"' not in html
    next_link = html.split('<a rel="next" href="')[1].split('"')[0]
    assert next_link.startswith(url + "?")
    assert "page=2" in next_link
    assert f"period={history['open']}" in next_link

    second = console.get(url, query_string={**args, "page": 2})
    html = second.get_data(as_text=True)
    assert "Page 2 of 2" in text_of(second)
    assert 'rel="next"' not in html
    assert "page=1" in html.split('<a rel="prev" href="')[1].split('"')[0]
