"""Query-string parameters of catalog listings, checked once for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from channelfront.catalog.services import MAX_QUERY_LENGTH

MAX_PAGE = 100_000


class ParamError(ValueError):
    """A query parameter is invalid; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


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
    raw_page = (args.get("page") or "1").strip()
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise ParamError(
            "page", _("The page must be a whole number from 1 to %(max)d.", max=MAX_PAGE)
        )
    category = (args.get("category") or "").strip() or None
    if category is not None and (len(category) > 40 or not category.isprintable()):
        raise ParamError("category", _("There is no such category."))
    return CatalogArgs(query=query, category=category, page=int(raw_page))
