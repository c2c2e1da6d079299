"""Subscriptions: the rows, their dates and every write to them.

Fulfilment starts a subscription through ``services.start``; renewals extend it and
take its term indexes; a refund cancels it. No other package writes its rows.
"""
