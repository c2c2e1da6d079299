"""docs/operations.md lists every setting the code reads, and nothing the code does not read."""

from __future__ import annotations

import re
from pathlib import Path

from channelfront.setup.cli import PASSWORD_ENV
from channelfront.webhooks.settings import DEFAULTS as WEBHOOK_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operations.md"
# A name read from the environment: os.environ.get("X"), os.environ["X"], os.getenv("X"),
# or config.py's and gunicorn.conf.py's readers (_whole_number("X", ...) and the like).
READ = re.compile(
    r"""(?:environ\.get|getenv|_whole_number|_rate_limit|_flag|_choice)\(\s*['"]([A-Z][A-Z0-9_]+)['"]"""
    r"""|environ\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]"""
)
# Keys of the WSGI environ, not settings.
NOT_SETTINGS = {"HTTP_X_REQUEST_ID"}


def _sources() -> list[Path]:
    return [
        *sorted((ROOT / "platform").rglob("*.py")),
        ROOT / "wsgi.py",
        ROOT / "gunicorn.conf.py",
    ]


def settings_in_code() -> set[str]:
    names = {PASSWORD_ENV, *WEBHOOK_DEFAULTS, "WEBHOOK_ALLOW_LOOPBACK"}
    for path in _sources():
        for match in READ.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names - NOT_SETTINGS


def settings_in_doc() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Every setting", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", table, re.M))


def test_the_code_reads_settings_we_can_find():
    # A guard for the pattern above: these are surely read.
    assert {"SECRET_KEY", "DATABASE_URL", "MAIL_USE_TLS", "GUNICORN_WORKERS"} <= settings_in_code()


def test_every_setting_the_code_reads_is_documented():
    missing = settings_in_code() - settings_in_doc()
    assert not missing, f"add to the table under 'Every setting' in docs/operations.md: {missing}"


def test_the_table_names_no_setting_the_code_does_not_read():
    stale = settings_in_doc() - settings_in_code()
    assert not stale, f"docs/operations.md documents settings no code reads: {stale}"
