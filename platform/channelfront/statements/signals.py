"""Statement facts other features react to inside the same transaction."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: a Statement written as its period closed (one per beneficiary).
statement_closed = _signals.signal("statement-closed")
