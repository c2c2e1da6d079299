"""Order facts other features react to inside the same transaction.

Receivers run synchronously in the caller's session before its commit, so whatever
they write commits or rolls back with the order change itself.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Order, just paid by card or accepted on account.
order_accepted = _signals.signal("order-accepted")
#: sender: the Order, refunded in full: first the money it took from or gave to credit
#: notes comes back (``order_refund_credits``), then everything else (``order_refunded``:
#: incentive posting, subscriptions, licenses, timelines). Checkout spends notes before
#: it posts incentives; a refund takes the same locks in the same order, so the two
#: cannot deadlock (blinker calls the receivers of one signal in no set order).
order_refund_credits = _signals.signal("order-refund-credits")
order_refunded = _signals.signal("order-refunded")
#: sender: the renewal record of a subscription, paid (by a partner or its end customer).
subscription_renewed = _signals.signal("subscription-renewed")
#: sender: the Order, with ``event``: an entry just added to its timeline (a status or an
#: update); the order is complete except for that entry's database defaults.
order_event_recorded = _signals.signal("order-event-recorded")
#: sender: the Subscription whose renewal link (the renewal notice) was just sent.
renewal_notice_sent = _signals.signal("renewal-notice-sent")
