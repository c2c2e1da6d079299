"""What the pages behind mailed links share: the site a link must be for, and the page
that says why a link cannot be used."""

from __future__ import annotations

from channelfront.accounts.links import LinkProblem, LinkRefused
from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.views import render


def site_tenant_id() -> int | None:
    """The tenant of this host; None on the vendor console."""
    tenant = current_tenant()
    return tenant.id if tenant else None


def link_refused_page(refused: LinkRefused) -> tuple[str, int]:
    status = 404 if refused.problem is LinkProblem.INVALID else 410
    return render("accounts/link_refused.html", message=refused.message), status
