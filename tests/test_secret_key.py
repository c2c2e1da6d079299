"""No public default secret: production refuses to start without its secrets, development
makes up a local key and says so, and a session signed with the old public value opens
nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront import create_app
from channelfront.accounts.models import User
from channelfront.config import ConfigError
from channelfront.extensions import db

ROOT = Path(__file__).resolve().parents[1]
OLD_PUBLIC_DEFAULT = "dev-only-secret-change-me"


def started(**overrides: object) -> Flask:
    settings = {
        "TESTING": False,
        "CHANNELFRONT_ENV": "production",
        "SECRET_KEY": "a-real-secret-of-this-deployment",
        "LICENSE_SIGNING_KEY": "a-license-key-that-never-rotates",
        **overrides,
    }
    return create_app(settings)


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"LICENSE_SIGNING_KEY": ""}, "LICENSE_SIGNING_KEY must be set"),
        ({"SECRET_KEY": "", "LICENSE_SIGNING_KEY": ""}, "SECRET_KEY and LICENSE_SIGNING_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(missing, named):
    with pytest.raises(ConfigError, match=named):
        started(**missing)


def test_the_old_public_default_is_refused_everywhere():
    for environment in ("production", "development"):
        with pytest.raises(ConfigError, match="published development value"):
            started(CHANNELFRONT_ENV=environment, SECRET_KEY=OLD_PUBLIC_DEFAULT)


def test_production_starts_with_both_secrets():
    app = started()
    assert app.config["SECRET_KEY"] == "a-real-secret-of-this-deployment"


def test_development_makes_up_a_local_key_and_warns(tmp_path, capsys):
    key_file = tmp_path / "var" / "dev-secret-key"
    first = started(
        CHANNELFRONT_ENV="development",
        SECRET_KEY="",
        LICENSE_SIGNING_KEY="",
        DEV_SECRET_KEY_FILE=str(key_file),
    )
    warning = capsys.readouterr().err
    assert "WARNING: SECRET_KEY is not set" in warning
    assert str(key_file) in warning
    key = first.config["SECRET_KEY"]
    assert len(key) == 64
    assert key != OLD_PUBLIC_DEFAULT
    assert key_file.stat().st_mode & 0o077 == 0, "the key file is readable by others"
    again = started(
        CHANNELFRONT_ENV="development", SECRET_KEY="", DEV_SECRET_KEY_FILE=str(key_file)
    )
    assert again.config["SECRET_KEY"] == key, "a restart keeps the development key"


def test_a_session_forged_with_the_old_public_default_is_refused(app, tmp_path, monkeypatch):
    """An app started without SECRET_KEY (in development) ignores a vendor session signed
    with the value earlier releases fell back to."""
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.email == "admin@nimbus.example"))
    forger = Flask("forger")
    forger.secret_key = OLD_PUBLIC_DEFAULT
    cookie = forger.session_interface.get_signing_serializer(forger).dumps(
        {"_user_id": str(admin_id), "_fresh": True}
    )
    monkeypatch.delenv("SECRET_KEY", raising=False)
    without_key = create_app(
        {
            "TESTING": False,
            "CHANNELFRONT_ENV": "development",
            "DEV_SECRET_KEY_FILE": str(tmp_path / "dev-secret-key"),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "ADMIN_HOST": "admin.localhost",
        }
    )
    client = without_key.test_client()
    client.set_cookie("session", cookie, domain="admin.localhost")
    response = client.get("/admin/", base_url="http://admin.localhost")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def _environment(**values: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "LICENSE_SIGNING_KEY"}}
    return {
        **keep,
        "CHANNELFRONT_ENV": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        **values,
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_gunicorn_will_not_serve_without_a_secret_key(tmp_path):
    env = _environment(DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}")
    done = _run(env, "gunicorn", "wsgi:app", "--bind", "127.0.0.1:0")
    assert done.returncode != 0
    assert "Channelfront will not start: SECRET_KEY and LICENSE_SIGNING_KEY must be set" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr


def test_the_flask_command_says_what_to_set(tmp_path):
    env = _environment(SECRET_KEY="set", DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}")
    done = _run(env, "flask", "--app", "wsgi", "db", "heads")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "Channelfront will not start: LICENSE_SIGNING_KEY must be set (random secrets, e.g. from"
        " `python -c 'import secrets; print(secrets.token_hex(32))'`). For a development"
        " server set CHANNELFRONT_ENV=development instead."
    ]


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("TRUSTED_PROXIES", "²", "TRUSTED_PROXIES must be a whole number from 0 to 10"),
        ("TRUSTED_PROXIES", "11", "TRUSTED_PROXIES must be a whole number from 0 to 10"),
        ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES must be a whole number"),
        ("SESSION_MAX_HOURS", "twelve", "SESSION_MAX_HOURS must be a whole number"),
        ("LOGIN_ACCOUNT_RATE_LIMIT", "lots", "LOGIN_ACCOUNT_RATE_LIMIT is not a rate limit"),
        ("LOGIN_RATE_LIMIT", "10 per fortnight", "LOGIN_RATE_LIMIT is not a rate limit"),
        ("CHANNELFRONT_ENV", "staging", "CHANNELFRONT_ENV must be one of production, development"),
    ],
)
def test_a_bad_setting_is_named_at_startup(monkeypatch, name, value, named):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=named):
        started()
