"""WSGI entry point for gunicorn and ``flask --app wsgi``."""

from channelfront import create_app

app = create_app()
celery = app.extensions["celery"]
