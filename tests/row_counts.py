"""How many rows each table holds: compared before and after a refused request."""

from __future__ import annotations

from sqlalchemy import func, select

from channelfront.extensions import db


def row_counts() -> dict[str, int]:
    """Every table's row count, read in the test's own transaction."""
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The tables whose count moved, with (before, after)."""
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}
