"""The Partners area (``/partners``) of a storefront, for the distributor's staff.

One guard for the whole area: on a storefront host, signed in, distributor staff of
this tenant. Each page then names the roles that may use it with :func:`roles`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user

from channelfront.accounts.models import UserKind
from channelfront.extensions import login_manager
from channelfront.orders.view_support import storefront_only
from channelfront.theming.views import render

bp = Blueprint("partners", __name__, url_prefix="/partners")
bp.before_request(storefront_only)

F = TypeVar("F", bound=Callable[..., Any])

# Who runs the partner programme: applications, enrollments, credit limits.
PARTNER_ROLES = ("distributor_admin", "partner_manager")
ADMIN_ROLES = ("distributor_admin",)


@bp.before_request
def _distributor_staff_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.kind != UserKind.DISTRIBUTOR:
        abort(403, description=_("The Partners area is for the distributor's staff."))
    return None


def roles(*allowed: str) -> Callable[[F], F]:
    """Only these distributor roles may use the page; others get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403, description=_("Your role cannot use this page."))
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


@bp.route("")
def index() -> str:
    """The sections this person's role may open."""
    return render("partners/index.html")
