"""Reads for the console's theme pages: the theme list and a theme's versions.

Each function is a fixed number of queries whatever the number of themes, versions
or tenants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from channelfront.theming.models import StoreTheme, ThemeVersion


@dataclass(frozen=True)
class ThemeRow:
    theme: StoreTheme
    latest: int
    tenants: tuple[str, ...]


@dataclass(frozen=True)
class VersionRow:
    number: int
    created_at: datetime
    created_by: str | None
    published: bool


def theme_rows(vendor_id: int) -> list[ThemeRow]:
    """The vendor's stored themes by name, with their latest version and tenants (2 queries)."""
    found = db.session.execute(
        select(StoreTheme, func.max(ThemeVersion.number))
        .outerjoin(ThemeVersion, ThemeVersion.theme_id == StoreTheme.id)
        .where(StoreTheme.vendor_id == vendor_id)
        .group_by(StoreTheme.id)
        .order_by(StoreTheme.name, StoreTheme.id)
    ).all()
    using: dict[str, list[str]] = {}
    if found:
        slugs = [theme.slug for theme, _latest in found]
        for slug, name in db.session.execute(
            select(Tenant.theme, Tenant.name)
            .where(Tenant.vendor_id == vendor_id, Tenant.theme.in_(slugs))
            .order_by(Tenant.name)
        ):
            using.setdefault(slug, []).append(name)
    return [
        ThemeRow(theme=theme, latest=latest or 0, tenants=tuple(using.get(theme.slug, ())))
        for theme, latest in found
    ]


def version_rows(theme: StoreTheme) -> list[VersionRow]:
    """A theme's versions, newest first, with who saved each (one query)."""
    rows = db.session.execute(
        select(ThemeVersion.number, ThemeVersion.created_at, User.name)
        .outerjoin(User, User.id == ThemeVersion.created_by_id)
        .where(ThemeVersion.theme_id == theme.id)
        .order_by(ThemeVersion.number.desc())
    ).all()
    return [
        VersionRow(number, created_at, name, number == theme.published_number)
        for number, created_at, name in rows
    ]


def version_of(theme: StoreTheme, number: int) -> ThemeVersion | None:
    return db.session.scalar(
        select(ThemeVersion).where(ThemeVersion.theme_id == theme.id, ThemeVersion.number == number)
    )


def latest_version(theme: StoreTheme) -> ThemeVersion | None:
    return db.session.scalar(
        select(ThemeVersion)
        .where(ThemeVersion.theme_id == theme.id)
        .order_by(ThemeVersion.number.desc())
        .limit(1)
    )
