"""Invoices, one per order, numbered per tenant."""
