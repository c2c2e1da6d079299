"""The distributor's deal queue (``/partners/deals``) and decision page, for partner
managers and distributor administrators. Conflicting registrations by other resellers
are shown with their names."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from channelfront.deals import decisions, listing
from channelfront.deals.decisions import DecisionRefused
from channelfront.deals.models import Deal
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.orders.view_support import actor, storefront_only
from channelfront.outbox.services import commit_and_dispatch
from channelfront.partners.blueprint import PARTNER_ROLES, roles
from channelfront.partners.blueprint import _distributor_staff_only as distributor_staff_only
from channelfront.theming.views import render
from channelfront.web.params import MAX_ID, parse_whole

bp = Blueprint("partner_deals", __name__, url_prefix="/partners")
bp.before_request(storefront_only)
bp.before_request(distributor_staff_only)


def _deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id) if 0 < deal_id <= MAX_ID else None
    if deal is None:
        abort(404)
    return deal


@bp.get("/deals")
@roles(*PARTNER_ROLES)
def queue() -> str:
    status = request.args.get("status", "pending")
    q = request.args.get("q", "")[:100]
    page = listing.deal_page(None, status, q, parse_whole(request.args.get("page"), minimum=1) or 1)
    conflicts = listing.conflicts_by_deal(page.rows)
    everyone = page.rows + [d for found in conflicts.values() for d in found]
    return render(
        "deals/partner_queue.html",
        page=page,
        status=status if status in listing.STATUSES else "",
        q=q,
        statuses=listing.STATUSES,
        conflicts=conflicts,
        companies=listing.company_names(everyone),
        Money=Money,
    )


def _detail_page(
    deal: Deal, error: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    conflicts = listing.conflicts_of(deal)
    html = render(
        "deals/partner_detail.html",
        deal=deal,
        conflicts=conflicts,
        companies=listing.company_names([deal, *conflicts]),
        errors=error or {},
        form=request.form if error else {},
        Money=Money,
    )
    return html, status


@bp.get("/deals/<int:deal_id>")
@roles(*PARTNER_ROLES)
def detail(deal_id: int) -> tuple[str, int]:
    return _detail_page(_deal(deal_id))


@bp.post("/deals/<int:deal_id>/decision")
@roles(*PARTNER_ROLES)
def decide(deal_id: int) -> Response | tuple[str, int]:
    deal = _deal(deal_id)
    form = request.form
    try:
        decisions.decide(deal, actor(), str(form.get("decision") or ""), form.get("reason"))
    except DecisionRefused as refused:
        db.session.rollback()
        return _detail_page(_deal(deal_id), {"decision": refused.message}, refused.status)
    except OrderInputError as error:
        db.session.rollback()
        return _detail_page(_deal(deal_id), {error.field: error.message}, 422)
    commit_and_dispatch()
    flash(_("Your decision on deal %(number)s is saved.", number=deal.number), "success")
    return redirect(url_for("partner_deals.queue"), 303)
