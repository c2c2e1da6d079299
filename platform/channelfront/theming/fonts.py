"""The fonts the product ships: self-hosted woff2 files under ``themes/base/static/fonts``.

A stored theme names one of these keys; "system" uses the reader's own fonts and loads
nothing. Each stack ends in generic families so a page never waits for a font.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Font:
    label: str
    stack: str
    stylesheet: str | None  # a file under the base pack's static folder


FONTS: dict[str, Font] = {
    "system": Font("System", "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", None),
    "inter": Font("Inter", "'Inter', system-ui, sans-serif", "fonts/inter/fonts.css"),
    "lora": Font("Lora", "'Lora', Georgia, serif", "fonts/lora/fonts.css"),
    "noto-sans-jp": Font(
        "Noto Sans JP (日本語)",
        "'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', sans-serif",
        "fonts/noto-sans-jp/fonts.css",
    ),
}
