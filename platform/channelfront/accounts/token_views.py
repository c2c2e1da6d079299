"""A user's API tokens on the current storefront: list, create (shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from channelfront.api.models import ApiToken
from channelfront.api.tokens import issue_token
from channelfront.extensions import db
from channelfront.tenancy.middleware import current_tenant, is_admin_site
from channelfront.theming.views import render

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@bp.before_request
@login_required
def _storefront_only() -> None:
    if is_admin_site():
        abort(404)


def _own_tokens() -> list[ApiToken]:
    # Tenant scoping limits this to the current storefront's tokens.
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == current_user.id, ApiToken.revoked.is_(False))
            .order_by(ApiToken.id)
        )
    )


@bp.get("/")
def index() -> str:
    return render("accounts/tokens.html", tokens=_own_tokens(), form=FlaskForm(), new_token=None)


@bp.post("/")
def create() -> str:
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    raw = issue_token(current_user, current_tenant().id)
    db.session.commit()
    return render("accounts/tokens.html", tokens=_own_tokens(), form=form, new_token=raw)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int) -> Response:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
    )
    if token is None:
        abort(404)
    token.revoked = True
    db.session.commit()
    flash(_("The token %(prefix)s… no longer works.", prefix=token.prefix), "info")
    return redirect(url_for("tokens.index"))
