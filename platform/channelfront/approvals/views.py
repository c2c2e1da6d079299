"""``/approvals`` on a storefront: the decisions waiting for the signed-in user, and the
page where one is taken. Reseller users and the distributor's staff may open them; a
step the user may not see is not found (404), one they see but may not decide is shown
read-only, saying why."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from channelfront.accounts.models import User, UserKind
from channelfront.approvals import deciders, pages, queue
from channelfront.approvals.decisions import MAX_COMMENT, DecisionRefused
from channelfront.approvals.models import ApprovalStep
from channelfront.extensions import db, login_manager
from channelfront.orders.models import Order
from channelfront.orders.view_support import actor, storefront_only
from channelfront.tenancy.middleware import is_admin_site
from channelfront.theming.views import render

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
bp.before_request(storefront_only)

MAX_ID = 2**31 - 1
#: Who gets the nav link: the company roles a step may name, and every staff member.
APPROVING_ROLES = frozenset({"approver", "company_admin"})
STOREFRONT = {"queue": "approvals.queue", "step": "approvals.step", "decide": "approvals.decide"}
Page = Response | tuple[str, int]


@bp.before_request
def _reseller_users_and_staff() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.kind not in (UserKind.RESELLER, UserKind.DISTRIBUTOR):
        abort(403, description=_("Approvals are for the storefront's resellers and staff."))
    return None


def visible_step(user: User, step_id: int) -> tuple[ApprovalStep, Order]:
    """The step and its order, or 404 when there is none the user may see."""
    found = queue.find_step(step_id) if 0 < step_id <= MAX_ID else None
    if found is None or not pages.may_see(user, *found):
        abort(404)
    return found


def step_page(
    user: User,
    step: ApprovalStep,
    order: Order,
    endpoints: dict[str, str],
    status: int = 200,
    refused: DecisionRefused | None = None,
) -> tuple[str, int]:
    """The decision page; after a refused decision, with its message and the comment sent."""
    page = pages.decision_page(user, step, order)
    comment = request.form.get("comment", "")[: MAX_COMMENT + 1] if refused else ""
    template = "approvals/admin_step.html" if is_admin_site() else "approvals/step.html"
    html = render(
        template,
        page=page,
        refused=refused,
        comment=comment,
        endpoints=endpoints,
        order_link=user.kind == UserKind.RESELLER and user.company_id == order.company_id,
        section="approvals",
    )
    return html, status


def decide_from_form(user: User, step_id: int, endpoints: dict[str, str]) -> Page:
    """Take the decision the form sent; refused, the page again with nothing written."""
    step, order = visible_step(user, step_id)
    if not deciders.qualifies(user, step, order):
        message = pages.why_not(user, step, order) or _("You cannot decide this approval.")
        refused = DecisionRefused("approval", message, 403)
        return step_page(user, step, order, endpoints, 403, refused)
    try:
        said = pages.take_decision(
            step.id, user, request.form.get("decision"), request.form.get("comment")
        )
    except DecisionRefused as refused:
        db.session.rollback()
        step, order = visible_step(user, step_id)
        return step_page(user, step, order, endpoints, refused.status, refused)
    for index, message in enumerate(said):
        flash(message, "success" if index == 0 else "error")
    return redirect(url_for(endpoints["queue"]), 303)


@bp.get("", endpoint="queue")
def queue_page() -> str:
    return render("approvals/queue.html", rows=pages.queue_rows(actor()), endpoints=STOREFRONT)


@bp.get("/<int:step_id>")
def step(step_id: int) -> Page:
    me = actor()
    found, order = visible_step(me, step_id)
    return step_page(me, found, order, STOREFRONT)


@bp.post("/<int:step_id>/decision")
def decide(step_id: int) -> Page:
    return decide_from_form(actor(), step_id, STOREFRONT)


@bp.app_template_global()
def approvals_waiting() -> int | None:
    """How many decisions wait for the signed-in user (None: they approve nothing, so
    the nav shows no link). Counted once per request."""
    if not current_user.is_authenticated or not _approves(current_user):
        return None
    if "approvals_waiting" not in g:
        try:
            g.approvals_waiting = len(queue.waiting_for(actor()))
        except SQLAlchemyError:
            # The nav is drawn on error pages too, where the transaction may have failed.
            g.approvals_waiting = 0
    return int(g.approvals_waiting)


def _approves(user: User) -> bool:
    if user.kind == UserKind.RESELLER:
        return user.role in APPROVING_ROLES
    return user.kind in (UserKind.DISTRIBUTOR, UserKind.VENDOR)
