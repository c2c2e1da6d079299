"""The HTML part of a mail: the text body, escaped and linked, in the theme's mail layout.

The layout is our own template; every tenant value reaches it as data and is
escaped by Jinja's autoescaping, so a tenant never supplies template code.
"""

from __future__ import annotations

import re

import css_inline
from flask import render_template
from markupsafe import Markup, escape

from channelfront.mail.brand import Brand
from channelfront.theming.loader import themed_name

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _linked(text: str) -> Markup:
    """Escape a piece of text and turn its http(s) URLs into links."""
    pieces: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        pieces.append(str(escape(text[position : match.start()])))
        url = escape(match.group(0))
        pieces.append(f'<a href="{url}">{url}</a>')
        position = match.end()
    pieces.append(str(escape(text[position:])))
    return Markup("".join(pieces))  # noqa: S704 - every piece above is escaped


def paragraphs(text: str) -> list[Markup]:
    """The text's blank-line separated paragraphs, escaped, linked, line breaks kept."""
    blocks = [block.strip("\n") for block in _BLANK_LINES.split(text.replace("\r\n", "\n"))]
    return [Markup("<br>\n").join(_linked(line) for line in b.split("\n")) for b in blocks if b]


def html_body(text: str, subject: str, brand: Brand, language: str) -> str:
    """The mail's HTML: the text in the brand's layout, with its CSS inlined."""
    html = render_template(
        themed_name(brand.theme, "mail/layout.html"),
        brand=brand,
        subject=subject,
        language=language,
        paragraphs=paragraphs(text),
    )
    return css_inline.inline(html)
