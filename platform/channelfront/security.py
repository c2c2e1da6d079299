"""Security headers on every response, HTTPS-aware cookies, and the trusted proxies."""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# Stripe's own card form (used with a real publishable key) loads from Stripe's domains.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' https://js.stripe.com; "
    "frame-src https://js.stripe.com https://hooks.stripe.com; "
    "connect-src 'self' https://api.stripe.com; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# Nothing here uses the camera, the microphone, location or USB; payment requests
# come only from Stripe's card form.
PERMISSIONS_POLICY = (
    'camera=(), microphone=(), geolocation=(), usb=(), payment=(self "https://js.stripe.com")'
)
# No includeSubDomains: a tenant's own domain may have subdomains we do not serve.
HSTS = "max-age=31536000"


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = super().get_cookie_secure(app)
        return configured or (has_request_context() and request.is_secure)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # A signed-in answer (page, CSV, redirect) stays out of every cache, so the browser's
    # back button or a shared proxy never shows it to the next person; files that set
    # their own lifetime (theme assets, logos) keep it.
    if current_user.is_authenticated and response.cache_control.max_age is None:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        # Only the client address and scheme: tenants are resolved from the Host header
        # the load balancer passes through, never from X-Forwarded-Host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(_headers)
