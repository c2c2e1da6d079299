"""Query-string parameters of catalog listings, checked once for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from channelfront.catalog.services import MAX_QUERY_LENGTH
from channelfront.web.params import MAX_PAGE, ParamError, page_number

__all__ = ["MAX_PAGE", "CatalogArgs", "ParamError", "parse_catalog_args"]


@dataclass(frozen=True)
class CatalogArgs:
    query: str
    category: str | None
    page: int


def parse_catalog_args(args: Mapping[str, str]) -> CatalogArgs:
    """Read ``q``, ``category`` and ``page``; raise ParamError naming a bad one."""
    query = (args.get("q") or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ParamError(
            "q",
            _("The search text is too long (at most %(max)d characters).", max=MAX_QUERY_LENGTH),
        )
    if not query.isprintable():
        raise ParamError("q", _("The search text contains characters that cannot be searched."))
    page = page_number(args)
    category = (args.get("category") or "").strip() or None
    if category is not None and (len(category) > 40 or not category.isprintable()):
        raise ParamError("category", _("There is no such category."))
    return CatalogArgs(query=query, category=category, page=page)
