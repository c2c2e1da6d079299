"""Theme packs on disk: ``themes/<name>/theme.toml``, ``templates/`` and ``static/``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

BASE_THEME = "base"
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
FONT_STACK = re.compile(r"^[A-Za-z0-9 ,'\-]{1,200}$")
LENGTH = re.compile(r"^(0|\d{1,3}(px|rem|em))$")


class UnknownTheme(LookupError):
    """No theme pack of that name exists."""


@dataclass(frozen=True)
class Theme:
    """A theme's settings, its parent chain already merged in."""

    name: str
    label: str
    chain: tuple[str, ...]
    colors: dict[str, str] = field(default_factory=dict)
    fonts: dict[str, str] = field(default_factory=dict)
    layout: dict[str, str] = field(default_factory=dict)


def _read(themes_dir: Path, name: str) -> dict:
    if not _NAME.match(name):
        raise UnknownTheme(name)
    path = themes_dir / name / "theme.toml"
    if not path.is_file():
        raise UnknownTheme(name)
    with path.open("rb") as handle:
        return tomllib.load(handle)


@cache
def load_theme(themes_dir: str, name: str) -> Theme:
    """Load a theme and merge its parents' settings under its own."""
    root = Path(themes_dir)
    data = _read(root, name)
    parent_name = data.get("parent", BASE_THEME if name != BASE_THEME else None)
    parent = load_theme(themes_dir, parent_name) if parent_name else None
    colors = {**(parent.colors if parent else {}), **data.get("colors", {})}
    for key, value in colors.items():
        if not COLOR.match(value):
            raise ValueError(f"theme {name}: colour {key} must be #rrggbb")
    fonts = {**(parent.fonts if parent else {}), **data.get("fonts", {})}
    if not all(FONT_STACK.match(value) for value in fonts.values()):
        raise ValueError(f"theme {name}: fonts may hold only names, quotes and commas")
    layout = {**(parent.layout if parent else {}), **data.get("layout", {})}
    if "radius" in layout and not LENGTH.match(layout["radius"]):
        raise ValueError(f"theme {name}: layout.radius must be a length like 6px")
    return Theme(
        name=name,
        label=data.get("label", name),
        chain=(name, *(parent.chain if parent else ())),
        colors=colors,
        fonts=fonts,
        layout=layout,
    )


@cache
def available_themes(themes_dir: str) -> tuple[str, ...]:
    """Names of the theme packs on disk (read once: packs change only with a deploy)."""
    return tuple(sorted(p.parent.name for p in Path(themes_dir).glob("*/theme.toml")))
