"""Configuration read from the environment, with safe embedded defaults."""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from limits import parse_many

ROOT = Path(__file__).resolve().parents[2]
# Shipped as the fallback by earlier releases: anyone can sign a session with it.
PUBLIC_SECRET_KEYS = frozenset({"dev-only-secret-change-me"})
ENVIRONMENTS = ("production", "development")


class ConfigError(RuntimeError):
    """The environment cannot run this deployment; the message says what to set."""


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,7}", raw) or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _rate_limit(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip() or default
    try:
        parse_many(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} is not a rate limit such as '10 per minute': {raw!r}") from exc
    return raw


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be true or false (1 or 0), not {raw!r}")


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip() or default
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")


def _environment() -> str:
    name = os.environ.get("CHANNELFRONT_ENV", "").strip().lower() or "production"
    if name not in ENVIRONMENTS:
        raise ConfigError(
            f"CHANNELFRONT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}"
        )
    return name


def _default_database_url() -> str:
    return f"sqlite:///{ROOT / 'var' / 'channelfront.db'}"


def from_environment() -> dict[str, object]:
    """Build the Flask config mapping from environment variables."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    return {
        "CHANNELFRONT_ENV": _environment(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "DEV_SECRET_KEY_FILE": os.environ.get(
            "DEV_SECRET_KEY_FILE", str(ROOT / "var" / "dev-secret-key")
        ),
        "TRUSTED_PROXIES": _whole_number("TRUSTED_PROXIES", 0, 0, 10),
        "SESSION_IDLE_MINUTES": _whole_number("SESSION_IDLE_MINUTES", 60, 1, 7 * 24 * 60),
        "SESSION_MAX_HOURS": _whole_number("SESSION_MAX_HOURS", 12, 1, 90 * 24),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", _default_database_url()),
        # Seconds a transaction waits for a row (PostgreSQL) or the database (SQLite) lock.
        "DB_LOCK_TIMEOUT": _whole_number("DB_LOCK_TIMEOUT", 30, 1, 600),
        "ADMIN_HOST": os.environ.get("ADMIN_HOST", "admin.localhost").lower(),
        "CELERY_BROKER_URL": broker,
        # Seconds between a worker's heartbeats (and beat's), and the age at which the
        # console's status page calls a worker or beat stale.
        "HEARTBEAT_SECONDS": _whole_number("HEARTBEAT_SECONDS", 15, 1, 300),
        "HEARTBEAT_STALE_SECONDS": _whole_number("HEARTBEAT_STALE_SECONDS", 60, 2, 86400),
        # /metrics answers callers off this machine only with "Authorization: Bearer <it>".
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": _rate_limit("LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_ACCOUNT_RATE_LIMIT": _rate_limit(
            "LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour"
        ),
        "PASSWORD_RESET_RATE_LIMIT": _rate_limit("PASSWORD_RESET_RATE_LIMIT", "20 per hour"),
        "PASSWORD_RESET_ACCOUNT_RATE_LIMIT": _rate_limit(
            "PASSWORD_RESET_ACCOUNT_RATE_LIMIT", "5 per hour"
        ),
        "APPLY_RATE_LIMIT": _rate_limit("APPLY_RATE_LIMIT", "5 per hour"),
        "QUOTE_PAY_RATE_LIMIT": _rate_limit("QUOTE_PAY_RATE_LIMIT", "10 per minute"),
        "RENEWAL_PAY_RATE_LIMIT": _rate_limit("RENEWAL_PAY_RATE_LIMIT", "10 per minute"),
        "TENANTS_DIR": os.environ.get("TENANTS_DIR", str(ROOT / "tenants")),
        "THEMES_DIR": os.environ.get("THEMES_DIR", str(ROOT / "themes")),
        # The gettext catalogs (.po and their compiled .mo); production refuses to start
        # when a .mo is missing or older than its .po (i18n/compiled.py).
        "BABEL_TRANSLATION_DIRECTORIES": os.environ.get("TRANSLATIONS_DIR")
        or str(ROOT / "translations"),
        # Files the processes write (beat's schedule, gunicorn's control socket): never
        # the code directory, which production mounts read-only.
        "STATE_DIR": os.environ.get("STATE_DIR") or str(ROOT / "var"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "PASSWORD_HASH_COST": os.environ.get("PASSWORD_HASH_COST", "standard"),
        "CATALOG_PAGE_SIZE": 24,
        "LICENSE_SIGNING_KEY": os.environ.get("LICENSE_SIGNING_KEY", ""),
        # Retired license signing keys, comma-separated: license keys they signed still
        # verify (fulfillment/signing.py).
        "LICENSE_SIGNING_KEYS_OLD": os.environ.get("LICENSE_SIGNING_KEYS_OLD", ""),
        # Log lines of web, worker and beat (logs.py): the least level, text or JSON.
        "LOG_LEVEL": _choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        "LOG_FORMAT": _choice("LOG_FORMAT", "text", ("text", "json")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25") or 25),
        "MAIL_SENDER": os.environ.get(
            "MAIL_SENDER", "Channelfront <no-reply@channelfront.localhost>"
        ),
        # Where replies go when a storefront names no support address.
        "MAIL_REPLY_TO": os.environ.get("MAIL_REPLY_TO", ""),
        "MAIL_BACKEND": "smtp" if os.environ.get("MAIL_SERVER") else "console",
        # The SMTP login, and how the connection is secured (mail/smtp.py): MAIL_USE_TLS
        # is STARTTLS, MAIL_USE_SSL is TLS from the first byte; at most one of them.
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_TIMEOUT": _whole_number("MAIL_TIMEOUT", 10, 1, 300),
        # Certificate authorities trusted for the SMTP server instead of the system's.
        "MAIL_CA_FILE": os.environ.get("MAIL_CA_FILE", ""),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_PAYMENT_METHOD_TYPES": os.environ.get("STRIPE_PAYMENT_METHOD_TYPES", "card"),
    }


def _development_key(path: Path) -> str:
    """A random key kept in ``path``, so sessions and links survive a dev server restart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_hex(32))
    return path.read_text().strip()


def _check_mail(config: MutableMapping[str, Any]) -> None:
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        raise ConfigError(
            "MAIL_USE_TLS (STARTTLS, port 587) and MAIL_USE_SSL (implicit TLS, port 465)"
            " exclude each other: set the one your mail server speaks"
        )
    if config.get("MAIL_USERNAME") and not (
        config.get("MAIL_USE_TLS") or config.get("MAIL_USE_SSL")
    ):
        raise ConfigError(
            "MAIL_USERNAME is set without MAIL_USE_TLS or MAIL_USE_SSL: the password would"
            " cross the network in clear"
        )


def settle_secrets(config: MutableMapping[str, Any]) -> None:
    """Check the secrets once the configuration is complete; raise ConfigError.

    Production needs ``SECRET_KEY`` (sessions, CSRF, renewal links) and
    ``LICENSE_SIGNING_KEY`` (license keys, which must outlive a rotation of the first).
    Development (``CHANNELFRONT_ENV=development``, as ``make run`` sets) makes up a
    local key and says so; a test app without a key gets a random one.
    """
    _check_mail(config)
    if config.get("SECRET_KEY") in PUBLIC_SECRET_KEYS:
        raise ConfigError("SECRET_KEY is a published development value: set a random secret")
    if config.get("TESTING"):
        config["SECRET_KEY"] = config.get("SECRET_KEY") or secrets.token_hex(32)
        return
    if config.get("CHANNELFRONT_ENV") == "development":
        if not config.get("SECRET_KEY"):
            path = Path(config["DEV_SECRET_KEY_FILE"])
            config["SECRET_KEY"] = _development_key(path)
            print(
                f"WARNING: SECRET_KEY is not set; development uses the local key in {path}."
                " Never serve real users like this.",
                file=sys.stderr,
            )
        return
    missing = [name for name in ("SECRET_KEY", "LICENSE_SIGNING_KEY") if not config.get(name)]
    if missing:
        raise ConfigError(
            f"{' and '.join(missing)} must be set (random secrets, e.g. from"
            " `python -c 'import secrets; print(secrets.token_hex(32))'`)."
            " For a development server set CHANNELFRONT_ENV=development instead."
        )
