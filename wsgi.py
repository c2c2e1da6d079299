"""WSGI entry point for gunicorn and ``flask --app wsgi``."""

import sys

from channelfront import create_app
from channelfront.config import ConfigError

try:
    app = create_app()
except ConfigError as refusal:
    # A plain message instead of a traceback, for gunicorn's log and the flask CLI.
    print(f"Channelfront will not start: {refusal}", file=sys.stderr)
    # 3 is gunicorn's "worker failed to boot": its master stops instead of starting
    # worker after worker that would fail the same way.
    sys.exit(3)
celery = app.extensions["celery"]
