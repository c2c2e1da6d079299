"""JSON error bodies that name what is wrong."""

from __future__ import annotations

from flask import Response, jsonify


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
