"""The console blueprint, who may enter it, and what every console page handler shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from channelfront.accounts.models import UserKind
from channelfront.extensions import db, login_manager
from channelfront.tenancy.middleware import is_admin_site
from channelfront.theming.views import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _vendor_staff_only() -> Response | None:
    # The console does not exist on tenant hosts, signed in or not: 404 reveals nothing.
    if not is_admin_site():
        abort(404)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.kind != UserKind.VENDOR:
        abort(403)
    return None


@bp.errorhandler(IntegrityError)
def _conflict(_exc: IntegrityError) -> tuple[str, int]:
    # The services check uniqueness first; this only answers a race with another submission.
    db.session.rollback()
    message = _("Someone saved a conflicting change at the same time. Reload the page and retry.")
    return render("error.html", status=409, title=_("Conflict"), message=message), 409


def initial(values: dict[str, Any]) -> dict[str, Any] | None:
    """Values to show in a form when it is first shown; a submission shows only what was sent."""
    return values if request.method == "GET" else None


def attach_errors(form: FlaskForm, errors: Mapping[str, str]) -> None:
    """Show a service's errors on the form fields they name (others above the form)."""
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def form_page(template: str, **context: Any) -> tuple[str, int]:
    """Render a page holding a form: 400 when it answers a submission that failed."""
    status = 400 if request.method == "POST" else 200
    return render(template, **context), status
