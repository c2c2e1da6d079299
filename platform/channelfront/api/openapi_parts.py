"""Pieces every operation of the OpenAPI document uses: error answers and the common ones."""

from __future__ import annotations

from typing import Any


def error(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": "Error"}},
        **extra,
    }


def ok(schema: str, description: str = "OK", **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


# Answers every operation can give, before it looks at its own input.
COMMON = {
    "401": error(
        "Missing, unknown or revoked bearer token, or a token of another storefront",
        headers={
            "WWW-Authenticate": {
                "description": "The bearer scheme",
                "required": True,
                "schema": {"type": "string"},
            }
        },
    ),
    "403": error("The token's user has no catalog on this storefront (not a reseller)"),
    "503": error("The storefront is suspended"),
}
NO_HOST = error("No storefront answers at this host")
