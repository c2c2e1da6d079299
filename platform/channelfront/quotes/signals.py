"""Quote facts other features react to inside the same transaction."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Quote, just moved (``services.move``) from ``from_status`` to its status.
quote_moved = _signals.signal("quote-moved")
