"""WCAG 2.x colour contrast: relative luminance, contrast ratio and the pairs a theme shows.

Pure functions on ``#rrggbb`` strings; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

AA_NORMAL = 4.5
WHITE = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb`` (0 for black, 1 for white)."""
    text = color.strip().lstrip("#")
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two colours, from 1.0 to 21.0 (order does not matter)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Pair:
    """A foreground colour on a background colour, as the pages paint them."""

    key: str  # e.g. "white-on-accent"
    foreground_name: str
    background_name: str
    foreground: str
    background: str

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.foreground, self.background)

    @property
    def passes(self) -> bool:
        # Compare the ratio as shown (two decimals) so the message and the verdict agree.
        return round(self.ratio, 2) >= AA_NORMAL


def button_text_color(colors: Mapping[str, str]) -> str | None:
    """The text colour of buttons on the accent: white when it reads at AA, else the
    theme's text colour when that does; None when neither does."""
    for candidate in (WHITE, colors.get("text")):
        if candidate and round(contrast_ratio(candidate, colors["accent"]), 2) >= AA_NORMAL:
            return candidate
    return None


def theme_pairs(colors: Mapping[str, str]) -> list[Pair]:
    """The text-on-colour pairs every page shows: white on the header (primary), the button
    text on buttons (accent; white unless the colours name ``on_accent``), and the body
    text on the background and on surfaces (cards, tables)."""
    on_accent = colors.get("on_accent", WHITE)
    pairs = [
        Pair("white-on-primary", "white", "primary", WHITE, colors["primary"]),
        Pair(
            "white-on-accent" if on_accent == WHITE else "button-text-on-accent",
            "white" if on_accent == WHITE else "button",
            "accent",
            on_accent,
            colors["accent"],
        ),
    ]
    for ground in ("background", "surface"):
        if "text" in colors and ground in colors:
            pairs.append(Pair(f"text-on-{ground}", "text", ground, colors["text"], colors[ground]))
    return pairs


def failing_pairs(colors: Mapping[str, str]) -> list[Pair]:
    """The pairs below WCAG AA for normal text (4.5:1)."""
    return [pair for pair in theme_pairs(colors) if not pair.passes]
