"""Outbound webhooks: endpoints, signed events, deliveries with retries and a log."""
