"""A Jinja loader and environment that put the theme into every template name.

Templates are rendered as ``@<theme>/<name>``. The loader looks the name up along
the theme's parent chain down to ``base``. Because the theme is part of the name,
it is part of Jinja's cache key, so one tenant's page is never served from
another theme's compiled template. ``{% extends %}`` and ``{% include %}`` keep
the theme of the template they appear in.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.templating import Environment
from jinja2 import BaseLoader, TemplateNotFound
from jinja2.loaders import split_template_path

from channelfront.theming.packs import BASE_THEME, UnknownTheme, load_theme


def themed_name(theme: str, name: str) -> str:
    return f"@{theme}/{name}"


def split_themed_name(template: str) -> tuple[str, str]:
    if template.startswith("@") and "/" in template:
        theme, _, name = template[1:].partition("/")
        return theme, name
    return BASE_THEME, template


class ThemedEnvironment(Environment):
    def join_path(self, template: str, parent: str) -> str:
        if template.startswith("@"):
            return template
        theme, _ = split_themed_name(parent)
        return themed_name(theme, template)


class ThemeLoader(BaseLoader):
    def __init__(self, themes_dir: str) -> None:
        self.themes_dir = themes_dir

    def get_source(self, environment, template):  # type: ignore[no-untyped-def]
        theme_name, name = split_themed_name(template)
        try:
            chain = load_theme(self.themes_dir, theme_name).chain
        except UnknownTheme:
            chain = (BASE_THEME,)
        pieces = split_template_path(name)
        for theme in chain:
            path = Path(self.themes_dir, theme, "templates", *pieces)
            if path.is_file():
                source = path.read_text(encoding="utf-8")
                mtime = path.stat().st_mtime
                return source, str(path), lambda p=path, m=mtime: p.stat().st_mtime == m
        raise TemplateNotFound(template)


class ThemedFlask(Flask):
    jinja_environment = ThemedEnvironment

    def create_global_jinja_loader(self):  # type: ignore[no-untyped-def]
        return ThemeLoader(self.config["THEMES_DIR"])
