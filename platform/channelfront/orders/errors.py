"""The error every order service raises for bad input; it names the field."""

from __future__ import annotations


class OrderInputError(ValueError):
    """Input refused before anything was written; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
