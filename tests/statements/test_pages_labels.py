"""Program names and rule ids of the demo are shown to partners in the page's language."""

from __future__ import annotations

from channelfront.demo.incentives import load_demo_incentives
from tests.statements.pages_support import signed_in


def test_german_and_japanese_commission_pages_name_the_programs_in_their_language(
    ctx, alpenhandel, sakura
) -> None:
    load_demo_incentives()
    german = signed_in(alpenhandel, "buyer@bluebird.example").get(
        "/commissions", headers={"Accept-Language": "de"}
    )
    assert german.status_code == 200
    html = german.get_data(as_text=True)
    assert 'lang="de"' in html
    assert "Reseller commissions" not in html
    assert "Reseller-Provisionen" in html

    japanese = signed_in(sakura, "buyer@kirin.example").get(
        "/commissions", headers={"Accept-Language": "ja"}
    )
    assert japanese.status_code == 200
    page = japanese.get_data(as_text=True)
    assert "Reseller commissions" not in page
    assert "リセラー向けコミッション" in page
