"""The last step of ``make build``: the compiled catalogs are there and current, and a
page renders in every shipped language.

Runs with the app's own virtualenv (no test tools), on a throw-away SQLite database,
with made-up secrets and no broker; nothing of the deployment's environment is
written to. Exit status 0 when the checkout is ready to serve, 1 with the reasons.
"""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
from pathlib import Path

from babel.support import Translations

# The neutral "unknown storefront" page: it needs no tenant, so an empty schema serves it.
SAMPLE_HOST = "build-check.invalid"
SAMPLE_TEXT = "Page not found"


def _sample_pages(database: Path) -> list[str]:
    from channelfront import create_app
    from channelfront.extensions import db
    from channelfront.i18n.locale import SHIPPED_LOCALES

    app = create_app(
        {
            "TESTING": False,
            "CHANNELFRONT_ENV": "production",  # the start refuses stale catalogs, as in production
            "SECRET_KEY": secrets.token_hex(32),
            "LICENSE_SIGNING_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "CELERY_BROKER_URL": "",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        db.create_all()
    directory = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]
    client = app.test_client()
    found = []
    for locale in SHIPPED_LOCALES:
        expected = Translations.load(directory, [locale]).gettext(SAMPLE_TEXT)
        if locale != "en" and expected == SAMPLE_TEXT:
            found.append(f"{locale}: the compiled catalog does not translate {SAMPLE_TEXT!r}")
            continue
        page = client.get("/", headers={"Host": SAMPLE_HOST, "Accept-Language": locale})
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page.get_data(as_text=True), re.S)
        shown = heading.group(1).strip() if heading else None
        if page.status_code != 404 or shown != expected:
            found.append(
                f"{locale}: the sample page shows {shown!r} ({page.status_code}), not {expected!r}"
            )
    with app.app_context():
        db.engine.dispose()
    return found


def main() -> int:
    from channelfront.config import ConfigError

    with tempfile.TemporaryDirectory(prefix="channelfront-build-check-") as scratch:
        try:
            found = _sample_pages(Path(scratch) / "check.db")
        except ConfigError as refusal:
            found = [str(refusal)]
    if found:
        print("The build is not ready to serve:", *found, sep="\n  ", file=sys.stderr)
        return 1
    print(
        "Build check passed: every shipped locale's catalog is compiled and current,"
        " and a page renders in each."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
