"""Checking an uploaded logo: a PNG by its signature and header, or an SVG made safe.

The file's bytes decide what it is, never its name or the type the browser sent. An SVG
is rebuilt by py-svg-hush (scripts, event handlers, external references and foreign
content removed); what it returns is what gets stored. Pure functions: no Flask request,
no database.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import py_svg_hush
from flask_babel import gettext as _

MAX_BYTES = 512 * 1024
MAX_SIDE = 2000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG = "image/png"
SVG = "image/svg+xml"


class LogoRefused(ValueError):
    """The upload is not a logo we store; the message says why, for the person uploading."""


@dataclass(frozen=True)
class CheckedLogo:
    content_type: str
    data: bytes


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, which must come first after the signature."""
    if len(data) < 33 or not data.startswith(PNG_SIGNATURE):
        raise LogoRefused(_("The PNG file is damaged: its header is missing."))
    length, kind, width, height = struct.unpack(">I4sII", data[8:24])
    if length != 13 or kind != b"IHDR" or width == 0 or height == 0:
        raise LogoRefused(_("The PNG file is damaged: its header is missing."))
    return width, height


def _png_chunks_whole(data: bytes) -> bool:
    """Every chunk is complete with a matching CRC, and the file ends with IEND."""
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            return False
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[position + 4 : end - 4]) != crc:
            return False
        if kind == b"IEND":
            return end == len(data)
        position = end
    return False


def _png(data: bytes) -> CheckedLogo:
    width, height = png_size(data)
    if not _png_chunks_whole(data):
        raise LogoRefused(_("The PNG file is damaged: it is cut short or corrupted."))
    if width > MAX_SIDE or height > MAX_SIDE:
        raise LogoRefused(
            _(
                "The image is %(width)s × %(height)s pixels; at most %(max)s × %(max)s.",
                width=width,
                height=height,
                max=MAX_SIDE,
            )
        )
    return CheckedLogo(PNG, data)


def _svg(data: bytes) -> CheckedLogo:
    try:
        clean = py_svg_hush.filter_svg(data)
    except ValueError:
        raise LogoRefused(
            _("The SVG file could not be read: it is not well-formed SVG (XML) markup.")
        ) from None
    # The sanitiser keeps only SVG elements; an empty result or another root is no logo.
    if b"<svg" not in clean[:200]:
        raise LogoRefused(_("The file holds no SVG image."))
    return CheckedLogo(SVG, clean)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))


def check_logo(data: bytes) -> CheckedLogo:
    """The logo to store (a sanitised SVG's new bytes), or LogoRefused with the reason."""
    if len(data) > MAX_BYTES:
        raise LogoRefused(_("The logo is larger than %(size)s KB.", size=MAX_BYTES // 1024))
    if not data:
        raise LogoRefused(_("The file is empty."))
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    if _looks_like_svg(data):
        return _svg(data)
    raise LogoRefused(_("Upload the logo as a PNG or an SVG file."))
