"""JSON error bodies that name what is wrong."""

from __future__ import annotations

from flask import Response, jsonify, request
from marshmallow import Schema, ValidationError


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


def field_messages(messages: object, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{"lines[0].quantity": [...]}``, one level deep."""
    found: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                name = prefix or "body"
            elif isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, texts in field_messages(value, name).items():
                found.setdefault(field, []).extend(texts)
    elif isinstance(messages, list):
        for item in messages:
            for field, texts in field_messages(item, prefix).items():
                found.setdefault(field, []).extend(texts)
    else:
        found[prefix or "body"] = [str(messages)]
    return found


def invalid_body(exc: ValidationError) -> Response:
    """400 for a body that failed its schema, each offending field named by its path."""
    return api_error(400, "Invalid request body.", field_messages(exc.messages))


def json_object() -> dict[str, object] | Response:
    """The request's JSON object, or the 400 that says one must be sent."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "Invalid request body.", {"body": ["Send a JSON object."]})
    return body


def load_body(schema: Schema) -> dict[str, object] | Response:
    """The request's JSON object loaded by ``schema``, or the 400 naming what is wrong."""
    body = json_object()
    if isinstance(body, Response):
        return body
    try:
        loaded: dict[str, object] = schema.load(body)
    except ValidationError as exc:
        return invalid_body(exc)
    return loaded
