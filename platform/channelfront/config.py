"""Configuration read from the environment, with safe embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _default_database_url() -> str:
    return f"sqlite:///{ROOT / 'var' / 'channelfront.db'}"


def from_environment() -> dict[str, object]:
    """Build the Flask config mapping from environment variables."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-secret-change-me"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", _default_database_url()),
        "ADMIN_HOST": os.environ.get("ADMIN_HOST", "admin.localhost").lower(),
        "CELERY_BROKER_URL": broker,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "TENANTS_DIR": os.environ.get("TENANTS_DIR", str(ROOT / "tenants")),
        "THEMES_DIR": os.environ.get("THEMES_DIR", str(ROOT / "themes")),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "PASSWORD_HASH_COST": os.environ.get("PASSWORD_HASH_COST", "standard"),
        "CATALOG_PAGE_SIZE": 24,
        "LICENSE_SIGNING_KEY": os.environ.get("LICENSE_SIGNING_KEY", ""),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25") or 25),
        "MAIL_SENDER": os.environ.get(
            "MAIL_SENDER", "Channelfront <no-reply@channelfront.localhost>"
        ),
        "MAIL_BACKEND": "smtp" if os.environ.get("MAIL_SERVER") else "console",
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_PAYMENT_METHOD_TYPES": os.environ.get("STRIPE_PAYMENT_METHOD_TYPES", "card"),
    }
