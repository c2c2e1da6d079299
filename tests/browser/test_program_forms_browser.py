"""A vendor admin builds an incentive rule on the forms in Chromium: a tiered volume rule
with two tiers and a category scope, saved, then read back in the JSON view. At 390 px
and at desktop width, no page scrolls sideways. Each run adds its own program (a code of
its own) to the shared demo; nothing it adds is published."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.browser.served import ROOT

pytestmark = pytest.mark.browser

PASSWORD = "channelfront-demo"
ADMIN = "admin.localhost"
SCREENSHOTS = ROOT / "tests" / "screenshots"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def fits(page, name: str, viewport: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"program-forms-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the {name} page is {width} px wide"


def click(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_tiered_rule_built_on_the_forms_shows_in_the_json_view(
    browser, base_port: int, size: str
) -> None:
    viewport = WIDTHS[size]
    page = browser.new_context(locale="en-US", viewport=viewport).new_page()
    page.goto(f"http://{ADMIN}:{base_port}/login")
    login = page.locator("form", has=page.locator("input[name=password]"))
    login.locator("input[name=email]").fill("admin@nimbus.example")
    login.locator("input[name=password]").fill(PASSWORD)
    click(page, login.locator("button[type=submit]"))

    page.goto(f"http://{ADMIN}:{base_port}/admin/incentives/programs")
    code = f"forms-{size}-{secrets.token_hex(3)}"
    new = page.locator("section[data-tenant=northwind] form.row-form")
    new.locator("input[name=code]").fill(code)
    new.locator("input[name=name]").fill(f"Forms {size}")
    click(page, new.locator("button[type=submit]"))
    click(page, page.locator("a.forms-view"))
    fits(page, f"empty-{size}", viewport)

    editor = page.locator("form.rule-editor")
    editor.locator("select[name=new_kind]").select_option("tiered_volume")
    click(page, editor.locator("button[value=add_rule]"))
    editor.locator("input[name=rules-0-tiers-0-rate]").fill("0.01")
    click(page, editor.locator("button[value=add_tier-0]"))
    editor.locator("input[name=rules-0-tiers-1-from]").fill("5000")
    editor.locator("input[name=rules-0-tiers-1-rate]").fill("0.02")
    editor.locator("details.scope summary").first.click()
    editor.locator("select[name=rules-0-scope-category_ids]").select_option(index=0)
    fits(page, f"tiered-{size}", viewport)
    click(page, editor.locator("button.button[value=save]"))

    assert "is saved" in page.locator("body").inner_text()
    document = json.loads(page.locator("textarea[name=document]").input_value())
    [rule] = document["rules"]
    assert rule["kind"] == "tiered_volume"
    assert rule["tiers"] == [{"from": "0", "rate": "0.01"}, {"from": "5000", "rate": "0.02"}]
    assert len(rule["scope"]["category_ids"]) == 1
    fits(page, f"json-{size}", viewport)
    page.context.close()
