"""JSON error bodies that name what is wrong."""

from __future__ import annotations

from flask import Response, jsonify
from marshmallow import ValidationError


def api_error(status: int, message: str, errors: dict[str, list[str]] | None = None) -> Response:
    """An error response: ``{"error": {"status", "message", "errors": {field: [...]}}}``."""
    body: dict[str, object] = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(error=body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def invalid_query(exc: ValidationError) -> Response:
    """400 for query parameters that failed validation, each named with its messages."""
    messages = exc.normalized_messages()
    errors = {
        str(field): [str(m) for m in found] if isinstance(found, list) else [str(found)]
        for field, found in messages.items()
    }
    return api_error(400, "Invalid query parameters.", errors)
