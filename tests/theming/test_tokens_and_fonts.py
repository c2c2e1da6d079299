"""Design tokens are checked before they are stored, and the shipped fonts are served."""

from __future__ import annotations

import pytest

from channelfront.theming.fonts import FONTS
from channelfront.theming.packs import load_theme
from channelfront.theming.tokens import clean_tokens, tokens_of

GOOD = {
    "primary": "#0B4F6C",
    "accent": "#005a8c",
    "surface": "#ffffff",
    "text": "#12263a",
    "radius": "8",
    "header": "underline",
    "font": "noto-sans-jp",
    "banner": {"en": "  Spring   offers  ", "ja": "春のキャンペーン"},
    "featured": "NB-001, NB-002,NB-001",
}


@pytest.fixture
def harbor(app):  # type: ignore[no-untyped-def]
    return load_theme(app.config["THEMES_DIR"], "harbor")


def test_good_tokens_are_normalised(harbor):
    tokens, errors = clean_tokens(GOOD, harbor, ["en", "ja"], {"NB-001", "NB-002"})
    assert errors == {}
    assert tokens["colors"]["primary"] == "#0b4f6c"
    assert tokens["radius"] == 8
    assert tokens["banner"] == {"en": "Spring offers", "ja": "春のキャンペーン"}
    assert tokens["featured"] == ["NB-001", "NB-002"]


def test_a_button_colour_no_text_reads_on_is_refused_naming_the_pair_and_ratio(harbor):
    _tokens, errors = clean_tokens(
        {**GOOD, "accent": "#808080"}, harbor, ["en"], {"NB-001", "NB-002"}
    )
    # Neither white (3.95:1) nor the navy text colour (3.90:1) reads on mid grey.
    assert errors["accent"] == "white text on accent #808080: 3.95:1, needs 4.5:1"


def test_a_light_accent_gets_the_text_colour_on_its_buttons(harbor):
    _tokens, errors = clean_tokens(
        {**GOOD, "accent": "#f5a623"}, harbor, ["en", "ja"], {"NB-001", "NB-002"}
    )
    assert errors == {}


def test_light_text_on_a_light_surface_is_refused(harbor):
    _tokens, errors = clean_tokens(
        {**GOOD, "text": "#bbbbbb"}, harbor, ["en"], {"NB-001", "NB-002"}
    )
    assert errors["text"].startswith("text text on ")
    assert "needs 4.5:1" in errors["text"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primary", "red"),
        ("radius", "25"),
        ("radius", "-1"),
        ("header", "<script>"),
        ("font", "comic-sans"),
        ("featured", "NOPE-1"),
    ],
)
def test_each_bad_token_is_named(harbor, field, value):
    _tokens, errors = clean_tokens(
        {**GOOD, field: value}, harbor, ["en", "ja"], {"NB-001", "NB-002"}
    )
    assert field in errors


def test_a_banner_in_an_unshipped_language_is_refused(harbor):
    _tokens, errors = clean_tokens(
        {**GOOD, "banner": {"xx": "hi"}}, harbor, ["en"], {"NB-001", "NB-002"}
    )
    assert "banner" in errors


def test_a_new_theme_starts_as_its_pack(harbor):
    tokens, errors = clean_tokens(tokens_of(harbor), harbor, ["en"], set())
    assert errors == {}
    assert tokens["colors"]["primary"] == harbor.colors["primary"]


@pytest.mark.parametrize("key", [key for key, font in FONTS.items() if font.stylesheet])
def test_every_shipped_font_is_served_as_woff2(northwind, key):
    client = northwind
    with client.get(f"/theme/base/{FONTS[key].stylesheet}") as css:
        assert css.status_code == 200
        text = css.get_data(as_text=True)
    files = [part.split(")")[0] for part in text.split("url(")[1:]]
    assert files
    assert all(name.endswith(".woff2") for name in files)
    folder = FONTS[key].stylesheet.rsplit("/", 1)[0]
    for name in files:
        with client.get(f"/theme/base/{folder}/{name}") as font:
            assert font.status_code == 200
            assert font.mimetype == "font/woff2"
            assert font.data[:4] == b"wOF2"


def test_the_japanese_font_covers_japanese(northwind):
    client = northwind
    with client.get("/theme/base/fonts/noto-sans-jp/fonts.css") as css:
        assert "japanese-400-normal.woff2" in css.get_data(as_text=True)


def test_a_pack_that_paints_its_header_in_the_accent_needs_white_on_it(app):
    sakura = load_theme(app.config["THEMES_DIR"], "sakura")
    light = {**GOOD, "accent": "#f5a623", "header": "pack"}
    _tokens, errors = clean_tokens(light, sakura, ["en", "ja"], {"NB-001", "NB-002"})
    assert errors["accent"] == "white text on accent #f5a623: 2.03:1, needs 4.5:1"
    _tokens, errors = clean_tokens(
        {**light, "header": "flat"}, sakura, ["en", "ja"], {"NB-001", "NB-002"}
    )
    assert errors == {}
