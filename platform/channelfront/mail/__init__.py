"""Outgoing e-mail over SMTP (or to the console in development)."""
