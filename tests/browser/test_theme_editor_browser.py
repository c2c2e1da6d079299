"""A vendor admin makes a stored theme in the console's editor, in Chromium, against the
shared served demo.

On a phone (390 px): the theme is created from the Harbor pack; a pale grey accent
under which neither white nor the chosen text colour can be read is refused beside the
field, naming the pair and its ratio, and nothing is saved; good colours, the Noto Sans JP
font, an English and a Japanese banner and a PNG logo made by the test are saved as
version 2; the page never scrolls sideways. On a desk (1280 px): the preview frame shows
version 2's home with the new primary colour, the font's stylesheet and the logo, the
Japanese banner when Japanese is previewed, and the catalog, cart and mail in the same
look without a failed request or a console error; publishing marks the version as
published. No demo tenant is switched to the theme: the other browser tests share the
demo.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib

import pytest

pytestmark = pytest.mark.browser

ADMIN = "admin.localhost"
VENDOR_ADMIN = "admin@nimbus.example"
DEMO_PASSWORD = "channelfront-demo"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
THEME = "Harbor Kyoto"
SLUG = "harbor-kyoto"
PRIMARY = "#1d3557"
ACCENT = "#005a8c"
TEXT = "#12263a"
GREY_TEXT = "#6b6b6b"  # reads on white and on Harbor's background, not on the pale accent
PALE_ACCENT = "#d3d3d3"
BANNER_EN = "Spring releases are in"
BANNER_JA = "春の新製品が入荷しました"
NOTO_CSS = "fonts/noto-sans-jp/fonts.css"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour RGB PNG, made with zlib and struct only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


LOGO = png(120, 40, (29, 53, 87))
LOGO_PATH = f"/brand/logos/{hashlib.sha256(LOGO).hexdigest()}"


def at(port: int, path: str) -> str:
    return f"http://{ADMIN}:{port}{path}"


def main_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("main").inner_text()


def submit(page, field_name: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator(f"main form:has([name={field_name}])")
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def sign_in(page, port: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(at(port, "/login"))
    page.fill("main input[name=email]", VENDOR_ADMIN)
    page.fill("main input[name=password]", DEMO_PASSWORD)
    submit(page, "password")
    assert "/login" not in page.url, main_text(page)


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def fill_colors(page, **colors: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in colors.items():
        page.fill(f"main input[type=color][name={name}]", value)


def create_and_edit_on_a_phone(browser, port: int) -> str:  # type: ignore[no-untyped-def]
    """The theme made and saved as version 2 at 390 px; the editor's address."""
    page = browser.new_context(locale="en-US", viewport=PHONE).new_page()
    sign_in(page, port)
    page.goto(at(port, "/admin/themes"))
    with page.expect_navigation():
        page.get_by_role("link", name="New theme").click()
    no_sideways_scroll(page)
    page.fill("main input[name=name]", THEME)
    page.fill("main input[name=slug]", SLUG)
    page.select_option("main select[name=parent]", label="Harbor")
    submit(page, "slug")
    assert f"Theme {THEME} is created as version 1." in main_text(page)
    editor = page.url.split("?")[0]
    assert re.search(r"/admin/themes/\d+$", editor), page.url
    assert page.locator("main tr[data-version]").count() == 1
    no_sideways_scroll(page)

    # A pale accent with a grey text colour: buttons could carry neither white nor the text.
    fill_colors(page, accent=PALE_ACCENT, text=GREY_TEXT)
    submit(page, "accent")
    refusal = page.locator("main .color-field:has(input[name=accent]) + p.field-error")
    assert refusal.inner_text() == f"white text on accent {PALE_ACCENT}: 1.50:1, needs 4.5:1"
    assert page.locator("main .error-summary").count() == 1
    assert page.locator("main tr[data-version]").count() == 1, "a refused save wrote a version"
    no_sideways_scroll(page)

    fill_colors(page, primary=PRIMARY, accent=ACCENT, surface="#ffffff", text=TEXT)
    page.select_option("main select[name=font]", "noto-sans-jp")
    page.fill("main input[name=banner_en]", BANNER_EN)
    page.fill("main input[name=banner_ja]", BANNER_JA)
    page.set_input_files(
        "main input[type=file][name=logo]",
        files=[{"name": "kyoto.png", "mimeType": "image/png", "buffer": LOGO}],
    )
    submit(page, "accent")
    assert f"Version 2 of {THEME} is saved." in main_text(page), main_text(page)
    assert page.url.endswith("?version=2"), page.url
    assert page.locator("main .field-error").count() == 0
    assert page.input_value("main input[name=primary]") == PRIMARY
    assert page.input_value("main select[name=font]") == "noto-sans-jp"
    assert page.input_value("main input[name=banner_ja]") == BANNER_JA
    current = page.locator("main img.current-logo")
    assert current.get_attribute("src") == LOGO_PATH
    assert page.locator("main tr[data-version]").count() == 2
    no_sideways_scroll(page)
    page.context.close()
    return editor


def preview_frame(page):  # type: ignore[no-untyped-def]
    frame = page.frame(name="theme-preview")
    assert frame is not None
    frame.wait_for_load_state()
    return frame


def show(page, nav_label: str, link_name: str, path_part: str):  # type: ignore[no-untyped-def]
    """Click a preview tab; the frame with its page, after a successful answer."""
    nav = page.get_by_role("navigation", name=nav_label)
    with page.expect_response(lambda r: path_part in r.url) as answer:
        nav.get_by_role("link", name=link_name, exact=True).click()
    assert answer.value.status == 200, answer.value.url
    frame = page.frame(name="theme-preview")
    assert frame is not None
    frame.wait_for_url(re.compile(re.escape(path_part)))
    frame.wait_for_load_state()
    return frame


def preview_and_publish_at_a_desk(browser, port: int, editor: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="en-US", viewport=DESK).new_page()
    failures: list[str] = []
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: failures.append(str(e)))
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    sign_in(page, port)
    page.goto(f"{editor}?version=2")

    home = preview_frame(page)
    assert "/versions/2/preview/home" in home.url
    primary = home.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
    )
    assert primary == PRIMARY
    font_css = home.locator(f"link[rel=stylesheet][href$='{NOTO_CSS}']")
    assert font_css.count() == 1
    assert home.evaluate(
        f"[...document.styleSheets].some(s => (s.href || '').endsWith('{NOTO_CSS}')"
        " && s.cssRules.length > 0)"
    ), "the Noto Sans JP stylesheet did not load"
    assert home.evaluate(
        "document.fonts.load(\"16px 'Noto Sans JP'\", '日本').then(faces => faces.length)"
    ), "no Noto Sans JP face was loaded"
    assert home.locator("p.banner").inner_text() == BANNER_EN
    logo = home.locator("header img.brand-logo")
    assert logo.get_attribute("src") == LOGO_PATH
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 120

    home = show(page, "Preview language", "JA", "/preview/home?lang=ja")
    assert home.locator("html").get_attribute("lang") == "ja"
    assert home.locator("p.banner").inner_text() == BANNER_JA

    catalog = show(page, "Preview pages", "Catalog", "/preview/catalog")
    assert catalog.locator("main .product-card").count() > 0, catalog.locator("main").inner_text()
    assert (
        catalog.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
        )
        == PRIMARY
    )
    cart = show(page, "Preview pages", "Cart", "/preview/cart")
    assert cart.locator("main tr.cart-line").count() == 3, cart.locator("main").inner_text()
    mail = show(page, "Preview pages", "Mail", "/preview/mail")
    assert mail.locator(".header img.logo").get_attribute("src") == LOGO_PATH
    assert mail.locator(".header").evaluate("h => getComputedStyle(h).backgroundColor") == (
        "rgb(29, 53, 87)"
    )
    assert "NW-1001" in mail.locator(".content").inner_text()
    assert failures == []

    row = page.locator("main tr[data-version='2']")
    with page.expect_navigation():
        row.get_by_role("button", name="Publish").click()
    assert f"Version 2 of {THEME} is published." in main_text(page)
    row = page.locator("main tr[data-version='2']")
    assert row.get_attribute("data-published") is not None
    assert row.locator(".published-mark").inner_text() == "Published"
    assert row.get_by_role("button").count() == 0
    assert "Published: version 2" in main_text(page)
    page.goto(at(port, "/admin/themes"))
    assert page.locator(f"main tr[data-theme={SLUG}] .published").inner_text() == "2"
    assert page.locator(f"main tr[data-theme={SLUG}] .tenants").inner_text() == "–"
    assert failures == []
    page.context.close()


def test_a_vendor_admin_makes_previews_and_publishes_a_stored_theme(browser, base_port: int):
    editor = create_and_edit_on_a_phone(browser, base_port)
    preview_and_publish_at_a_desk(browser, base_port, editor)
