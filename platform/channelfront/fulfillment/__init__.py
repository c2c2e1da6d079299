"""License keys and subscriptions issued when an order is paid or accepted."""
