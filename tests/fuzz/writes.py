"""Which tables a request left written: the INSERT, UPDATE and DELETE statements that
were not rolled back (a savepoint rolled back takes its statements with it).

Row counts miss an UPDATE; this sees every write, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

DML = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


class WriteLog:
    """Tables written per open savepoint; what a released savepoint wrote moves out."""

    def __init__(self) -> None:
        self.frames: list[tuple[str | None, list[str]]] = [(None, [])]

    def statement(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        match = DML.match(sql)
        if match:
            self.frames[-1][1].append(match.group(1).lower())

    def savepoint(self, _conn: Any, name: str) -> None:
        self.frames.append((name, []))

    def rollback_savepoint(self, _conn: Any, name: str, _context: Any) -> None:
        while len(self.frames) > 1:
            popped, _writes = self.frames.pop()
            if popped == name:
                return

    def release_savepoint(self, _conn: Any, name: str, _context: Any) -> None:
        while len(self.frames) > 1:
            popped, writes = self.frames.pop()
            self.frames[-1][1].extend(writes)
            if popped == name:
                return

    def kept(self) -> list[str]:
        """Every table written and kept so far, outside any open savepoint."""
        return list(self.frames[0][1])


@contextmanager
def write_log(engine: Engine) -> Iterator[WriteLog]:
    log = WriteLog()
    hooks = {
        "after_cursor_execute": log.statement,
        "savepoint": log.savepoint,
        "rollback_savepoint": log.rollback_savepoint,
        "release_savepoint": log.release_savepoint,
    }
    for name, hook in hooks.items():
        event.listen(engine, name, hook)
    try:
        yield log
    finally:
        for name, hook in hooks.items():
            event.remove(engine, name, hook)
