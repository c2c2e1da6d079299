"""Approvals on the vendor console: the steps of every storefront that name vendor roles or
vendor users. The console runs unscoped, so each step is read and decided inside its own
tenant's scope: the credit picture and the order history are that storefront's, and the
decision's rows are written for it."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from werkzeug.wrappers import Response

from channelfront.admin.blueprint import bp
from channelfront.approvals import pages
from channelfront.approvals.models import ApprovalStep
from channelfront.approvals.views import MAX_ID, decide_from_form, step_page, visible_step
from channelfront.extensions import db
from channelfront.orders.view_support import actor
from channelfront.tenancy.scoping import tenant_scope
from channelfront.theming.views import render

CONSOLE = {"queue": "admin.approvals", "step": "admin.approval", "decide": "admin.decide_approval"}


def _tenant_of(step_id: int) -> int:
    tenant_id = (
        db.session.scalar(select(ApprovalStep.tenant_id).where(ApprovalStep.id == step_id))
        if 0 < step_id <= MAX_ID
        else None
    )
    if tenant_id is None:
        abort(404)
    return tenant_id


@bp.get("/approvals")
def approvals() -> str:
    """The decisions waiting for this vendor user, on every storefront."""
    rows = pages.queue_rows(actor())
    return render("approvals/admin_queue.html", rows=rows, endpoints=CONSOLE, section="approvals")


@bp.get("/approvals/<int:step_id>")
def approval(step_id: int) -> Response | tuple[str, int]:
    me = actor()
    with tenant_scope(_tenant_of(step_id)):
        step, order = visible_step(me, step_id)
        return step_page(me, step, order, CONSOLE)


@bp.post("/approvals/<int:step_id>/decision")
def decide_approval(step_id: int) -> Response | tuple[str, int]:
    with tenant_scope(_tenant_of(step_id)):
        return decide_from_form(actor(), step_id, CONSOLE)
