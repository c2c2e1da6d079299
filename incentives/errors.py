"""The one error the engine raises for bad input."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: names the offending field and, when there is one, the event."""

    def __init__(self, field: str, message: str, event: str | None = None) -> None:
        self.field = field
        self.event = event
        self.message = message
        where = f"{field} of event {event!r}" if event is not None else field
        super().__init__(f"{where}: {message}")
