"""Celery tasks of the statements: closing the periods that are due."""
