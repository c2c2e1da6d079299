"""Subscription renewals: partner-placed through the cart, self-service by the end customer."""
