"""Stored themes for the wall tests and the form fuzzing, made through the editor's
services (not the demo seed): a theme whose version 1 is published and whose version 2,
with a logo, is a draft; and a second vendor whose theme this console must not find."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.admin.tenant_services import console_vendor
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.tenancy.models import Vendor
from channelfront.theming import editor

VENDOR_ADMIN = "admin@nimbus.example"


def png(width: int = 120, height: int = 40) -> bytes:
    """A real PNG of that size (grey pixels), made byte by byte."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class MadeTheme:
    id: int
    slug: str
    published: int
    draft: int
    logo_sha256: str


def stored_theme(
    vendor_id: int, slug: str, name: str, parent: str = "base", logo: bytes | None = None
) -> MadeTheme:
    """Version 1 copied from the pack and published; version 2 a draft with a banner, a
    featured product and a logo (``png()`` unless given). Committed."""
    admin = db.session.scalars(select(User).where(User.email == VENDOR_ADMIN)).one()
    themes_dir = current_app.config["THEMES_DIR"]
    theme = editor.create_theme(vendor_id, admin, editor.NewTheme(name, slug, parent), themes_dir)
    first = theme.versions[0]
    editor.publish_version(theme, first.number, admin)
    raw = {**first.tokens, "banner": {"en": f"{name} banner"}, "featured": ["INS-STD-1Y"]}
    change = editor.LogoChange(upload=logo or png())
    draft = editor.save_version(theme, admin, raw, change, first, themes_dir, SHIPPED_LOCALES)
    db.session.commit()
    assert draft.logo is not None
    return MadeTheme(theme.id, theme.slug, first.number, draft.number, draft.logo.sha256)


def console_theme(slug: str = "matrix-theme") -> MadeTheme:
    """A theme of the vendor whose console this is."""
    vendor = console_vendor()
    assert vendor is not None
    return stored_theme(vendor.id, slug, slug.replace("-", " ").title())


def other_vendor_theme(slug: str = "matrix-theme") -> MadeTheme:
    """A theme of another vendor (same slug, so only the vendor tells them apart)."""
    vendor = Vendor(slug="matrix-other-vendor", name="Matrix Other Vendor")
    db.session.add(vendor)
    db.session.flush()
    return stored_theme(vendor.id, slug, "Other Vendor Theme", "harbor", png(60, 20))
