"""Error pages and JSON errors: a clear answer for every bad request, never a 500 page leak."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from channelfront.row_locks import gave_up_waiting
from channelfront.tenancy.middleware import TenantSuspended


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _page(status: int, title: str, message: str):  # type: ignore[no-untyped-def]
    from channelfront.theming.views import render

    if wants_json():
        return jsonify({"error": {"status": status, "message": message}}), status
    if request_ctx.url_adapter is None:
        # Werkzeug refused the Host header before routing: no URLs can be built.
        body = (
            f"<!doctype html><html lang=en><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        )
        return f"{body}<p>{escape(message)}</p></html>", status
    return render("error.html", status=status, title=title, message=message), status


def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
    if exc.response is not None:  # abort(response): the answer is already made
        return exc.response
    status = exc.code or 500
    titles = {
        400: _("Bad request"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("Request too large"),
        429: _("Too many attempts"),
    }
    messages = {
        404: _("There is nothing at this address."),
        405: _("This address does not accept that kind of request."),
        429: _("Too many attempts. Please wait a minute and try again."),
    }
    message = messages.get(status) or exc.description or ""
    allow = [h for h in exc.get_headers() if h[0] == "Allow"]  # RFC 9110: a 405 lists methods
    return (*_page(status, titles.get(status, _("Error")), message), allow)


def _csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
    message = _("The form has expired or is missing its security token. Please reload and retry.")
    return _page(400, _("Bad request"), message)


def _suspended(_exc: TenantSuspended):  # type: ignore[no-untyped-def]
    return _page(503, _("Temporarily unavailable"), _("This storefront is not available."))


def _busy(exc: OperationalError):  # type: ignore[no-untyped-def]
    """A lock not had in time (many requests changing one account): try again, not a 500."""
    if not gave_up_waiting(exc):
        raise exc
    message = _("Many changes to this account are being made right now. Please try again.")
    return (*_page(503, _("Temporarily unavailable"), message), {"Retry-After": "2"})


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(TenantSuspended, _suspended)
    app.register_error_handler(OperationalError, _busy)
    app.register_error_handler(HTTPException, _http_error)
