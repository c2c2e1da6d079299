"""Invoice facts other features react to inside the same transaction (no flush needed:
the invoice may still be pending when they are sent)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Invoice just written (``order``: its Order). A card order's invoice is
#: issued already paid.
invoice_issued = _signals.signal("invoice-issued")
#: sender: the Invoice just settled (``order``: its Order).
invoice_paid = _signals.signal("invoice-paid")
