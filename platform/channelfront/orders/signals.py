"""Order facts other features react to inside the same transaction.

Receivers run synchronously in the caller's session before its commit, so whatever
they write commits or rolls back with the order change itself.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Order, just paid by card or accepted on account.
order_accepted = _signals.signal("order-accepted")
#: sender: the Order, refunded in full.
order_refunded = _signals.signal("order-refunded")
#: sender: the renewal record of a subscription, paid (by a partner or its end customer).
subscription_renewed = _signals.signal("subscription-renewed")
